"""The lifecycle app's menu entry for the graduation batch: a branch secretary reaches her branch's batch from
the menu, not only from a button on the branch's page."""

from __future__ import annotations

from typing import Any

from tongxin.core.scoping import CHANGE, scope_for
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization, path_ids


def own_branch_id(user: Any) -> int | None:
    """The school branch the user may change through her first role (graduation is for school branches, as the
    button on the branch's page): one lookup by primary key of its kind, on every page (a process cache made
    the page's query count depend on what ran before, and would outlive a change of kind); none for a user
    without a CHANGE role."""
    memo = getattr(user, "__dict__", {})  # kept on the request's user object, like its scope
    if "_own_school_branch" not in memo:
        prefixes = scope_for(user, CHANGE).prefixes
        found = None
        if prefixes:
            org_id = path_ids(prefixes[0])[-1]
            row = Organization.objects.filter(pk=org_id).values_list("kind", "category").first() or ("", "")
            found = org_id if row[0] in MEMBER_HOLDING_KINDS and row[1] == "school" else None
        memo["_own_school_branch"] = found
    return memo["_own_school_branch"]


def has_own_branch(user: Any) -> bool:
    return own_branch_id(user) is not None


def own_branch_args(user: Any) -> list[Any]:
    return [own_branch_id(user)]
