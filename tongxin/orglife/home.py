"""What organisational life puts on the secretary's workbench (工作台) and in the menus: each card's figure is
one scoped COUNT (``core.registry.register_home_card``); the menu entries lead to the pages of the user's own
organisation (the top of her first role), which only buttons on the organisation page reached before."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.scoping import CHANGE, VIEW, scope_for
from tongxin.orglife.lapse import lapse_candidates
from tongxin.orglife.models import Meeting, MeetingRequirement
from tongxin.orglife.queries import compliance_board
from tongxin.orglife.services.meetings import overdue
from tongxin.orgs.models import Organization, path_ids


def own_org_id(user: Any) -> int | None:
    """The organisation of the user's first role (no query: its id is the last step of the path)."""
    prefixes = scope_for(user, VIEW).prefixes
    return path_ids(prefixes[0])[-1] if prefixes else None


def has_own_org(user: Any) -> bool:
    return own_org_id(user) is not None


def own_org_args(user: Any) -> list[Any]:
    return [own_org_id(user)]


@dataclass(frozen=True)
class MeetingsDue:
    """The meetings card's figures and its button: the user's own organisations' planned meetings whose time
    has passed without a record (the button records one), and, for a committee, those of the organisations
    below it (the board shows which)."""

    count: int
    record_url: str
    below: int = 0

    def __str__(self) -> str:
        return str(self.count)


def meetings_to_record(user: Any) -> MeetingsDue | None:
    """Planned meetings whose time has passed without a record: at the organisations the user holds a role on,
    and below them (one aggregate); ``None`` (no card) for a user who may change none."""
    scope = scope_for(user, CHANGE)
    if not scope.prefixes:
        return None
    counts = overdue(Meeting.objects.filter(scope.q("org_path"))).aggregate(
        own=Count("pk", filter=scope.at_q("org_path")), below=Count("pk", filter=scope.below_q("org_path"))
    )
    record = reverse("orglife:meeting_record_held", args=[own_org_id(user)])
    return MeetingsDue(counts["own"], record, below=counts["below"])


def board_this_month(user: Any) -> str | None:
    """The board card's figure: the meetings of the current periods still to hold and those overdue, for the
    user's own organisation when it holds meetings itself (a branch: its board of this month, a few ms). A
    committee's or the district's card has no figure: their board counts every branch below (0.14 s for the
    demo district), too dear for every visit to the workbench, and the board page itself shows it."""
    org_id = own_org_id(user)
    org = Organization.objects.filter(pk=org_id).only("id", "path", "kind", "name").first() if org_id else None
    if org is None:
        return None
    if not MeetingRequirement.objects.filter(org_kind=org.kind, active=True).exists():
        return ""
    today = timezone.localdate()
    board = compliance_board(user, org, year=today.year, period=f"m{today.month}", today=today)
    return _("%(due)d to hold this month · %(overdue)d overdue") % {
        "due": board.total.due,
        "overdue": board.total.overdue,
    }


def possibly_lapsed(user: Any) -> int:
    """Members of the user's subtrees with neither dues nor a meeting in the window (one COUNT)."""
    return lapse_candidates(user, None).order_by().count()
