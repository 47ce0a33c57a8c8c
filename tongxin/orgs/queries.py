"""Reads of the tree that need more than a filter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from tongxin.core.params import parse_id, parse_int
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus, path_ids


def top_organizations(user: Any) -> list[Organization]:
    """The highest organisations a user may see: the roots of their scope."""
    scope = scope_for(user)
    qs = Organization.objects.select_related("stats")
    if scope.everything:
        return list(qs.filter(parent__isnull=True).order_by("path"))
    return list(qs.filter(scope.at_q("path")).order_by("path"))


def org_from_query(user: Any, raw: str | None, *, default_top: bool = True) -> Organization | None:
    """The organisation a page's ``?org=`` names: 404 when it is malformed or not visible to ``user``.
    Without one, the user's single top organisation (``default_top``), else None (the page lists them)."""
    if raw:
        pk = parse_id(raw)
        if pk is None:
            raise Http404
        return get_object_or_404(Organization.objects.visible_to(user), pk=pk)
    if not default_top:
        return None
    tops = top_organizations(user)
    return tops[0] if len(tops) == 1 else None


def children_page(org: Organization, after: str | None, size: int) -> dict[str, Any]:
    """Active child organisations of ``org``, a page at a time (ordered by kind, then code)."""
    qs = (
        Organization.objects.filter(parent=org, status=OrgStatus.ACTIVE)
        .select_related("stats")
        .order_by("kind", "code", "id")
    )
    offset = parse_int(after, (0, 10**9)) or 0
    rows = list(qs[offset : offset + size + 1])
    return {
        "children": rows[:size],
        "children_next": offset + size if len(rows) > size else None,
    }


def root_paths(within: Iterable[str] | None) -> list[str]:
    """The paths of the root organisations (no parent), all or among ``within``, sorted; one query.
    Registered with core (``core.registry.register_root_paths``) for the rules page's check."""
    qs = Organization.objects.filter(parent__isnull=True)
    if within is not None:
        qs = qs.filter(path__in=list(within))
    return list(qs.order_by("path").values_list("path", flat=True))


def own_branch(user: Any) -> tuple[int, str] | None:
    """The branch the user may change through her first role, as (id, category), or None when that role is not
    on a branch. The menus of several apps ask it on every page (a branch's graduation batch, its points
    month), so it is looked up once per request: kept on the request's user object, like its scope (a process
    cache would make a page's query count depend on what ran before, and outlive a change of kind)."""
    memo = getattr(user, "__dict__", {})
    if "_own_branch" not in memo:
        prefixes = scope_for(user, CHANGE).prefixes
        found = None
        if prefixes:
            org_id = path_ids(prefixes[0])[-1]
            row = Organization.objects.filter(pk=org_id).values_list("kind", "category").first()
            if row and row[0] in MEMBER_HOLDING_KINDS:
                found = (org_id, row[1])
        memo["_own_branch"] = found
    return memo["_own_branch"]
