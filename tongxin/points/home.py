"""What the points app puts in the menus, on the home pages and in the inbox: the member's points of the month
(a card on his phone home), the branch's month for its secretary, and the claims and objections waiting for
review (one scoped COUNT each)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core.inbox import PendingItem, register_pending
from tongxin.core.registry import register_demo_step, register_home_card, register_nav
from tongxin.core.scoping import CHANGE, VIEW, scope_for
from tongxin.orgs.models import path_ids
from tongxin.orgs.queries import own_branch
from tongxin.points.models import Claim, ClaimStatus, MonthlyScore, Objection, ObjectionStatus
from tongxin.points.services.cycle import this_month


def is_member(user: Any) -> bool:
    return bool(getattr(user, "person_id", None))


def my_points(user: Any) -> str | None:
    """The member card's figure: this month's points (one SUM over his roll-up row)."""
    if not is_member(user):
        return None
    total = MonthlyScore.objects.filter(person_id=user.person_id, month=this_month()).aggregate(t=Sum("points"))["t"]
    return f"{(total or 0):g}"


def own_branch_id(user: Any) -> int | None:
    """The branch of the user's first role, when it is a branch (the month page is a branch's)."""
    branch = own_branch(user)
    return branch[0] if branch else None


def has_own_branch(user: Any) -> bool:
    return own_branch_id(user) is not None


def own_branch_args(user: Any) -> list[Any]:
    return [own_branch_id(user)]


def own_org_args(user: Any) -> list[Any]:
    prefixes = scope_for(user, VIEW).prefixes
    return [path_ids(prefixes[0])[-1]]


def has_own_org(user: Any) -> bool:
    return bool(scope_for(user, VIEW).prefixes)


def claims_waiting(user: Any) -> int | None:
    if not scope_for(user, CHANGE).prefixes:
        return None
    return Claim.objects.visible_to(user, CHANGE).filter(status=ClaimStatus.SUBMITTED).count()


def pending_points(user: Any) -> list[PendingItem]:
    """Inbox: claims to review and objections to answer in the user's branches (two COUNTs, role holders only)."""
    scope = scope_for(user, CHANGE)
    if not scope.prefixes:
        return []
    org_id = own_branch_id(user)
    url = reverse("points:branch", args=[org_id]) if org_id else ""
    claims = Claim.objects.visible_to(user, CHANGE).filter(status=ClaimStatus.SUBMITTED).count()
    objections = Objection.objects.visible_to(user, CHANGE).filter(status=ObjectionStatus.OPEN).count()
    return [PendingItem(_("Points claims to review"), claims, url),
            PendingItem(_("Objections to points to answer"), objections, url)]  # fmt: skip


def register() -> None:
    register_nav("team", gettext_lazy("My points"), "points:mine", order=40, when=is_member)
    register_nav("team", gettext_lazy("Points of the month"), "points:branch", order=42, when=has_own_branch,
                 args=own_branch_args)  # fmt: skip
    register_nav("team", gettext_lazy("Points in the subtree"), "points:subtree", order=44, when=has_own_org,
                 args=own_org_args)  # fmt: skip
    register_home_card("member", "points", gettext_lazy("My points this month"), "points:mine", order=40,
                       when=is_member, value=my_points)  # fmt: skip
    register_home_card("secretary", "points", gettext_lazy("Points claims to review"), "points:branch", order=45,
                       when=has_own_branch, value=claims_waiting, args=own_branch_args)  # fmt: skip
    register_pending(pending_points)
    register_demo_step("points", "tongxin.points.demo", order=370)
