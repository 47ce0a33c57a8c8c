"""Reads of the tree that need more than a filter."""

from __future__ import annotations

from typing import Any

from tongxin.core.scoping import scope_for
from tongxin.orgs.models import Organization, OrgStatus


def top_organizations(user: Any) -> list[Organization]:
    """The highest organisations a user may see: the roots of their scope."""
    scope = scope_for(user)
    qs = Organization.objects.select_related("stats")
    if scope.everything:
        return list(qs.filter(parent__isnull=True).order_by("path"))
    return list(qs.filter(path__in=scope.prefixes).order_by("path"))


def children_page(org: Organization, after: str | None, size: int) -> dict[str, Any]:
    """Active child organisations of ``org``, a page at a time (ordered by kind, then code)."""
    qs = (
        Organization.objects.filter(parent=org, status=OrgStatus.ACTIVE)
        .select_related("stats")
        .order_by("kind", "code", "id")
    )
    offset = int(after) if after and after.isascii() and after.isdigit() and len(after) <= 9 else 0
    rows = list(qs[offset : offset + size + 1])
    return {
        "children": rows[:size],
        "children_next": offset + size if len(rows) > size else None,
    }
