"""The ledger: achievements offered by the feature apps become entries, exactly once per source and rule;
a withdrawal or a correction appends a reversing entry. ``MonthlyScore`` rows move with every entry, in the
same transaction (``recompute_scores`` rebuilds them from the ledger).

The month an entry is booked in is the month it happened, unless the branch's month is already published or
locked: then the first month after it that is still open (a locked month changes only by a recorded
correction, and that correction is booked in the open month).
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, Subquery, Sum
from django.utils import timezone

from tongxin.core import bulkload
from tongxin.core.achievements import Achievement, in_bulk
from tongxin.core.audit import record_change
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import Actor, by
from tongxin.orgs import tallies
from tongxin.orgs.models import PARTY_KINDS, Organization, path_ids
from tongxin.points.models import (
    Audience,
    CycleStatus,
    MonthCycle,
    MonthlyScore,
    PointEntry,
    Rule,
    RuleSet,
    RuleVersion,
)
from tongxin.points.tallies import entry_counts

ZERO = Decimal(0)
CENT = Decimal("0.01")  # the ledger's columns keep two places: round before adding, so kept == recomputed


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def prefixes(path: str) -> list[str]:
    """``path`` and every ancestor's path, the empty path (the defaults) first."""
    steps = [str(pk).zfill(8) for pk in path_ids(path)]
    return ["".join(steps[:n]) for n in range(len(steps) + 1)]


def audience_of(branch: Organization) -> str:
    return Audience.PARTY if branch.kind in PARTY_KINDS else Audience.LEAGUE


def branch_of(path: str) -> Organization:
    return Organization.objects.only("id", "path", "kind", "name").get(pk=path_ids(path)[-1])


def rule_set_for(path: str, audience: str) -> RuleSet | None:
    """The nearest rule set up ``path`` for ``audience`` (a subtree's own set overrides the one above)."""
    return RuleSet.objects.filter(audience=audience, org_path__in=prefixes(path)).order_by("-org_path").first()


def rule_set_at(path: str) -> RuleSet | None:
    """:func:`rule_set_for` the audience of the branch at the end of ``path`` (its kind read by a subquery):
    one query where :func:`branch_of` and :func:`rule_set_for` take two, on every achievement offered."""
    kind = Organization.objects.filter(pk=path_ids(path)[-1]).values("kind")[:1]
    party = Q(branch_kind__in=PARTY_KINDS)
    rows = RuleSet.objects.filter(org_path__in=prefixes(path)).annotate(branch_kind=Subquery(kind))
    audience = (Q(audience=Audience.PARTY) & party) | (Q(audience=Audience.LEAGUE) & ~party)
    return rows.filter(audience).order_by("-org_path").first()


def versions_in_force(rule_set: RuleSet, month: datetime.date) -> list[RuleVersion]:
    """The version of each rule of ``rule_set`` in force in ``month`` (retired ones left out)."""
    rows = RuleVersion.objects.filter(rule__rule_set=rule_set, valid_from__lte=month).select_related("rule")
    current: dict[int, RuleVersion] = {}
    for version in rows.order_by("rule_id", "-valid_from"):
        current.setdefault(version.rule_id, version)
    return sorted((v for v in current.values() if v.active), key=lambda v: (v.rule.key, v.pk))


def version_in_force(rule: Rule, month: datetime.date) -> RuleVersion | None:
    version = rule.versions.filter(valid_from__lte=month).order_by("-valid_from").first()
    return version if version is not None and version.active else None


def closed_months(path: str, since: datetime.date) -> set[datetime.date]:
    """The months from ``since`` on that the branch at ``path`` has published or locked."""
    rows = MonthCycle.objects.filter(org_path=path, month__gte=since).exclude(status=CycleStatus.OPEN)
    return set(rows.values_list("month", flat=True))


def booking_month(path: str, month: datetime.date) -> datetime.date:
    """``month`` if the branch's month is still open, else the first open month after it."""
    closed = closed_months(path, month)
    while month in closed:
        month = next_month(month)
    return month


def is_live(entries):
    """Entries that are not reversals and have not been reversed."""
    return entries.filter(reversal_of__isnull=True, reversal__isnull=True)


