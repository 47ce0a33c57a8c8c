"""The deputies' filters, shared by pages and API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from tongxin.core.filters import FilterSet, IdFilter
from tongxin.deputies.models import ConstituentRequest, Deputy, RequestStatus, overdue_q


class DeputyFilter(FilterSet):
    congress = IdFilter(field_name="congress_id")
    studio = IdFilter(field_name="studio_id")
    active = django_filters.BooleanFilter(widget=BooleanWidget())

    class Meta:
        model = Deputy
        fields: list[str] = []


class RequestFilter(FilterSet):
    deputy = IdFilter(field_name="deputy_id")
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label=_("Status"))
    assigned_to = IdFilter(field_name="assigned_to_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"), widget=BooleanWidget())

    class Meta:
        model = ConstituentRequest
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
