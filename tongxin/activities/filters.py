"""Activities' filters, shared by the list page and the API: kind, status, and a time range."""

from __future__ import annotations

import django_filters

from tongxin.activities.models import Activity, ActivityKind, ActivityStatus, Registration, RegistrationStatus
from tongxin.core.filters import FilterSet, IsoDateTimeFilter


class ActivityFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices)
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices)
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Activity
        fields: list[str] = []


class RegistrationFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices)

    class Meta:
        model = Registration
        fields: list[str] = []