def source_rows(source: str, *, lock: bool = False) -> list[PointEntry]:
    """Every entry of one source (a handful), read by the source index, oldest first."""
    rows = PointEntry.objects.filter(source=source)
    if lock:
        rows = rows.select_for_update(of=("self",))
    return list(rows.order_by("id"))


def live_among(rows: list[PointEntry], kind: str | None = None) -> list[PointEntry]:
    """The live entries among one source's ``rows``: not reversals, not reversed."""
    reversed_ids = {row.reversal_of_id for row in rows if row.reversal_of_id is not None}
    return [
        row for row in rows
        if row.reversal_of_id is None and row.pk not in reversed_ids and (kind is None or row.kind == kind)
    ]  # fmt: skip


def live_of_source(source: str, kind: str | None = None, *, lock: bool = False) -> list[PointEntry]:
    """The live entries of one source: its rows read by the source index (a handful), the rest decided here.
    In SQL the "not a reversal" test led SQLite without statistics to the reversal index, that is to every
    original entry of the ledger, on every achievement offered."""
    return live_among(source_rows(source, lock=lock), kind)


def used_points(person_id: int, rule: Rule, start: datetime.date, end: datetime.date) -> Decimal:
    """The absolute points ``person`` has from ``rule`` in the months [start, end) (reversals included)."""
    rows = PointEntry.objects.filter(person_id=person_id, rule=rule, month__gte=start, month__lt=end)
    return abs(rows.aggregate(total=Sum("points"))["total"] or ZERO)


def capped(person_id: int, version: RuleVersion, month: datetime.date, points: Decimal) -> Decimal:
    """``points`` cut to what the caps of ``version`` still leave ``person`` in ``month`` (and its year)."""
    amount = abs(points)
    if version.cap_month is not None:
        amount = min(
            amount, max(ZERO, version.cap_month - used_points(person_id, version.rule, month, next_month(month)))
        )
    if version.cap_year is not None:
        start = month.replace(month=1)
        left = version.cap_year - used_points(person_id, version.rule, start, start.replace(year=start.year + 1))
        amount = min(amount, max(ZERO, left))
    return amount if points >= 0 else -amount


# --- the roll-up ----------------------------------------------------------------------------------------------


def _add_to_score(entry: PointEntry) -> None:
    """Move the entry's month row: one UPDATE when the row exists (it locks the row, as a SELECT … FOR UPDATE
    would), else an INSERT of the first entry's figures (a row inserted meanwhile by another transaction is
    then updated)."""
    row = MonthlyScore.objects.filter(person_id=entry.person_id, month=entry.month)
    moved = {"points": F("points") + entry.points, "entries": F("entries") + 1, "org_path": entry.org_path}
    tallies.adjust(entry_counts([entry]))  # the dashboards' monthly points of the branch and above
    if row.update(**moved):
        return
    try:
        with transaction.atomic():
            MonthlyScore.objects.create(person_id=entry.person_id, month=entry.month, org_path=entry.org_path,
                                        points=entry.points, entries=1)  # fmt: skip
    except IntegrityError:
        row.update(**moved)


def append(entry: PointEntry, actor: Actor = None) -> PointEntry:
    """Save a new ledger entry and move its month's roll-up (the one way an entry is written one by one)."""
    settle()  # a bulk block's kept moves first: the month's row then ends on this entry's path
    entry.created_by = by(actor)
    entry.save()
    _add_to_score(entry)
    return entry


def reverse_entry(entry: PointEntry, *, reason: str, actor: Actor = None) -> PointEntry:
    """Append the entry cancelling ``entry`` (booked in its month, or the first open month after it)."""
    reversal = PointEntry(
        person_id=entry.person_id, org_path=entry.org_path, month=booking_month(entry.org_path, entry.month),
        occurred_on=entry.occurred_on, rule_id=entry.rule_id, version_id=entry.version_id, kind=entry.kind,
        source=entry.source, generation=entry.generation, quantity=entry.quantity, points=-entry.points,
        reversal_of=entry, reason=reason[:200],
    )  # fmt: skip
    append(reversal, actor)
    record_change(actor, reversal, ChangeLog.Action.CREATE, org_path=entry.org_path,
                  after={"reversal_of": entry.pk, "points": str(reversal.points),
                         "reason": reversal.reason})  # fmt: skip
    return reversal


