"""Navigation by the five areas of the work model (五带: 组织, 思想, 队伍, 活动, 阵地)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.core.scoping import CHANGE, scope_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    has_role = getattr(user, "has_org_role", False)
    organisation_items = []
    team_items = []
    if has_role:
        organisation_items.append((_("Organisation tree"), reverse("orgs:tree")))
        team_items.append((_("Roster"), reverse("people:roster")))
        change = scope_for(user, CHANGE)
        if change.everything or change.prefixes:
            team_items.append((_("Imports"), reverse("imports:list")))
        organisation_items.append((_("Audit log"), reverse("core:audit")))
    if getattr(user, "person_id", None):
        team_items.append((_("My profile"), reverse("people:detail", args=[user.person_id])))
    areas = [
        ("organisation", _("Organisation"), organisation_items),
        ("thought", _("Thought"), []),
        ("team", _("Team"), team_items),
        ("activities", _("Activities"), []),
        ("positions", _("Positions"), []),
    ]
    return {"nav_areas": areas}
