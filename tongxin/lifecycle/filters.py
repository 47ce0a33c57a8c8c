"""Lifecycle FilterSets, shared by pages and API: dues payments and annual reviews."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from tongxin.core.filters import FilterSet, IdFilter, IntFilter, MonthFilter
from tongxin.core.scoping import subtree_q
from tongxin.lifecycle.models import AnnualReview, DuesKind, DuesPayment, ReviewStatus
from tongxin.orgs.models import Organization


class DuesPaymentFilter(FilterSet):
    branch = IdFilter(method="filter_branch", label=_("Branch (an organisation: its whole subtree)"))
    month = MonthFilter(field_name="month", label=_("Month (yyyy-mm)"))
    kind = django_filters.ChoiceFilter(choices=DuesKind.choices, label=_("Kind"))
    person = IdFilter(field_name="person_id", label=_("Person"))

    class Meta:
        model = DuesPayment
        fields = ["branch", "month", "kind", "person"]

    def filter_branch(self, queryset, name, value):
        org = Organization.objects.filter(pk=int(value)).only("path").first()
        return queryset.filter(subtree_q("org_path", org.path)) if org else queryset.none()


class AnnualReviewFilter(FilterSet):
    year = IntFilter(field_name="year", bounds=(1900, 9999), label=_("Year"))
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("Status"))
    org = IdFilter(method="filter_org", label=_("Organisation (its whole subtree)"))

    class Meta:
        model = AnnualReview
        fields = ["year", "status", "org"]

    def filter_org(self, queryset, name, value):
        org = Organization.objects.filter(pk=int(value)).only("path").first()
        return queryset.filter(subtree_q("org_path", org.path)) if org else queryset.none()