def _generation(source: str, rule_id: int, rows: list[PointEntry] | None = None) -> int:
    """How many times ``source`` was booked under the rule before (reversals are not bookings); ``rows``: the
    source's entries when the caller has read them."""
    pairs = (
        [(row.rule_id, row.reversal_of_id) for row in rows] if rows is not None
        else PointEntry.objects.filter(source=source).values_list("rule_id", "reversal_of_id")
    )  # fmt: skip
    return sum(1 for rule, reversal_of in pairs if rule == rule_id and reversal_of is None)


def book(
    *,
    person_id: int,
    path: str,
    occurred_on: datetime.date,
    version: RuleVersion,
    kind: str,
    source: str,
    quantity: Decimal,
    points: Decimal | None = None,
    reason: str = "",
    actor: Actor = None,
    month: datetime.date | None = None,
    rows: list[PointEntry] | None = None,
) -> PointEntry:
    """Append the entry of ``source`` under ``version``'s rule (``points``: a reviewed claim's amount, else
    the rule's points × quantity within its caps; ``month``: the booking month when the caller has it;
    ``rows``: the source's entries, when the caller has read them)."""
    month = month or booking_month(path, month_of(occurred_on))
    earned = (version.points * quantity).quantize(CENT, ROUND_HALF_UP)
    amount = points if points is not None else capped(person_id, version, month, earned)
    entry = PointEntry(
        person_id=person_id, org_path=path, month=month, occurred_on=occurred_on, rule_id=version.rule_id,
        version=version, kind=kind, source=source, generation=_generation(source, version.rule_id, rows),
        quantity=quantity, points=amount, reason=reason[:200],
    )  # fmt: skip
    return append(entry, actor)


# --- the receiver (core.achievements) -------------------------------------------------------------------------


def receive(achievement: Achievement) -> None:
    """An achievement offered: one entry per rule earned by its kind in the branch's rules; offering the
    same source again changes nothing, unless the record changed (person, date, quantity): then the old
    entries are reversed and new ones booked."""
    path = achievement.org_path
    if not path:
        return
    rule_set = rule_set_at(path)
    if rule_set is None:
        return
    quantity = Decimal(achievement.quantity)
    month = booking_month(path, month_of(achievement.occurred_on))
    earning = [v for v in versions_in_force(rule_set, month) if v.source == achievement.kind]
    rows = source_rows(achievement.source, lock=True)
    live = {e.rule_id: e for e in live_among(rows, achievement.kind)}
    for version in earning:
        entry = live.pop(version.rule_id, None)
        if entry is not None:
            same = (entry.person_id, entry.org_path, entry.occurred_on, entry.quantity, entry.version_id) == (
                achievement.person_id, path, achievement.occurred_on, quantity, version.pk)  # fmt: skip
            if same:
                continue
            reverse_entry(entry, reason="corrected at source")
        book(person_id=achievement.person_id, path=path, occurred_on=achievement.occurred_on, version=version,
             kind=achievement.kind, source=achievement.source, quantity=quantity, month=month, rows=rows)  # fmt: skip
    for entry in live.values():  # earned before under a rule that no longer pays for it
        reverse_entry(entry, reason="corrected at source")


