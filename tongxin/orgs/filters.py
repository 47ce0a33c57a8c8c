"""The organisation tree's FilterSet and the ``?org=`` parameter, shared by pages and API."""

from __future__ import annotations

from typing import Any, Literal

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from tongxin.core.filters import FilterSet, IdFilter
from tongxin.core.params import parse_id
from tongxin.core.scoping import VIEW, subtree_q
from tongxin.orgs.models import Organization, OrgKind, OrgStatus


class OrganizationFilter(FilterSet):
    org = IdFilter(label=_("Organisation (with its subtree)"), method="filter_org")
    parent = IdFilter(field_name="parent_id", label=_("Parent"))
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=OrgStatus.choices, label=_("Status"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="contains", label=_("Name contains"))

    class Meta:
        model = Organization
        fields = ["org", "parent", "kind", "status", "q"]

    def filter_org(self, queryset, name, value):
        org = Organization.objects.filter(pk=int(value)).only("path").first()
        return queryset.filter(subtree_q("path", org.path)) if org else queryset.none()


def org_param(request: Any, action: str = VIEW) -> Organization | Literal[False] | None:
    """An API list's ``?org=`` organisation: None when not given, False when it is not one the caller may
    ``action`` on (the list is then empty); 400 when it is not an id."""
    raw = request.query_params.get("org", "")
    if not raw:
        return None
    pk = parse_id(raw)
    if pk is None:
        raise exceptions.ValidationError({"org": [_("Give the organisation's id (a number).")]})
    return Organization.objects.visible_to(request.user, action).filter(pk=pk).first() or False
