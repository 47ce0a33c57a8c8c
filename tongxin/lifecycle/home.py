"""The lifecycle app's menu entry for the graduation batch: a branch secretary reaches her branch's batch from
the menu, not only from a button on the branch's page."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from tongxin.core.scoping import CHANGE, scope_for
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization, path_ids

KIND_SECONDS = 300  # an organisation's kind hardly ever changes: the menu may lag a change by this much


def own_branch_id(user: Any) -> int | None:
    """The school branch the user may change through her first role (graduation is for school branches, as the
    button on the branch's page): one cached lookup of its kind; none for a user without a CHANGE role."""
    prefixes = scope_for(user, CHANGE).prefixes
    if not prefixes:
        return None
    org_id = path_ids(prefixes[0])[-1]
    key = f"tongxin:org-kind:{org_id}"
    kind = cache.get(key)
    if kind is None:
        row = Organization.objects.filter(pk=org_id).values_list("kind", "category").first() or ("", "")
        kind = f"{row[0]}/{row[1]}"
        cache.set(key, kind, KIND_SECONDS)
    branch_kind, _slash, category = kind.partition("/")
    return org_id if branch_kind in MEMBER_HOLDING_KINDS and category == "school" else None


def has_own_branch(user: Any) -> bool:
    return own_branch_id(user) is not None


def own_branch_args(user: Any) -> list[Any]:
    return [own_branch_id(user)]