def receive_many(achievements: list[Achievement]) -> None:
    """A batch offered at once (a meeting's attendance), in a fixed number of queries whatever its size: the
    same entries as :func:`receive` one by one. Achievements whose source the ledger has seen before with the
    same kind (a re-offer, a correction) or whose source is named twice in the batch go through :func:`receive`
    each, after the others. A source seen before under another kind only (a volunteer's hours after her
    check-in's participation) is booked here, its generation counted from the source's rows as ``receive``
    counts it."""
    items = [a for a in achievements if a.org_path]
    if not items:
        return
    sources = [a.source for a in items]
    known = list(
        PointEntry.objects.select_for_update()
        .filter(source__in=set(sources))
        .values_list("source", "kind", "rule_id", "reversal_of_id")
    )
    seen_kinds = {(source, kind) for source, kind, _rule, _reversal in known}
    bookings: Counter[tuple[str, int]] = Counter(
        (source, rule) for source, _kind, rule, reversal_of in known if reversal_of is None
    )  # _generation's count, per source and rule
    twice = {source for source, n in Counter(sources).items() if n > 1}  # offered twice in one batch: one by one
    seen = {a.source for a in items if a.source in twice or (a.source, a.kind) in seen_kinds}
    fresh = [a for a in items if a.source not in seen]
    paths = sorted({a.org_path for a in fresh})
    branches = (
        Organization.objects.only("id", "path", "kind").in_bulk([path_ids(p)[-1] for p in paths]) if paths else {}
    )
    audiences = {p: audience_of(branches[path_ids(p)[-1]]) for p in paths}
    every_prefix = {prefix for p in paths for prefix in prefixes(p)}
    sets = list(RuleSet.objects.filter(org_path__in=every_prefix)) if paths else []
    nearest: dict[str, RuleSet | None] = {}
    for p in paths:
        mine = [rs for rs in sets if rs.audience == audiences[p] and p.startswith(rs.org_path)]
        nearest[p] = max(mine, key=lambda rs: len(rs.org_path)) if mine else None
    first = min((month_of(a.occurred_on) for a in fresh), default=None)
    closed: dict[str, set[datetime.date]] = {p: set() for p in paths}
    if first is not None:
        cycles = MonthCycle.objects.filter(org_path__in=paths, month__gte=first).exclude(status=CycleStatus.OPEN)
        for path, month in cycles.values_list("org_path", "month"):
            closed[path].add(month)
    versions = list(
        RuleVersion.objects.filter(rule__rule_set__in=[rs for rs in nearest.values() if rs]).select_related("rule")
    )

    def booked(path: str, month: datetime.date) -> datetime.date:
        while month in closed[path]:
            month = next_month(month)
        return month

    newest_first = sorted(versions, key=lambda v: v.valid_from, reverse=True)
    in_force_memo: dict[tuple[int, datetime.date], list[RuleVersion]] = {}

    def in_force(rule_set: RuleSet, month: datetime.date) -> list[RuleVersion]:
        key = (rule_set.pk, month)
        if key not in in_force_memo:
            current: dict[int, RuleVersion] = {}
            for v in newest_first:
                if v.rule.rule_set_id == rule_set.pk and v.valid_from <= month:
                    current.setdefault(v.rule_id, v)
            in_force_memo[key] = [v for v in current.values() if v.active]
        return in_force_memo[key]

    plan = []  # (achievement, month, version)
    for a in fresh:
        rule_set = nearest[a.org_path]
        if rule_set is None:
            continue
        month = booked(a.org_path, month_of(a.occurred_on))
        plan += [(a, month, v) for v in in_force(rule_set, month) if v.source == a.kind]
    # Points already used under each capped rule, per person and month and per person and year: running totals
    # (a lookup each, so a batch of 100,000 costs the same per entry as a batch of ten).
    month_used: dict[tuple[int, int, datetime.date], Decimal] = {}
    year_used: dict[tuple[int, int, int], Decimal] = {}
    capped_rules = {v.rule_id for _a, _m, v in plan if v.cap_month is not None or v.cap_year is not None}
    if capped_rules:
        start = min(m for _a, m, _v in plan).replace(month=1, day=1)
        # By person and month only (the person × month index): with the rules in the filter too, SQLite without
        # statistics searched the rule's index, every entry of the rule, for each batch (quadratic over a month
        # of a district's meetings). The other rules' sums are dropped here.
        used = PointEntry.objects.filter(person_id__in={a.person_id for a, _m, _v in plan}, month__gte=start)
        for row in used.values("person_id", "rule_id", "month").annotate(total=Sum("points")):
            person_id, rule_id, month = row["person_id"], row["rule_id"], row["month"]
            if rule_id not in capped_rules:
                continue
            month_used[(person_id, rule_id, month)] = row["total"]
            year_key = (person_id, rule_id, month.year)
            year_used[year_key] = year_used.get(year_key, ZERO) + row["total"]

    rows: list[tuple] = []  # ENTRY_FIELDS: tuples, not model instances (a million of them at 10× the demo)
    moves: dict[tuple[int, datetime.date], list] = {}  # (person, month) → [points added, entries added, path]
    counts: Counter[tallies.Key] = Counter()  # the points tally (points.tallies.entry_counts, in hundredths)
    buckets: dict[datetime.date, str] = {}
    now = timezone.now()
    for a, month, version in plan:
        quantity = Decimal(a.quantity)
        points = (version.points * quantity).quantize(CENT, ROUND_HALF_UP)
        amount = abs(points)
        month_key = (a.person_id, version.rule_id, month)
        year_key = (a.person_id, version.rule_id, month.year)
        if version.cap_month is not None:
            amount = min(amount, max(ZERO, version.cap_month - abs(month_used.get(month_key, ZERO))))
        if version.cap_year is not None:
            amount = min(amount, max(ZERO, version.cap_year - abs(year_used.get(year_key, ZERO))))
        amount = amount if points >= 0 else -amount
        if version.rule_id in capped_rules:
            month_used[month_key] = month_used.get(month_key, ZERO) + amount
            year_used[year_key] = year_used.get(year_key, ZERO) + amount
        rows.append((
            a.person_id, a.org_path, month, a.occurred_on, version.rule_id, version.pk, a.kind, a.source,
            bookings[(a.source, version.rule_id)], quantity, amount, None, "", None, now,
        ))  # fmt: skip
        _add_move(moves, (a.person_id, month), amount, 1, a.org_path)
        bucket = buckets.get(month)
        if bucket is None:
            bucket = buckets[month] = f"{month:%Y%m}"
        counts[(a.org_path, "points", bucket)] += int(amount * 100)
    if rows:
        bulkload.insert_rows(PointEntry, ENTRY_FIELDS, rows)  # COPY on PostgreSQL: the ids are not read back
        if in_bulk():
            _keep_for_settling(moves, counts)
        else:
            _add_many_to_scores(moves, counts)
    for a in items:
        if a.source in seen:
            receive(a)


