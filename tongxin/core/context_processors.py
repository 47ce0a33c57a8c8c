"""The navbar: the entries the apps register (``core.registry.register_nav``) and the inbox badge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from tongxin.core.inbox import PendingItem, badge_count
from tongxin.core.registry import nav_areas
from tongxin.core.scoping import MANAGE, scope_for
from tongxin.core.services import may_edit_rules


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A page that listed the work waiting already (the workbench, the inbox) hands it over: not counted twice.
    return {"nav_areas": nav_areas(user), "inbox_badge": inbox_badge(user, getattr(request, "pending_items", None))}


def may_see_rules(user: Any) -> bool:
    """Core's own "Rules" entry (registered in ``CoreConfig.ready()``): for the district admin only."""
    return scope_for(user, MANAGE).has_subtrees and may_edit_rules(user)


def inbox_badge(user: Any, items: list[PendingItem] | None = None) -> Callable[[], int]:
    """The navbar badge: work waiting (the pending registry) plus unread notifications, each thing once: a
    notification that only points at work the registry counts (``about_pending``) adds nothing.

    Lazy: a template that does not show it (an htmx partial) pays nothing. Computing it costs one COUNT
    plus one per pending provider, so the total is kept in the cache for ``BADGE_SECONDS``; a new
    notification for the user (``accounts.notify``) and the inbox page refresh it at once.
    """
    memo: list[int] = []

    def count() -> int:
        if not memo:
            memo.append(badge_count(user, items))
        return memo[0]

    return count
