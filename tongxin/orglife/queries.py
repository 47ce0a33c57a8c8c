"""Reads of organisational life that need more than a filter: the compliance board (一表通).

``compliance_board(actor, org, year=…, period=…)`` answers, for ``org``'s subtree, whether every
organisation that has requirements (``MeetingRequirement`` rows of its kind) held each required kind of
meeting in each period of the year (month, quarter or year, per requirement). A cell is

* ``done``: a HELD meeting of that kind by that organisation (the recording one, ``Meeting.organization``)
  or listing it (``Meeting.organizations``, a joint activity) started within the period;
* ``due``: none held yet and the period is under way (today falls in it);
* ``overdue``: none held and the period is over;
* ``upcoming``: none held and the period has not begun (counted in no rate).

A meeting of kind ``joint_activity`` (党建带团建) counts, for each organisation it lists, as that
organisation's theme day (``JOINT_COUNTS_AS``: 主题团日 for league organisations, 主题党日 for party ones).

Rates: ``rate`` = done ÷ (done + overdue) over the periods that have ended; ``rate_current`` also counts
the periods under way (done in them, or due).

Cost, whatever the size of the subtree: the requirements, the organisations with requirements (plain
values) and the direct children, then ONE aggregate over Meeting for the subtree (``org_path`` range,
held, the year's range of ``starts_at``) grouped by (organisation, kind), and one like it over the
joint-activity links; for a party branch one more for its members' political birthdays. No query per
organisation, period or cell. Month boundaries are computed in the deployment's time zone here, so the
database compares plain timestamps and calls no date function per row. Above a branch each group carries
the months held as a 12-bit mask (``SUM(DISTINCT CASE … THEN 1 << month END)``) and the Python work
follows the groups, not organisations × kinds × periods; a branch's own board counts meetings per month
(one conditional COUNT each) to show them in its cells.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.codes import PoliticalStatus
from tongxin.core.rates import percent, share
from tongxin.core.rules import rule
from tongxin.core.scoping import VIEW, Actor, scope_for, subtree_q
from tongxin.orglife.models import Frequency, Meeting, MeetingKind, MeetingRequirement, MeetingStatus
from tongxin.orgs.models import PARTY_KINDS, STEP_WIDTH, Organization, OrgKind, OrgStatus
from tongxin.people.models import MembershipStatus, Person

DONE, DUE, OVERDUE, UPCOMING = "done", "due", "overdue", "upcoming"
STATUS_LABELS = {DONE: _("Held"), DUE: _("Due"), OVERDUE: _("Overdue"), UPCOMING: _("Not yet")}
KIND_ORDER = {kind: index for index, kind in enumerate(MeetingKind.values)}
FREQUENCY_PERIODS: dict[str, int] = {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.YEARLY: 1}
MONTHS_PER_PERIOD: dict[str, int] = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}
# What a joint party-league activity counts as for each organisation it lists.
JOINT_COUNTS_AS = {True: MeetingKind.PARTY_DAY.value, False: MeetingKind.LEAGUE_DAY.value}  # key: is party
# Shown for a party branch: whether this year's yearly meetings are held.
PARTY_YEARLY_KINDS = (MeetingKind.LIFE_MEETING, MeetingKind.DEMOCRATIC_REVIEW)
SORTS = ("tree", "worst")


# --- periods ---------------------------------------------------------------------------------------------


def parse_period(text: str | None) -> tuple[int, int] | None:
    """``"m1"``…``"m12"`` or ``"q1"``…``"q4"`` as the months it spans (first, last, 1-based); None (the
    whole year) for anything else."""
    text = (text or "").strip().lower()
    if len(text) < 2 or not text[1:].isdecimal():
        return None
    n = int(text[1:])
    if text[0] == "m" and 1 <= n <= 12:
        return (n, n)
    if text[0] == "q" and 1 <= n <= 4:
        return (3 * n - 2, 3 * n)
    return None


def period_choices() -> list[tuple[str, str]]:
    months = [(f"m{m}", str(_("Month %(month)d") % {"month": m})) for m in range(1, 13)]
    quarters = [(f"q{q}", str(_("Quarter %(quarter)d") % {"quarter": q})) for q in range(1, 5)]
    return [("", str(_("Whole year"))), *quarters, *months]


def period_label(frequency: str, index: int) -> str:
    if frequency == Frequency.MONTHLY:
        return str(_("Month %(month)d") % {"month": index + 1})
    if frequency == Frequency.QUARTERLY:
        return str(_("Quarter %(quarter)d") % {"quarter": index + 1})
    return str(_("Whole year"))


def _month_starts(year: int) -> list[datetime.datetime]:
    """Aware starts of the 12 months of ``year`` and of the next January, in the current time zone."""
    tz = timezone.get_current_timezone()
    starts = [datetime.datetime(year, month, 1, tzinfo=tz) for month in range(1, 13)]
    return [*starts, datetime.datetime(year + 1, 1, 1, tzinfo=tz)]


@dataclass(frozen=True)
class Clock:
    """Where ``today`` falls in ``year``: months ended (0–12) and the month under way (0-based, or None)."""

    months_ended: int
    current_month: int | None

    @classmethod
    def of(cls, year: int, today: datetime.date) -> Clock:
        if year < today.year:
            return cls(12, None)
        if year > today.year:
            return cls(0, None)
        return cls(today.month - 1, today.month - 1)

    def phase(self, frequency: str, index: int) -> str:
        """ "ended", "current" or "future" for period ``index`` of a requirement of ``frequency``."""
        size = MONTHS_PER_PERIOD[frequency]
        first, last = index * size, index * size + size - 1
        if last < self.months_ended:
            return "ended"
        if self.current_month is not None and first <= self.current_month <= last:
            return "current"
        return "future"


def _periods(frequency: str, months: tuple[int, int] | None) -> range:
    """Indexes of the periods of ``frequency`` overlapping the months (1-based, inclusive) or the year."""
    size = MONTHS_PER_PERIOD[frequency]
    if months is None:
        return range(FREQUENCY_PERIODS[frequency])
    return range((months[0] - 1) // size, (months[1] - 1) // size + 1)


# --- the result ------------------------------------------------------------------------------------------


@dataclass
class Counts:
    """Cells counted by status (and, for the rates, done split by the phase of their period)."""

    done: int = 0
    due: int = 0
    overdue: int = 0
    upcoming: int = 0
    done_ended: int = 0
    done_current: int = 0

    def add(self, other: Counts) -> None:
        self.done += other.done
        self.due += other.due
        self.overdue += other.overdue
        self.upcoming += other.upcoming
        self.done_ended += other.done_ended
        self.done_current += other.done_current

    @property
    def cells(self) -> int:
        return self.done + self.due + self.overdue + self.upcoming

    @property
    def rate(self) -> float | None:
        """Done ÷ (done + overdue) over the periods that have ended; None when none has."""
        total = self.done_ended + self.overdue
        return share(self.done_ended, total)

    @property
    def rate_current(self) -> float | None:
        """The same with the periods under way (done in them, or due)."""
        total = self.done_ended + self.done_current + self.overdue + self.due
        return share(self.done_ended + self.done_current, total)

    @property
    def status(self) -> str:
        """The colour of an aggregated cell: overdue if any is, else due if any is, else done (or upcoming)."""
        if self.overdue:
            return OVERDUE
        if self.due:
            return DUE
        if self.done:
            return DONE
        return UPCOMING if self.upcoming else ""

    @property
    def percent(self) -> str:
        return percent(self.rate)

    @property
    def percent_current(self) -> str:
        return percent(self.rate_current)

    def as_dict(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "due": self.due,
            "overdue": self.overdue,
            "upcoming": self.upcoming,
            "rate": _round(self.rate),
            "rate_current": _round(self.rate_current),
        }


def _round(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


@dataclass
class Cell:
    """One required kind in one period at one organisation."""

    kind: str
    frequency: str
    index: int  # 0-based period of the year
    status: str
    held: int  # meetings of the kind held in the period

    @property
    def label(self) -> str:
        return period_label(self.frequency, self.index)

    @property
    def months(self) -> int:
        return MONTHS_PER_PERIOD[self.frequency]


@dataclass
class Row:
    """A child organisation's subtree (committee view), or the branch itself (branch view)."""

    org: Organization
    by_kind: dict[str, Counts] = field(default_factory=dict)
    total: Counts = field(default_factory=Counts)
    organisations: int = 0  # organisations with requirements in the row's subtree
    cells: dict[str, list[Cell]] = field(default_factory=dict)  # branch view only: per kind, its periods

    @property
    def drills(self) -> bool:
        return self.organisations > 0