# A new entry's fields as receive_many writes them (bulkload.insert_rows: no defaults applied, every one named).
ENTRY_FIELDS = (
    "person", "org_path", "month", "occurred_on", "rule", "version", "kind", "source", "generation", "quantity",
    "points", "reversal_of", "reason", "created_by", "created_at",
)  # fmt: skip


def _add_many_to_scores(moves: dict[tuple[int, datetime.date], list], counts: Counter[tallies.Key]) -> None:
    """Move the roll-ups of a batch of new entries (``moves``: (person, month) → [points added, entries added,
    the latest entry's path]; ``counts``: the points tally's changes): make the missing rows, lock them all in
    order, then one UPDATE per 500 rows moved (``_move_scores``)."""
    keys = sorted(moves)
    tallies.adjust(counts)
    MonthlyScore.objects.bulk_create(
        [MonthlyScore(person_id=p, month=m, org_path="") for p, m in keys], ignore_conflicts=True
    )
    persons = {p for p, _m in keys}
    months = {m for _p, m in keys}
    rows = (
        MonthlyScore.objects.select_for_update()
        .filter(person_id__in=persons, month__in=months)
        .order_by("person_id", "month")
    )
    ids = dict(((p, m), pk) for pk, p, m in rows.values_list("pk", "person_id", "month"))
    # One UPDATE joining the moves as a VALUES list per 500 rows: neither bulk_update's CASE over every row (44 of
    # the 64 s a 20,000-entry batch took) nor one UPDATE per distinct move (a volunteer day's hours move each
    # member differently: 7,000 statements for 17,700 entries, 12 of the 25 s the batch took).
    _move_scores([(ids[key], points, n, path) for key, (points, n, path) in sorted(moves.items())])


# --- the load's deferred roll-ups (core.achievements.delivered_in_bulk: seed_demo) ------------------------------

