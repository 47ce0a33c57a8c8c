"""Navigation by the five areas of the work model (五带: 组织, 思想, 队伍, 活动, 阵地)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.inbox import BADGE_SECONDS, badge_key, pending_total
from tongxin.core.models import Notification
from tongxin.core.scoping import CHANGE, MANAGE, scope_for
from tongxin.core.services import may_edit_rules


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    has_role = getattr(user, "has_org_role", False)
    organisation_items = []
    team_items = []
    if has_role:
        organisation_items.append((_("Organisation tree"), reverse("orgs:tree")))
        organisation_items.append((_("Compliance board"), reverse("orglife:board")))
        team_items.append((_("Roster"), reverse("people:roster")))
        change = scope_for(user, CHANGE)
        if change.has_subtrees:
            team_items.append((_("Imports"), reverse("imports:list")))
            team_items.append((_("One-time login codes"), reverse("accounts:bulk_reset")))
        team_items.append((_("Transfers"), reverse("lifecycle:transfers")))
        team_items.append((_("Dues"), reverse("lifecycle:dues_home")))
        team_items.append((_("Age-out"), reverse("lifecycle:age_out")))
        team_items.append((_("Annual review"), reverse("lifecycle:reviews")))
        team_items.append((_("Recruitment"), reverse("lifecycle:recruitments")))
        team_items.append((_("Party recommendation"), reverse("lifecycle:recommendations")))
        team_items.append((_("Members who may have lapsed"), reverse("orglife:lapse")))
        team_items.append((_("Minors without consent"), reverse("privacy:minors")))
        organisation_items.append((_("Audit log"), reverse("core:audit")))
    manage = scope_for(user, MANAGE)
    if manage.has_subtrees and may_edit_rules(user):
        organisation_items.append((_("Rules"), reverse("core:rules")))
    if getattr(user, "person_id", None):
        team_items.append((_("My profile"), reverse("people:detail", args=[user.person_id])))
    areas = [
        ("organisation", _("Organisation"), organisation_items),
        ("thought", _("Thought"), []),
        ("team", _("Team"), team_items),
        ("activities", _("Activities"), []),
        ("positions", _("Positions"), []),
    ]
    return {"nav_areas": areas, "inbox_badge": inbox_badge(user)}


def inbox_badge(user: Any) -> Callable[[], int]:
    """The navbar badge: work waiting (the pending registry) plus unread notifications.

    Lazy: a template that does not show it (an htmx partial) pays nothing. Computing it costs one COUNT
    plus one per pending provider, so the total is kept in the cache for ``BADGE_SECONDS``; a new
    notification for the user (``accounts.notify``) and the inbox page refresh it at once.
    """
    memo: list[int] = []

    def count() -> int:
        if not memo:
            key = badge_key(user.pk)
            value = cache.get(key)
            if value is None:
                value = pending_total(user) + Notification.objects.visible_to(user).unread().count()
                cache.set(key, value, BADGE_SECONDS)
            memo.append(value)
        return memo[0]

    return count
