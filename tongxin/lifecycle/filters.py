"""Lifecycle FilterSets, shared by pages and API: dues payments and annual reviews."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from tongxin.core.scoping import subtree_q
from tongxin.lifecycle.models import AnnualReview, DuesKind, DuesPayment, ReviewStatus
from tongxin.lifecycle.services import dues
from tongxin.orgs.models import Organization


class DuesPaymentFilter(django_filters.FilterSet):
    branch = django_filters.NumberFilter(
        method="filter_branch", min_value=1, max_value=2**62, label=_("Branch (an organisation: its whole subtree)")
    )
    month = django_filters.CharFilter(method="filter_month", label=_("Month (yyyy-mm)"))
    kind = django_filters.ChoiceFilter(choices=DuesKind.choices, label=_("Kind"))
    person = django_filters.NumberFilter(field_name="person_id", min_value=1, max_value=2**62, label=_("Person"))

    class Meta:
        model = DuesPayment
        fields = ["branch", "month", "kind", "person"]

    def filter_branch(self, queryset, name, value):
        org = Organization.objects.filter(pk=int(value)).only("path").first()
        return queryset.filter(subtree_q("org_path", org.path)) if org else queryset.none()

    def filter_month(self, queryset, name, value):
        month = dues.parse_month(value)
        if month is None:
            raise exceptions.ValidationError({"month": [_("Give the month as yyyy-mm.")]})
        return queryset.filter(month=month)


class AnnualReviewFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", min_value=1900, max_value=9999, label=_("Year"))
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("Status"))
    org = django_filters.NumberFilter(
        method="filter_org", min_value=1, max_value=2**62, label=_("Organisation (its whole subtree)")
    )

    class Meta:
        model = AnnualReview
        fields = ["year", "status", "org"]

    def filter_org(self, queryset, name, value):
        org = Organization.objects.filter(pk=int(value)).only("path").first()
        return queryset.filter(subtree_q("org_path", org.path)) if org else queryset.none()