_kept = threading.local()  # .moves, .counts: what the batches of the current bulk block moved, not yet written


def _add_move(moves: dict[tuple[int, datetime.date], list], key: tuple[int, datetime.date], points: Decimal, n: int,
              path: str) -> None:  # fmt: skip
    """Add ``points`` over ``n`` entries to the move of ``key`` (person, month); its path becomes ``path`` (the
    latest entry's)."""
    move = moves.get(key)
    if move is None:
        moves[key] = [points, n, path]
    else:
        move[0] += points
        move[1] += n
        move[2] = path


def _keep_for_settling(moves: dict[tuple[int, datetime.date], list], counts: Counter[tallies.Key]) -> None:
    """In a bulk block: add a batch's moves to those kept until the block ends (``settle``)."""
    kept = getattr(_kept, "moves", None)
    if kept is None:
        kept = _kept.moves = {}
        _kept.counts = Counter()
    for key, (points, n, path) in moves.items():  # in the batch's order: the latest path wins, as in the UPDATE
        _add_move(kept, key, points, n, path)
    _kept.counts.update(counts)


def settle(keep: bool = True) -> None:
    """The end of a bulk block (``core.achievements`` calls it): write the monthly scores and the points tally the
    block's batches moved (``keep``), or drop them (the block raised: its transaction rolls back). Also called
    before any entry is written one by one (``append``), so that the scores move in the entries' order."""
    moves = getattr(_kept, "moves", None)
    counts = getattr(_kept, "counts", None)
    _kept.moves = _kept.counts = None
    if not keep or not moves:
        return
    tallies.adjust(counts or {})
    _upsert_scores(moves)


