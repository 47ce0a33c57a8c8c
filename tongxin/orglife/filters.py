"""Organisational life's filters, shared by pages and API: meetings, and the compliance board's year."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone

from tongxin.orglife.models import Meeting, MeetingKind, MeetingStatus
from tongxin.orglife.services import meetings as services
from tongxin.orgs.models import Organization

# The first year the compliance board offers.
FIRST_YEAR = 2000


def board_year(raw: str | None) -> int:
    """``?year=`` if it is a year from FIRST_YEAR to next year, else this year."""
    raw = raw or ""
    this_year = timezone.localdate().year
    if raw.isdecimal() and len(raw) == 4 and FIRST_YEAR <= int(raw) <= this_year + 1:
        return int(raw)
    return this_year


class MeetingFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(method="filter_organization")
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields: list[str] = []

    def filter_organization(self, queryset, name: str, value: Any):
        org = Organization.objects.filter(pk=value).first()
        return services.of_organization(queryset, org) if org else queryset.none()
