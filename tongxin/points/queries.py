"""Reads of the points pages and API: a member's month (what earned or cost each point), a branch's month
(the state of the cycle, the distribution, members with no activity) and the year's totals from the roll-ups."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from tongxin.orgs.models import Organization
from tongxin.people.models import MembershipStatus, Person
from tongxin.points.models import (
    Claim,
    ClaimStatus,
    CycleStatus,
    MonthCycle,
    MonthlyScore,
    Objection,
    PointEntry,
    RuleSet,
)
from tongxin.points.services import ledger

ZERO = Decimal(0)
BUCKETS = [(None, 0), (0, 2), (2, 4), (4, 6), (6, 8), (8, None)]  # the distribution's bands of month points


def year_total(person: Person, rule_set: RuleSet | None, year: int) -> Decimal:
    """The base score plus the year's points (from the roll-ups), never below the floor."""
    months = MonthlyScore.objects.filter(person=person, month__year=year)
    earned = months.aggregate(total=Sum("points"))["total"] or ZERO
    if rule_set is None:
        return earned
    return max(rule_set.floor, rule_set.base_score + earned)


def rule_set_of(person_or_branch_path: str) -> RuleSet | None:
    if not person_or_branch_path:
        return None
    branch = ledger.branch_of(person_or_branch_path)
    return ledger.rule_set_for(person_or_branch_path, ledger.audience_of(branch))


@dataclass
class MyMonth:
    month: datetime.date
    entries: list[PointEntry]
    claims: list[Claim]
    points: Decimal
    year_total: Decimal
    rule_set: RuleSet | None
    status: str
    history: list[MonthlyScore] = field(default_factory=list)


def my_month(person: Person, month: datetime.date) -> MyMonth:
    rule_set = rule_set_of(person.org_path)
    entries = list(PointEntry.objects.filter(person=person, month=month).select_related("version").order_by("id"))
    claims = list(Claim.objects.filter(person=person, month=month).select_related("version").order_by("-id"))
    status = MonthCycle.objects.filter(org_path=person.org_path, month=month).values_list("status", flat=True).first()
    history = list(MonthlyScore.objects.filter(person=person).order_by("-month")[:12])
    return MyMonth(
        month=month, entries=entries, claims=claims, points=sum((e.points for e in entries), ZERO),
        year_total=year_total(person, rule_set, month.year), rule_set=rule_set, status=status or CycleStatus.OPEN,
        history=history,
    )  # fmt: skip


@dataclass
class BranchMonth:
    branch: Organization
    month: datetime.date
    cycle: MonthCycle | None
    rows: list[tuple[Person, Decimal, int]]  # member, points, entries
    idle: list[Person]
    waiting: list[Claim]
    objections: list[Objection]
    distribution: list[tuple[str, int]]
    rule_set: RuleSet | None
    ranking: list[tuple[Person, Decimal]] | None

    @property
    def status(self) -> str:
        return self.cycle.status if self.cycle else CycleStatus.OPEN

    @property
    def status_label(self) -> str:
        return str(CycleStatus(self.status).label)


def _band(points: Decimal) -> str:
    for low, high in BUCKETS:
        if low is None and points < (high or 0):
            return f"< {high}"
        if low is not None and points >= low and (high is None or points < high):
            return f"{low}–{high}" if high is not None else f"≥ {low}"
    return "?"


def branch_month(branch: Organization, month: datetime.date) -> BranchMonth:
    cycle = MonthCycle.objects.filter(organization=branch, month=month).first()
    members = list(Person.objects.filter(branch=branch, status=MembershipStatus.ACTIVE).order_by("name_pinyin", "id"))
    scores = {s.person_id: s for s in MonthlyScore.objects.filter(month=month, person__in=[m.pk for m in members])}
    claimed = set(Claim.objects.filter(org_path=branch.path, month=month).values_list("person_id", flat=True))
    rows = [(m, scores[m.pk].points if m.pk in scores else ZERO, scores[m.pk].entries if m.pk in scores else 0)
            for m in members]  # fmt: skip
    idle = [m for m, _points, n in rows if n == 0 and m.pk not in claimed]
    counts = Counter(_band(points) for _m, points, _n in rows)
    distribution = [(label, counts.get(label, 0)) for label in (_band(Decimal(b[0] if b[0] is not None else -1))
                                                                    for b in BUCKETS)]  # fmt: skip
    rule_set = ledger.rule_set_for(branch.path, ledger.audience_of(branch))
    ranking = None
    if rule_set is not None and rule_set.rankings:
        ranking = sorted(((m, p) for m, p, _n in rows), key=lambda r: (-r[1], r[0].name_pinyin))
    waiting = list(Claim.objects.filter(org_path=branch.path, month=month, status=ClaimStatus.SUBMITTED)
                   .select_related("person", "version").order_by("id"))  # fmt: skip
    objections = list(cycle.objections.select_related("person").order_by("id")) if cycle else []
    return BranchMonth(branch=branch, month=month, cycle=cycle, rows=rows, idle=idle, waiting=waiting,
                       objections=objections, distribution=distribution, rule_set=rule_set,
                       ranking=ranking)  # fmt: skip