def _upsert_scores(moves: dict[tuple[int, datetime.date], list]) -> None:
    """Add each move to its MonthlyScore row, made if missing, and set the row's path: one ``INSERT … ON CONFLICT
    DO UPDATE`` over a temporary table filled by COPY on PostgreSQL, an executemany of it on SQLite."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(MonthlyScore._meta.db_table)
    person, month, org_path, points, entries = (
        quote(name) for name in ("person_id", "month", "org_path", "points", "entries")
    )
    columns = f"{person}, {month}, {org_path}, {points}, {entries}"
    update = (
        f"ON CONFLICT ({person}, {month}) DO UPDATE SET {points} = {table}.{points} + excluded.{points}, "
        f"{entries} = {table}.{entries} + excluded.{entries}, {org_path} = excluded.{org_path}"
    )
    rows = [(p, m, path, total, n) for (p, m), (total, n, path) in sorted(moves.items())]  # rows locked in order
    # The names are the model's own (quoted); the values are data (COPY) or parameters.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            bulkload.temporary_table(
                "points_score_moves",
                "person_id bigint, month date, org_path varchar(255), points numeric(10, 2), entries integer",
                rows,
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT person_id, month, org_path, points, entries "  # noqa: S608
                f"FROM points_score_moves ORDER BY person_id, month {update}"
            )
            cursor.execute("DROP TABLE points_score_moves")
        else:
            ops = connection.ops
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s) {update}",  # noqa: S608
                [(p, ops.adapt_datefield_value(m), path, ops.adapt_decimalfield_value(total, 10, 2), n)
                 for p, m, path, total, n in rows],
            )  # fmt: skip


SCORE_MOVES_PER_UPDATE = 500


def _move_scores(moves: list[tuple[int, Decimal, int, str]]) -> None:
    """Add (points, entries) to each MonthlyScore row by id and set its org_path: ``UPDATE … FROM (VALUES …)``
    (PostgreSQL; SQLite since 3.33), the rows already locked by the caller."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(MonthlyScore._meta.db_table)
    points, entries, org_path, pk = (quote(name) for name in ("points", "entries", "org_path", "id"))
    for start in range(0, len(moves), SCORE_MOVES_PER_UPDATE):
        chunk = moves[start : start + SCORE_MOVES_PER_UPDATE]
        values = ", ".join(["(CAST(%s AS bigint), CAST(%s AS numeric), CAST(%s AS integer), %s)"] * len(chunk))
        params = [value for row in chunk for value in row]
        # The names are the model's own (quoted); the values are parameters.
        if connection.vendor == "postgresql":
            sql = (
                f"UPDATE {table} AS s SET {points} = s.{points} + v.points, {entries} = s.{entries} + v.n, "  # noqa: S608
                f"{org_path} = v.path FROM (VALUES {values}) AS v(id, points, n, path) WHERE s.{pk} = v.id"
            )
        else:  # SQLite names a VALUES list's columns column1, column2, …
            sql = (
                f"UPDATE {table} SET {points} = {points} + v.column2, {entries} = {entries} + v.column3, "  # noqa: S608
                f"{org_path} = v.column4 FROM (VALUES {values}) AS v WHERE {table}.{pk} = v.column1"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def take_back(kind: str, source: str) -> None:
    """An achievement withdrawn: every live entry of its source reversed."""
    for entry in live_of_source(source, kind, lock=True):
        reverse_entry(entry, reason="withdrawn at source")


# --- recomputing the roll-ups ----------------------------------------------------------------------------------


def scores_from_ledger(
    person_ids: Iterable[int] | None = None, month: datetime.date | None = None
) -> dict[tuple[int, datetime.date], tuple[Decimal, int, str]]:
    """``{(person, month): (points, entries, org_path of the latest entry)}`` summed from the ledger (of one
    ``month`` when given)."""
    rows = PointEntry.objects.all()
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    if month is not None:
        rows = rows.filter(month=month)
    # One GROUP BY: per person, month and branch path (a member moved within the month has two groups); the
    # path of the group holding the latest entry is the row's path.
    # (One month: the month is not read back, 130,000 dates fewer to convert at 10× the demo district.)
    columns = ("person_id", "org_path") if month is not None else ("person_id", "org_path", "month")
    groups = rows.values_list(*columns).annotate(total=Sum("points"), n=Count("id"), last=Max("id"))
    found: dict[tuple[int, datetime.date], tuple[Decimal, int, str]] = {}
    latest: dict[tuple[int, datetime.date], int] = {}
    for row in groups.order_by():
        person_id, path, month_, total, n, last = row if month is None else (row[0], row[1], month, *row[2:])
        key = (person_id, month_)
        if key in found:
            before_total, before_n, before_path = found[key]
            path = path if last > latest[key] else before_path
            total, n = before_total + total, before_n + n
        found[key] = (total, n, path)
        latest[key] = max(last, latest.get(key, 0))
    return found


def kept_scores(
    person_ids: Iterable[int] | None = None, month: datetime.date | None = None
) -> dict[tuple[int, datetime.date], tuple[Decimal, int, str]]:
    rows = MonthlyScore.objects.all()
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    if month is not None:
        rows = rows.filter(month=month)
    return {(s.person_id, s.month): (s.points, s.entries, s.org_path) for s in rows}


@transaction.atomic
def recompute_scores(actor: Actor = None) -> int:
    """Rebuild every MonthlyScore row from the ledger (the table locked first); returns how many differed."""
    list(MonthlyScore.objects.select_for_update().values_list("pk", flat=True))
    want = scores_from_ledger()
    have = kept_scores()
    differing = {key for key in set(want) | set(have) if want.get(key) != have.get(key)}
    for person_id, month in sorted(differing):
        before = have.get((person_id, month))
        if (person_id, month) in want:
            points, n, path = want[(person_id, month)]
            score, _created = MonthlyScore.objects.update_or_create(
                person_id=person_id, month=month, defaults={"points": points, "entries": n, "org_path": path}
            )
            record_change(actor, score, ChangeLog.Action.UPDATE, org_path=path,
                          before={"points": str(before[0]) if before else None},
                          after={"points": str(points)})  # fmt: skip
        else:
            score = MonthlyScore.objects.get(person_id=person_id, month=month)
            record_change(actor, score, ChangeLog.Action.DELETE, org_path=score.org_path)
            score.delete()
    return len(differing)


def live_entries(source: str) -> list[PointEntry]:
    return live_of_source(source)
