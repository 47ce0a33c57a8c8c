"""The points filters, shared by the API (``?month=yyyy-mm``, ``?person=``, ``?status=``, ``?organization=``)."""

from __future__ import annotations

import django_filters

from tongxin.core.filters import FilterSet, IdFilter, MonthFilter
from tongxin.points.models import Claim, ClaimStatus, CycleStatus, MonthCycle, Objection, ObjectionStatus, PointEntry


class PointEntryFilter(FilterSet):
    month = MonthFilter(field_name="month")
    person = IdFilter(field_name="person_id")

    class Meta:
        model = PointEntry
        fields: list[str] = []


class ClaimFilter(FilterSet):
    month = MonthFilter(field_name="month")
    person = IdFilter(field_name="person_id")
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)

    class Meta:
        model = Claim
        fields: list[str] = []


class MonthCycleFilter(FilterSet):
    month = MonthFilter(field_name="month")
    organization = IdFilter(field_name="organization_id")
    status = django_filters.ChoiceFilter(choices=CycleStatus.choices)

    class Meta:
        model = MonthCycle
        fields: list[str] = []


class ObjectionFilter(FilterSet):
    month = MonthFilter(field_name="cycle__month")
    status = django_filters.ChoiceFilter(choices=ObjectionStatus.choices)

    class Meta:
        model = Objection
        fields: list[str] = []
