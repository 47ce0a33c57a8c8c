"""The lifecycle app's menu entry for the graduation batch: a branch secretary reaches her branch's batch from
the menu, not only from a button on the branch's page."""

from __future__ import annotations

from typing import Any

from tongxin.orgs.queries import own_branch


def own_branch_id(user: Any) -> int | None:
    """The school branch the user may change through her first role (graduation is for school branches, as the
    button on the branch's page); none for a user without a CHANGE role on a branch."""
    branch = own_branch(user)
    return branch[0] if branch and branch[1] == "school" else None


def has_own_branch(user: Any) -> bool:
    return own_branch_id(user) is not None


def own_branch_args(user: Any) -> list[Any]:
    return [own_branch_id(user)]
