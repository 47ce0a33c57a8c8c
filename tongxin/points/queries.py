"""Reads of the points pages and API: a member's month (what earned or cost each point), a branch's month
(the state of the cycle, the distribution, members with no activity) and the year's totals from the roll-ups."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum

from tongxin.core.scoping import subtree_q
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization
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
from tongxin.points.services import ledger, rules

ZERO = Decimal(0)
BUCKETS = [(None, 0), (0, 2), (2, 4), (4, 6), (6, 8), (8, None)]  # the distribution's bands of month points


def year_total(person: Person, rule_set: RuleSet | None, month: datetime.date) -> Decimal:
    """The base score plus the points of ``month``'s year up to it (from the roll-ups), never below the floor;
    base score and floor as the rules' version in force in ``month`` says."""
    months = MonthlyScore.objects.filter(person=person, month__year=month.year, month__lte=month)
    earned = months.aggregate(total=Sum("points"))["total"] or ZERO
    if rule_set is None:
        return earned
    base, floor = rules.scores_in_force(rule_set, month)
    return max(floor, base + earned)


def rule_set_of(person_or_branch_path: str) -> RuleSet | None:
    if not person_or_branch_path:
        return None
    return ledger.rule_set_at(person_or_branch_path)


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
        year_total=year_total(person, rule_set, month), rule_set=rule_set, status=status or CycleStatus.OPEN,
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


# --- a subtree's months (the committee's view) -----------------------------------------------------------------

HONEST_MIN_REVIEWED = 5  # claims reviewed in the last year before a branch's reviewing is judged
HONEST_AS_CLAIMED = 0.95  # share of claims accepted exactly as claimed above which the review looks nominal


@dataclass
class BranchRow:
    branch: Organization
    members: int
    scored: int
    average: Decimal | None
    previous: Decimal | None
    status: str
    reviewed: int
    as_claimed: int
    flagged: bool

    @property
    def status_label(self) -> str:
        return str(CycleStatus(self.status).label)


def _averages(paths: list[str], month: datetime.date) -> dict[str, tuple[Decimal, int]]:
    rows = MonthlyScore.objects.filter(org_path__in=paths, month=month).values("org_path")
    return {r["org_path"]: (r["avg"], r["n"]) for r in rows.annotate(avg=Avg("points"), n=Count("id"))}


def subtree_months(org: Organization, month: datetime.date) -> list[BranchRow]:
    """Each branch of ``org``'s subtree in ``month``: members, average points this month and the month before,
    the cycle's state, and the honest-review flag: over the last twelve months' reviewed claims, nearly every
    one accepted exactly as claimed, or none ever adjusted or rejected (a handful of grouped queries)."""
    branches = list(
        Organization.objects.filter(subtree_q("path", org.path), kind__in=MEMBER_HOLDING_KINDS)
        .select_related("stats")
        .order_by("path")
    )
    paths = [b.path for b in branches]
    previous_month = (month - datetime.timedelta(days=1)).replace(day=1)
    now, before = _averages(paths, month), _averages(paths, previous_month)
    statuses = dict(MonthCycle.objects.filter(org_path__in=paths, month=month).values_list("org_path", "status"))
    year_ago = (month - datetime.timedelta(days=366)).replace(day=1)
    reviewed = ClaimStatus.ACCEPTED, ClaimStatus.ADJUSTED, ClaimStatus.REJECTED
    claims = (
        Claim.objects.filter(org_path__in=paths, month__gte=year_ago, month__lte=month, status__in=reviewed)
        .values("org_path")
        .annotate(n=Count("id"), accepted=Count("id", filter=Q(status=ClaimStatus.ACCEPTED)))
    )
    counts = {r["org_path"]: (r["n"], r["accepted"]) for r in claims}
    rows = []
    for branch in branches:
        n, accepted = counts.get(branch.path, (0, 0))
        flagged = n >= HONEST_MIN_REVIEWED and (accepted >= HONEST_AS_CLAIMED * n or accepted == n)
        stats = getattr(branch, "stats", None)
        rows.append(BranchRow(
            branch=branch, members=stats.members_direct if stats else 0, scored=now.get(branch.path, (None, 0))[1],
            average=now.get(branch.path, (None, 0))[0], previous=before.get(branch.path, (None, 0))[0],
            status=statuses.get(branch.path, CycleStatus.OPEN), reviewed=n, as_claimed=accepted, flagged=flagged,
        ))  # fmt: skip
    return rows


# --- the member's history --------------------------------------------------------------------------------------


@dataclass
class MyYear:
    year: int
    total: Decimal  # the base score plus the year's points, never below the floor
    months: list[MonthlyScore]


def my_years(person: Person) -> list[MyYear]:
    """Every month ``person`` has points in, newest first, grouped by year with the year's total (as the rules
    in force in its last month with points say)."""
    rule_set = rule_set_of(person.org_path)
    years: dict[int, list[MonthlyScore]] = {}
    for row in MonthlyScore.objects.filter(person=person).order_by("-month"):
        years.setdefault(row.month.year, []).append(row)
    return [MyYear(year=year, total=year_total(person, rule_set, months[0].month), months=months)
            for year, months in years.items()]  # fmt: skip


# --- a subtree month over month --------------------------------------------------------------------------------

TREND_MONTHS = 6


@dataclass
class Trend:
    months: list[datetime.date]  # oldest first, ending with the month shown
    rows: list[tuple[Organization, list[Decimal | None]]]  # each branch's average per month (None: no scores)
    overall: list[Decimal | None]  # the whole subtree's average per month


def subtree_trend(org: Organization, month: datetime.date, branches: list[Organization]) -> Trend:
    """The average month points of each of ``branches`` (those of ``org``'s subtree) and of the whole subtree,
    over the ``TREND_MONTHS`` months ending with ``month``, from the roll-ups (two grouped queries)."""
    months = [month]
    while len(months) < TREND_MONTHS:
        months.insert(0, (months[0] - datetime.timedelta(days=1)).replace(day=1))
    rows = MonthlyScore.objects.filter(subtree_q("org_path", org.path), month__gte=months[0], month__lte=month)
    per_branch = {
        (r["org_path"], r["month"]): r["avg"] for r in rows.values("org_path", "month").annotate(avg=Avg("points"))
    }
    overall = {r["month"]: r["avg"] for r in rows.values("month").annotate(avg=Avg("points"))}
    return Trend(
        months=months,
        rows=[(b, [per_branch.get((b.path, m)) for m in months]) for b in branches],
        overall=[overall.get(m) for m in months],
    )
