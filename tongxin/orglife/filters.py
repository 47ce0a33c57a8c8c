"""Organisational life's filters, shared by pages and API: meetings, and the compliance board's year."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone

from tongxin.core.filters import FilterSet, IdFilter, IntFilter, IsoDateTimeFilter
from tongxin.core.params import parse_int
from tongxin.orglife.models import (
    ChecklistItem,
    ChecklistKind,
    ChecklistStatus,
    LessonKind,
    LessonTurn,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from tongxin.orglife.services import checklists as checklist_services
from tongxin.orglife.services import meetings as services
from tongxin.orgs.models import Organization

# The first year the compliance board offers.
FIRST_YEAR = 2000


def board_year(raw: str | None) -> int:
    """``?year=`` if it is a year from FIRST_YEAR to next year, else this year."""
    this_year = timezone.localdate().year
    return parse_int(raw, (FIRST_YEAR, this_year + 1)) or this_year


class MeetingFilter(FilterSet):
    organization = IdFilter(method="filter_organization")
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields: list[str] = []

    def filter_organization(self, queryset, name: str, value: Any):
        org = Organization.objects.filter(pk=value).first()
        return services.of_organization(queryset, org) if org else queryset.none()


class ChecklistItemFilter(FilterSet):
    """The API list of checklist items: ``?kind=``, ``?status=`` (an unknown value is ignored, not refused) and
    ``?overdue=1``; ``?org=`` (a subtree of the caller's) is the viewset's, through ``orgs.filters.org_param``."""

    kind = django_filters.CharFilter(method="filter_kind")
    status = django_filters.CharFilter(method="filter_status")
    overdue = django_filters.CharFilter(method="filter_overdue")

    class Meta:
        model = ChecklistItem
        fields = ["kind", "status", "overdue"]

    def filter_kind(self, queryset, name: str, value: str):
        return queryset.filter(kind=value) if value in ChecklistKind.values else queryset

    def filter_status(self, queryset, name: str, value: str):
        return queryset.filter(status=value) if value in ChecklistStatus.values else queryset

    def filter_overdue(self, queryset, name: str, value: str):
        return queryset.filter(checklist_services.overdue_q()) if value in ("1", "true") else queryset


class LessonTurnFilter(FilterSet):
    """Lessons in turn: ``?organization=<id>`` (that organisation's rota), ``?year=``, ``?kind=``."""

    organization = IdFilter(field_name="organization_id")
    year = IntFilter(field_name="year", bounds=(2000, 2100))
    kind = django_filters.ChoiceFilter(choices=LessonKind.choices)

    class Meta:
        model = LessonTurn
        fields: list[str] = []
