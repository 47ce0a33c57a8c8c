"""The indicators of the 三力一度 index, a registry in code, and the default template of weights.

An indicator turns one organisation's roll-ups for a year (:class:`Figures`: its subtree's members and branches
from ``OrgStats`` and the tallies, the year's monthly tally buckets summed, the current counts of the facets
kept without a month, the study periods' ``PeriodStats``) into a raw value; ``lower_is_better`` turns the scale
round (open transfers: fewer is better). An indicator whose tally facets no app keeps yet is *not yet counted*:
its raw value is 0 for everyone and the page says so.

"Per member" indicators divide by the subtree's members at the end of the year assessed (from the membership
history), today's for the year under way (``OrgStats``): a past year keeps the members it had.

Default weights (our choice, documented here and on the weights page): the 100-point 团支部对标定级 grading gives
organisational life and the branch's own working the largest share, so 组织力 35, 凝聚力 30, 服务力 25, 大局贡献度 10.
Within 凝聚力, points per member (the 积分制 ledger, issue 18) took 5 of the venue bookings' 10: study 20,
bookings 5, points 5.
Grades as in that grading: five stars from 90, four from 80, three from 70; below 70 no stars. An organisation
may set its own minimums for its page (``IndexScheme``: descending, from 0 to 100); these are the defaults.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    ORGANISING = "organising", _("Organising power")  # 组织力
    COHESION = "cohesion", _("Cohesion")  # 凝聚力
    SERVICE = "service", _("Service power")  # 服务力
    CONTRIBUTION = "contribution", _("Contribution to the overall situation")  # 大局贡献度


@dataclass
class Figures:
    """One organisation's roll-ups for the year assessed (its whole subtree)."""

    members: int = 0  # members at the end of the year assessed (today's, OrgStats.members_total, for this year)
    branches: int = 0  # league and party branches of the subtree, itself included
    monthly: Counter[str] = field(default_factory=Counter)  # facet -> sum of the year's YYYYMM buckets
    current: Counter[str] = field(default_factory=Counter)  # facet -> count of bucket "" (kept without a month)
    study_members: int = 0  # the year's study periods: members counted at their opening, summed
    study_participants: int = 0
    meetings_done: int = 0  # required meetings held over the year's periods ended (the compliance board's rate)
    meetings_required: int = 0


def per(amount: float, count: int, scale: float = 1) -> float:
    return amount * scale / count if count else 0.0


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any
    dimension: str
    unit: Any
    raw: Callable[[Figures], float]
    facets: tuple[str, ...] = ()  # tally facets it reads (none: it reads another roll-up, always counted)
    lower_is_better: bool = False
    help: Any = ""


INDICATORS: list[Indicator] = [
    Indicator("meeting_compliance", _("Required meetings held"), Dimension.ORGANISING, "%",
              lambda f: per(f.meetings_done, f.meetings_required, 100), ("meetings_done",),
              help=_("Of the meetings each organisation must hold (三会两制一课, by its kind), the share held in the "
                     "months, quarters and years of the year that have ended, as the compliance board counts.")),
    Indicator("meetings_per_branch", _("Meetings held per branch"), Dimension.ORGANISING, _("meetings"),
              lambda f: per(f.monthly["meetings_held"], f.branches), ("meetings_held",),
              help=_("Meetings held in the year (三会两制一课) divided by the branches of the subtree.")),
    Indicator("dues_per_member", _("Dues paid per member"), Dimension.ORGANISING, _("yuan"),
              lambda f: per(f.monthly["dues_cents"], f.members, 0.01), ("dues_cents",),
              help=_("League dues recorded as paid in the year, in yuan, divided by the active members.")),
    Indicator("recruitments", _("Recruitments under way per 100 members"), Dimension.ORGANISING, _("per 100"),
              lambda f: per(f.current["recruitments_open"], f.members, 100), ("recruitments_open",),
              help=_("Applicants in the recruitment steps now, per 100 active members.")),
    Indicator("transfers_open", _("Open transfers per 100 members"), Dimension.ORGANISING, _("per 100"),
              lambda f: per(f.current["transfers_open"], f.members, 100), ("transfers_open",),
              lower_is_better=True,
              help=_("Transfers not yet completed now, per 100 active members: fewer is better.")),
    Indicator("study_rate", _("Study participation rate"), Dimension.COHESION, "%",
              lambda f: per(f.study_participants, f.study_members, 100),
              help=_("Participants of the year's study periods over the members counted at each opening.")),
    Indicator("bookings", _("Venue bookings per 100 members"), Dimension.COHESION, _("per 100"),
              lambda f: per(f.monthly["bookings"], f.members, 100), ("bookings",),
              help=_("Bookings of the positions (阵地) in the year, per 100 active members.")),
    Indicator("points_per_member", _("Points per member"), Dimension.COHESION, _("points"),
              lambda f: per(f.monthly["points"], f.members, 0.01), ("points",),
              help=_("Points booked in the year (积分制), divided by the members.")),
    Indicator("volunteer_hours", _("Volunteer hours per member"), Dimension.SERVICE, _("hours"),
              lambda f: per(f.monthly["volunteer_minutes"], f.members, 1 / 60), ("volunteer_minutes",),
              help=_("Verified volunteer service in the year, in hours, divided by the active members.")),
    Indicator("wishes", _("Micro-wishes fulfilled"), Dimension.SERVICE, _("wishes"),
              lambda f: float(f.monthly["wishes_fulfilled"]), ("wishes_fulfilled",),
              help=_("Residents' micro-wishes fulfilled in the year.")),
    Indicator("honours", _("Honours awarded"), Dimension.CONTRIBUTION, _("honours"),
              lambda f: float(f.monthly["honours"]), ("honours",),
              help=_("Honours and brands (青年文明号, 五四红旗团委…) awarded in the year.")),
]  # fmt: skip

BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}

# The default template, in percent (adds up to 100): 组织力 35, 凝聚力 30, 服务力 25, 大局贡献度 10 (bookings gave 5
# of their 10 to points per member; meetings held per branch 10 of its 15 to the required meetings held, which
# the 对标定级 grading weighs: whether the required meetings were held, not how many).
DEFAULT_WEIGHTS: dict[str, int] = {
    "meeting_compliance": 10,
    "meetings_per_branch": 5,
    "dues_per_member": 10,
    "recruitments": 5,
    "transfers_open": 5,
    "study_rate": 20,
    "bookings": 5,
    "points_per_member": 5,
    "volunteer_hours": 15,
    "wishes": 10,
    "honours": 10,
}

# Stars by total score (团支部对标定级): (lowest score, stars), highest first. The defaults of an organisation's
# own minimums (IndexScheme.grades()).
STARS: list[tuple[int, int]] = [(90, 5), (80, 4), (70, 3)]

MONTHLY_FACETS = (
    "meetings_held", "dues_cents", "bookings", "volunteer_minutes", "wishes_fulfilled", "honours", "points",
)  # fmt: skip
CURRENT_FACETS = ("recruitments_open", "transfers_open")


def stars_for(score: Any, grades: list[tuple[int, int]] | None = None) -> int:
    """The stars of ``score`` by ``grades`` ((lowest score, stars), highest first; the defaults when None)."""
    for low, stars in STARS if grades is None else grades:
        if score >= low:
            return stars
    return 0


def dimension_label(key: str) -> str:
    return str(Dimension(key).label)