@dataclass
class Birthday:
    person_id: int
    name: str
    party_join_date: datetime.date
    years: int


@dataclass
class PartyBranchExtras:
    birthdays: list[Birthday]
    dues_day: int
    yearly_held: list[tuple[str, str, bool]]  # (kind, label, held this year)


@dataclass
class Board:
    org: Organization
    year: int
    period: str
    today: datetime.date
    kinds: list[tuple[str, str]]  # the columns: (meeting kind, label)
    frequencies: dict[str, list[str]]  # per kind, the frequencies required of it (for the header)
    rows: list[Row]
    total: Counts
    total_by_kind: dict[str, Counts]
    is_leaf: bool  # the branch view: ``rows`` is the organisation itself with its cells
    extras: PartyBranchExtras | None = None

    def sorted_rows(self, sort: str) -> list[Row]:
        if sort != "worst":
            return self.rows

        def worst(row: Row) -> tuple[Any, ...]:
            rate = row.total.rate
            current = row.total.rate_current
            return (rate is None, rate if rate is not None else 0, current if current is not None else 1,
                    -row.total.overdue, row.org.path)  # fmt: skip

        return sorted(self.rows, key=worst)


# --- the query -------------------------------------------------------------------------------------------


def _rows(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of ``queryset`` as plain tuples straight from the cursor: an aggregate of ids, kinds and
    counts needs none of the ORM's per-row converters, which would cost more than the query at 10×."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (no required kinds, no organisations)
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _held(
    org: Organization, year: int, tz_starts: list[datetime.datetime], *, leaf: bool
) -> tuple[dict[tuple[int, str], list[int]], set[int]]:
    """Meetings held in ``year`` per (organisation id, kind): counts per month (12), for every
    organisation of ``org``'s subtree, counting the recording organisation and those a meeting lists;
    and the organisations that recorded a joint activity themselves (see ``_joint_as_theme_day``)."""
    months = {
        f"m{m}": Count("id", filter=Q(starts_at__gte=tz_starts[m], starts_at__lt=tz_starts[m + 1])) for m in range(12)
    }
    held: dict[tuple[int, str], list[int]] = {}
    joint_recorders: set[int] = set()
    # A branch holds no organisation below it: its own path, matched exactly, is the sharper filter.
    where = Q(org_path=org.path) if leaf else subtree_q("org_path", org.path)
    recorded = (
        Meeting.objects.filter(
            where, status=MeetingStatus.HELD, starts_at__gte=tz_starts[0], starts_at__lt=tz_starts[12]
        )
        .order_by()
        .values_list("organization_id", "kind")
        .annotate(**months)
    )
    for org_id, kind, *counts in _rows(recorded):
        held[(org_id, kind)] = list(counts)
        if kind == MeetingKind.JOINT_ACTIVITY:
            joint_recorders.add(org_id)
    # The other organisations a meeting lists (a joint activity); the recording one is counted above.
    links = Meeting.organizations.through.objects.filter(
        Q(organization__path=org.path) if leaf else subtree_q("organization__path", org.path),
        meeting__status=MeetingStatus.HELD,
        meeting__starts_at__gte=tz_starts[0],
        meeting__starts_at__lt=tz_starts[12],
    ).exclude(organization_id=F("meeting__organization_id"))
    link_months = {
        f"m{m}": Count("id", filter=Q(meeting__starts_at__gte=tz_starts[m], meeting__starts_at__lt=tz_starts[m + 1]))
        for m in range(12)
    }
    link_rows = (
        links.order_by().values_list("organization_id", "meeting__kind", "organization__kind").annotate(**link_months)
    )
    for org_id, kind, org_kind, *counts in _rows(link_rows):
        if kind == MeetingKind.JOINT_ACTIVITY:
            kind = JOINT_COUNTS_AS[org_kind in PARTY_KINDS]
        target = held.setdefault((org_id, kind), [0] * 12)
        for m in range(12):
            target[m] += counts[m]
    return held, joint_recorders


def _joint_as_theme_day(held: dict[tuple[int, str], list[int]], recorders: set[int], kinds: dict[int, str]) -> None:
    """A joint activity recorded by an organisation counts as its theme day too."""
    for org_id in recorders:
        if org_id not in kinds:
            continue
        counts = held[(org_id, MeetingKind.JOINT_ACTIVITY.value)]
        target = held.setdefault((org_id, JOINT_COUNTS_AS[kinds[org_id] in PARTY_KINDS]), [0] * 12)
        for m in range(12):
            target[m] += counts[m]


def _status(held: int, phase: str) -> str:
    if held:
        return DONE
    return {"ended": OVERDUE, "current": DUE}.get(phase, UPCOMING)


def _count(counts: Counts, status: str, phase: str) -> None:
    if status == DONE:
        counts.done += 1
        if phase == "ended":
            counts.done_ended += 1
        elif phase == "current":
            counts.done_current += 1
    elif status == DUE:
        counts.due += 1
    elif status == OVERDUE:
        counts.overdue += 1
    else:
        counts.upcoming += 1


def _held_masks(org: Organization, tz_starts: list[datetime.datetime]) -> dict[tuple[int, str], int]:
    """For a committee's subtree: per (organisation id, kind), the months of the year with a meeting held as
    a 12-bit mask (bit m: month m + 1). One CASE per row and one SUM(DISTINCT) per group, in SQL both
    databases speak: cheaper than twelve counts, and all the board above a branch needs."""
    bit = Case(
        *[When(starts_at__lt=tz_starts[m + 1], then=Value(1 << m)) for m in range(12)], output_field=IntegerField()
    )
    link_bit = Case(
        *[When(meeting__starts_at__lt=tz_starts[m + 1], then=Value(1 << m)) for m in range(12)],
        output_field=IntegerField(),
    )
    recorded = (
        Meeting.objects.filter(
            subtree_q("org_path", org.path),
            status=MeetingStatus.HELD,
            starts_at__gte=tz_starts[0],
            starts_at__lt=tz_starts[12],
        )
        .order_by()
        .values_list("organization_id", "kind")
        .annotate(mask=Sum(bit, distinct=True))
    )
    masks: dict[tuple[int, str], int] = {(org_id, kind): mask for org_id, kind, mask in _rows(recorded)}
    links = (
        Meeting.organizations.through.objects.filter(
            subtree_q("organization__path", org.path),
            meeting__status=MeetingStatus.HELD,
            meeting__starts_at__gte=tz_starts[0],
            meeting__starts_at__lt=tz_starts[12],
        )
        .exclude(organization_id=F("meeting__organization_id"))
        .order_by()
        .values_list("organization_id", "meeting__kind", "organization__kind")
        .annotate(mask=Sum(link_bit, distinct=True))
    )
    for org_id, kind, org_kind, mask in _rows(links):
        if kind == MeetingKind.JOINT_ACTIVITY:
            kind = JOINT_COUNTS_AS[org_kind in PARTY_KINDS]
        masks[(org_id, kind)] = masks.get((org_id, kind), 0) | mask
    return masks


def _span_bits(lo: int, hi: int) -> int:
    return ((1 << hi) - 1) ^ ((1 << lo) - 1)


def _committee_counts(
    org: Organization,
    year: int,
    rows: dict[str, Row],
    units: list[tuple[int, str, str]],
    key_length: int,
    required: dict[str, list[tuple[str, str]]],
    plans: dict[str, list[tuple[int, str, int, int]]],
    column_kinds: dict[str, set[str]],
) -> None:
    """Fill ``rows`` (one per child) with counts per kind, without a cell per period: every requirement of
    every organisation starts as "nothing held" (overdue, due or upcoming by the phase of each period),
    then each (organisation, kind) with meetings moves its held periods to done. The periods held are
    read off the month mask per (frequency, mask), memoised: the work follows the groups of the one
    aggregate, not organisations × kinds × periods."""
    phase_bits: dict[str, dict[str, list[int]]] = {}
    for frequency, plan in plans.items():
        phase_bits[frequency] = {"ended": [], "current": [], "future": []}
        for _index, phase, lo, hi in plan:
            phase_bits[frequency][phase].append(_span_bits(lo, hi))
    kinds_of: dict[int, str] = {}
    units_per: dict[tuple[str, str], int] = {}
    row_of: dict[int, str] = {}
    for unit_id, unit_path, unit_kind in units:
        key = unit_path[:key_length]
        if key not in rows:  # below an inactive child
            continue
        rows[key].organisations += 1
        units_per[(key, unit_kind)] = units_per.get((key, unit_kind), 0) + 1
        row_of[unit_id] = key
        kinds_of[unit_id] = unit_kind
    masks = _held_masks(org, _month_starts(year))
    for org_id, org_kind in kinds_of.items():  # a joint activity recorded by an organisation: its theme day too
        joint = masks.get((org_id, MeetingKind.JOINT_ACTIVITY.value))
        if joint:
            day = (org_id, JOINT_COUNTS_AS[org_kind in PARTY_KINDS])
            masks[day] = masks.get(day, 0) | joint
    for (key, org_kind), n in units_per.items():
        row = rows[key]
        for meeting_kind, frequency in required[org_kind]:
            column_kinds.setdefault(meeting_kind, set()).add(frequency)
            counts = row.by_kind.setdefault(meeting_kind, Counts())
            bits = phase_bits[frequency]
            counts.overdue += n * len(bits["ended"])
            counts.due += n * len(bits["current"])
            counts.upcoming += n * len(bits["future"])
    frequency_of = {(ok, mk): f for ok, reqs in required.items() for mk, f in reqs}
    memo: dict[tuple[str, int], tuple[int, int, int]] = {}
    for (org_id, meeting_kind), mask in masks.items():
        row_key = row_of.get(org_id)
        required_frequency = frequency_of.get((kinds_of.get(org_id, ""), meeting_kind))
        if row_key is None or required_frequency is None or not mask:
            continue
        frequency = required_frequency
        done = memo.get((frequency, mask))
        if done is None:
            bits = phase_bits[frequency]
            done = memo[(frequency, mask)] = (
                sum(1 for b in bits["ended"] if mask & b),
                sum(1 for b in bits["current"] if mask & b),
                sum(1 for b in bits["future"] if mask & b),
            )
        ended, current, future = done
        counts = rows[row_key].by_kind[meeting_kind]
        counts.done += ended + current + future
        counts.done_ended += ended
        counts.done_current += current
        counts.overdue -= ended
        counts.due -= current
        counts.upcoming -= future


def compliance_board(
    actor: Actor,
    org: Organization,
    *,
    year: int,
    period: str | None = None,
    today: datetime.date | None = None,
) -> Board:
    """The compliance board of ``org``'s subtree for ``year`` (``period``: "m1"–"m12", "q1"–"q4" or None
    for the whole year; the periods of each requirement overlapping it are shown).

    An organisation with requirements of its own (a branch) gets its cells; any other gets one row per
    active child organisation with the counts of the child's subtree per required kind. PermissionDenied
    unless ``actor`` (None: the system) may view ``org``.
    """
    if actor is not None and not scope_for(actor, VIEW).covers_path(org.path):
        raise PermissionDenied
    today = today or timezone.localdate()
    months = parse_period(period)
    clock = Clock.of(year, today)

    required: dict[str, list[tuple[str, str]]] = {}
    for org_kind, meeting_kind, frequency in MeetingRequirement.objects.filter(active=True).values_list(
        "org_kind", "meeting_kind", "frequency"
    ):
        required.setdefault(org_kind, []).append((meeting_kind, frequency))
    for reqs in required.values():
        reqs.sort(key=lambda r: KIND_ORDER.get(r[0], len(KIND_ORDER)))

    is_leaf = org.kind in required
    # Every organisation with requirements in the subtree, as plain values (thousands at a district's root),
    # then the rows' own organisations as models.
    units: list[tuple[int, str, str]] = _rows(
        Organization.objects.filter(subtree_q("path", org.path), status=OrgStatus.ACTIVE, kind__in=list(required))
        .order_by()
        .values_list("id", "path", "kind")
    )
    if is_leaf:
        row_orgs = [org]
        key_length = len(org.path)
    else:
        row_orgs = list(
            Organization.objects.filter(parent_id=org.pk, status=OrgStatus.ACTIVE)
            .only("id", "path", "kind", "name", "short_name", "code", "parent_id", "status")
            .order_by("kind", "code", "id")
        )
        key_length = len(org.path) + STEP_WIDTH
    rows = {o.path: Row(o) for o in row_orgs}
    kinds_of = {pk: kind for pk, _path, kind in units}
    # Per frequency, once: the periods shown with their phase and months.
    plans: dict[str, list[tuple[int, str, int, int]]] = {}
    for frequency in FREQUENCY_PERIODS:
        size = MONTHS_PER_PERIOD[frequency]
        plans[frequency] = [
            (index, clock.phase(frequency, index), index * size, index * size + size)
            for index in _periods(frequency, months)
        ]
    column_kinds: dict[str, set[str]] = {}
    total = Counts()
    held: dict[tuple[int, str], list[int]] = {}
    if is_leaf:
        held, joint_recorders = _held(org, year, _month_starts(year), leaf=True)
        _joint_as_theme_day(held, joint_recorders, kinds_of)
        row = rows[org.path]
        for unit_id, _unit_path, unit_kind in units:
            if unit_id != org.pk:
                continue
            row.organisations = 1
            for meeting_kind, frequency in required[unit_kind]:
                column_kinds.setdefault(meeting_kind, set()).add(frequency)
                counts = row.by_kind.setdefault(meeting_kind, Counts())
                per_month = held.get((org.pk, meeting_kind)) or [0] * 12
                cells = row.cells.setdefault(meeting_kind, [])
                for index, phase, lo, hi in plans[frequency]:
                    n = sum(per_month[lo:hi])
                    status = _status(n, phase)
                    _count(counts, status, phase)
                    cells.append(Cell(meeting_kind, frequency, index, status, n))
    else:
        _committee_counts(org, year, rows, units, key_length, required, plans, column_kinds)
    total_by_kind: dict[str, Counts] = {}
    for row in rows.values():
        for meeting_kind, counts in row.by_kind.items():
            row.total.add(counts)
            total_by_kind.setdefault(meeting_kind, Counts()).add(counts)
        total.add(row.total)

    kinds = sorted(column_kinds, key=lambda k: KIND_ORDER.get(k, len(KIND_ORDER)))
    labels = dict(MeetingKind.choices)
    board = Board(
        org=org,
        year=year,
        period=(period or "") if months else "",
        today=today,
        kinds=[(k, str(labels.get(k, k))) for k in kinds],
        frequencies={k: sorted(column_kinds[k], key=lambda f: -FREQUENCY_PERIODS[f]) for k in kinds},
        rows=list(rows.values()),
        total=total,
        total_by_kind=total_by_kind,
        is_leaf=is_leaf,
    )
    if org.kind == OrgKind.PARTY_BRANCH:
        board.extras = _party_extras(org, year, today, held)
    return board


def _party_extras(
    org: Organization, year: int, today: datetime.date, held: dict[tuple[int, str], list[int]]
) -> PartyBranchExtras:
    """Political birthdays of this month (the anniversary of admission, ``party_join_date``), the dues day
    (rule ``party_dues_day``) and whether this year's yearly meetings are held (from the board's data)."""
    people = (
        Person.objects.filter(
            branch_id=org.pk,
            status=MembershipStatus.ACTIVE,
            political_status__in=[PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY_PARTY_MEMBER],
            party_join_date__month=today.month,
        )
        .only("id", "name", "party_join_date")
        .order_by("party_join_date__day", "name_pinyin", "id")
    )
    birthdays = [
        Birthday(p.pk, p.name, p.party_join_date, today.year - p.party_join_date.year)
        for p in people
        if p.party_join_date is not None
    ]
    labels = dict(MeetingKind.choices)
    yearly = [(str(k), str(labels[k]), sum(held.get((org.pk, k), [0])) > 0) for k in PARTY_YEARLY_KINDS]
    return PartyBranchExtras(birthdays=birthdays, dues_day=int(rule("party_dues_day")), yearly_held=yearly)


def board_as_dict(board: Board, rows: Iterable[Row] | None = None) -> dict[str, Any]:
    """The board as JSON-ready data (the API): no personal data (birthdays are counted, not named)."""
    out: dict[str, Any] = {
        "org": {"id": board.org.pk, "name": board.org.name, "kind": board.org.kind},
        "year": board.year,
        "period": board.period,
        "today": board.today.isoformat(),
        "view": "cells" if board.is_leaf else "children",
        "kinds": [{"kind": k, "label": label, "frequencies": board.frequencies[k]} for k, label in board.kinds],
        "total": board.total.as_dict(),
        "rows": [],
    }
    for row in rows if rows is not None else board.rows:
        item: dict[str, Any] = {
            "org": {"id": row.org.pk, "name": row.org.name, "kind": row.org.kind},
            "organisations": row.organisations,
            "total": row.total.as_dict(),
            "kinds": {k: c.as_dict() | {"status": c.status} for k, c in row.by_kind.items()},
        }
        if board.is_leaf:
            item["cells"] = {
                k: [
                    {"frequency": c.frequency, "period": c.index + 1, "status": c.status, "held": c.held} for c in cells
                ]
                for k, cells in row.cells.items()
            }
        out["rows"].append(item)
    if board.extras is not None:
        out["party_branch"] = {
            "political_birthdays_this_month": len(board.extras.birthdays),
            "dues_day": board.extras.dues_day,
            "yearly_held": {k: held for k, _label, held in board.extras.yearly_held},
        }
    return out
