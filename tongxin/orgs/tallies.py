"""Tallies: the roll-up figures of every organisation's subtree (``orgs.models.Tally``), for dashboards.

A figure is counted where it happens (a member at her branch, a volunteer's minutes at the activity's
organisation) and added to that organisation and all its ancestors in the same statement, inside the
service's transaction: ``adjust({(path, facet, bucket): delta})``. Dashboards read one organisation's rows
(a few hundred whatever the size of its subtree) instead of counting the roster.

Each app that counts something registers a *source* in its ``AppConfig.ready()``: the facets it owns and a
function giving the direct counts from its records, ``(organisation id, facet, bucket, count)``.
``rebuild()`` recomputes every row from the sources (``manage.py rebuild_rollups``); ``expected()`` gives
what a rebuild would write without writing, which the property-based test compares with the rows kept.

Facets (bucket in brackets; months as YYYYMM):
- people: ``status`` [membership status, everyone placed in a branch]; for active members only: ``sex``,
  ``political_status``, ``ethnicity``, ``education`` ["" when unknown], ``occupation``, ``birth_month``
  (ages are derived from it when read: they change every day with no event).
- orgs: ``org_kind``, ``org_category`` [active organisations, the organisation itself included].
- orglife: ``meetings_held`` [YYYYMM of the meeting's date], ``meetings_done`` [the compliance board's done cells:
  ``YYYY|<frequency><n>|<meeting kind>|<organisation kind>``]; lifecycle: ``dues_cents`` [YYYYMM paid, in fen],
  ``transfers_open`` and ``recruitments_open`` [""]; activities: ``volunteer_minutes`` [YYYYMM of the activity],
  ``wishes_fulfilled`` [YYYYMM fulfilled]; venues: ``bookings`` [YYYYMM of the day booked], ``honours`` [YYYYMM
  recorded]. Each app's ``tallies`` module says which services keep them (``registered_facets()`` lists all).

``month`` and ``by_month`` give a record's month bucket the same way in a service (Python) and in a source's
``direct()`` (grouped in SQL): a moment's month in local time.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from tongxin.core import bulkload
from tongxin.orgs.models import STEP_WIDTH, Organization, OrgStatus, Tally, path_ids

# (path of the organisation where the thing is counted, facet, bucket)
Key = tuple[str, str, str]
# (organisation id, facet, bucket) -> count
Rows = dict[tuple[int, str, str], int]

UPSERT_ROWS = 200  # rows per INSERT … ON CONFLICT statement (4 parameters each)


@dataclass(frozen=True)
class Source:
    name: str
    facets: frozenset[str]
    # Direct counts from the records: (organisation id where counted, facet, bucket, count).
    count: Callable[[], Iterable[tuple[int, str, str, int]]]
    # What one organisation itself adds that depends on its kind or status, as it is in memory (None: nothing).
    own: Callable[[Organization], Counter[Key]] | None = None


@dataclass(frozen=True)
class Monthly:
    """A facet counted per month (bucket YYYYMM) that dashboards draw as a trend: its label and unit."""

    facet: str
    label: Any
    unit: Any = ""
    order: int = 100
    # The tallies hold whole numbers (fen, minutes): a trend shows count / divide in ``unit`` (yuan, hours).
    divide: int = 1


_SOURCES: dict[str, Source] = {}
_MONTHLY: dict[str, Monthly] = {}


def register_source(name: str, facets: Iterable[str], count: Callable[[], Iterable[tuple[int, str, str, int]]],
                    *, monthly: Iterable[Monthly] = (),
                    own: Callable[[Organization], Counter[Key]] | None = None) -> None:  # fmt: skip
    """Declare the facets an app keeps and how to count them from scratch (called from ``ready()``);
    ``monthly``: those of its facets counted per month, for the dashboards' trends; ``own``: what an organisation
    adds by its own kind or status (the organisations' service moves it when either changes)."""
    facets = frozenset(facets)
    for other in _SOURCES.values():
        if other.name != name and other.facets & facets:
            raise ValueError(f"tally facets {sorted(other.facets & facets)} are already kept by {other.name}")
    _SOURCES[name] = Source(name, facets, count, own)
    for item in monthly:
        if item.facet not in facets:
            raise ValueError(f"{name}: the monthly facet {item.facet!r} is not one of its facets")
        _MONTHLY[item.facet] = item


def monthly_facets() -> list[Monthly]:
    return sorted(_MONTHLY.values(), key=lambda item: (item.order, item.facet))


def registered_facets() -> dict[str, frozenset[str]]:
    return {source.name: source.facets for source in _SOURCES.values()}


def month(value: datetime.date | datetime.datetime) -> str:
    """The YYYYMM bucket of a day, or of a moment in local time (as ``by_month`` groups in SQL)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%Y%m}"


def by_month(rows: QuerySet[Any], where: str, when: str, total: str | None = None) -> Iterable[tuple[Any, str, Any]]:
    """For a source's ``direct()``: ``(where, YYYYMM, count)`` of ``rows`` grouped in SQL by the field ``where``
    (an organisation id or path) and the month of ``when`` (a moment's month in local time, as ``month``);
    ``total``: sum that field instead of counting rows."""
    grouped = rows.order_by().annotate(tally_y=ExtractYear(when), tally_m=ExtractMonth(when))
    measure = Sum(total) if total else Count("pk")
    for place, year, number, n in grouped.values_list(where, "tally_y", "tally_m").annotate(tally_n=measure):
        if year is not None and n:
            yield place, f"{year:04d}{number:02d}", n


def difference(before: Mapping[Key, int], after: Mapping[Key, int]) -> dict[Key, int]:
    """The changes that turn ``before`` into ``after`` (both ``{key: count}``), zeros left out."""
    changes: dict[Key, int] = defaultdict(int)
    for key, count in after.items():
        changes[key] += count
    for key, count in before.items():
        changes[key] -= count
    return {key: delta for key, delta in changes.items() if delta}


def adjust(changes: Mapping[Key, int]) -> None:
    """Add each change to the organisation at its path and to every ancestor (one statement per 200 rows).

    Runs in the caller's transaction. Rows are written in (organisation, facet, bucket) order, so two
    transactions touching the same rows take their locks in the same order and one waits for the other."""
    rows: Rows = defaultdict(int)
    for (path, facet, bucket), delta in changes.items():
        if delta and path:
            for pk in path_ids(path):
                rows[(pk, facet, bucket)] += delta
    _add(rows)


def _add(rows: Mapping[tuple[int, str, str], int]) -> None:
    items = sorted((key, delta) for key, delta in rows.items() if delta)
    if not items:
        return
    longest = Tally._meta.get_field("bucket").max_length or 0
    too_long = [bucket for (_pk, _facet, bucket), _delta in items if len(bucket) > longest]
    if too_long:  # SQLite would store it; PostgreSQL refuses it: a programming error, caught on both
        raise ValueError(f"tally buckets longer than {longest} characters: {too_long[:3]}")
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(Tally._meta.db_table)
    count = quote("count")
    for start in range(0, len(items), UPSERT_ROWS):
        chunk = items[start : start + UPSERT_ROWS]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        params = [value for (pk, facet, bucket), delta in chunk for value in (pk, facet, bucket, delta)]
        # The same statement on PostgreSQL and SQLite (≥ 3.24): a missing row is made, a present one grows.
        sql = (
            f"INSERT INTO {table} (organization_id, facet, bucket, {count}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (organization_id, facet, bucket) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def move_subtree(org_id: int, old_parent_path: str, new_parent_path: str) -> None:
    """An organisation moved: its subtree's figures leave the old ancestors and join the new ones."""
    own = list(Tally.objects.filter(organization_id=org_id).exclude(count=0).values_list("facet", "bucket", "count"))
    rows: Rows = defaultdict(int)
    for facet, bucket, count in own:
        for pk in path_ids(old_parent_path):
            rows[(pk, facet, bucket)] -= count
        for pk in path_ids(new_parent_path):
            rows[(pk, facet, bucket)] += count
    _add(rows)


# --- the organisations' own facets ------------------------------------------------------------------------------

ORG_FACETS = ("org_kind", "org_category")


def org_counts(org: Organization, *, own: bool = False) -> Counter[Key]:
    """What one organisation adds to its own and its ancestors' figures (nothing once dissolved); ``own``: with
    what the other sources count by its kind and status (``Source.own``; a new organisation has none yet)."""
    if org.status != OrgStatus.ACTIVE or not org.path or org.path.startswith("~"):
        counts: Counter[Key] = Counter()
    else:
        counts = Counter({(org.path, "org_kind", org.kind): 1, (org.path, "org_category", org.category): 1})
    if own and org.pk:
        for source in _SOURCES.values():
            if source.own is not None:
                counts += source.own(org)
    return counts


def org_direct() -> Iterable[tuple[int, str, str, int]]:
    rows = Organization.objects.filter(status=OrgStatus.ACTIVE).values_list("pk", "kind", "category")
    for pk, kind, category in rows.iterator(chunk_size=5000):
        yield pk, "org_kind", kind, 1
        yield pk, "org_category", category, 1


def _roll_up(direct: Iterable[tuple[int, str, str, int]], paths: Mapping[int, str]) -> Rows:
    rows: Rows = defaultdict(int)
    for org_id, facet, bucket, count in direct:
        if not count or org_id not in paths:
            continue
        for pk in path_ids(paths[org_id]):
            rows[(pk, facet, bucket)] += count
    return {key: count for key, count in rows.items() if count}


def _chosen(names: Iterable[str] | None) -> list[Source]:
    """The named sources, or every source registered."""
    return [_SOURCES[name] for name in names] if names is not None else list(_SOURCES.values())


def _facets_of(names: Iterable[str] | None) -> list[str]:
    return sorted(set().union(*(source.facets for source in _chosen(names))))


def expected(names: Iterable[str] | None = None) -> Rows:
    """What ``rebuild(names)`` would write: every source's direct counts rolled up the tree (nothing written)."""
    paths = dict(Organization.objects.values_list("pk", "path"))
    rows: Rows = {}
    for source in _chosen(names):
        rows.update(_roll_up(source.count(), paths))
    return rows


def kept(names: Iterable[str] | None = None) -> Rows:
    """The rows as kept (non-zero), for the same facets."""
    facets = _facets_of(names)
    rows = Tally.objects.filter(facet__in=facets).exclude(count=0)
    return {(pk, facet, bucket): count for pk, facet, bucket, count in rows.values_list(
        "organization_id", "facet", "bucket", "count")}  # fmt: skip


def rebuild(names: Iterable[str] | None = None) -> int:
    """Recompute the rows of the named sources (all by default) from their records; returns rows written.

    One transaction that first locks the table on PostgreSQL: writers wait, so each change is either counted
    here or applied after the rebuild. On PostgreSQL the roll-up up the tree is one ``INSERT … SELECT … GROUP
    BY`` over the direct counts (``_rebuild_in_sql``); elsewhere it is ``expected()``'s, in Python."""
    chosen = [source.name for source in _chosen(names)]
    facets = _facets_of(chosen)
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Tally._meta.db_table)} IN EXCLUSIVE MODE")
            Tally.objects.filter(facet__in=facets).delete()
            return _rebuild_in_sql(chosen)
        rows = expected(chosen)
        Tally.objects.filter(facet__in=facets).delete()
        made = [Tally(organization_id=pk, facet=facet, bucket=bucket, count=count)
                for (pk, facet, bucket), count in rows.items()]  # fmt: skip
        bulkload.insert_objects(Tally, made, batch_size=2000)
    return len(rows)


def _rebuild_in_sql(names: Iterable[str]) -> int:
    """``rebuild``'s writing on PostgreSQL: the sources' direct counts streamed with COPY into a temporary table,
    then added to each organisation on the counting one's path (its ancestors and itself: the path's 8-digit
    steps) and written in one ``INSERT … SELECT … GROUP BY``, the rows summing to zero left out, as ``expected()``
    leaves them out. The Python roll-up of the 10× demo built a million keys and as many model instances."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    tally, organization = quote(Tally._meta.db_table), quote(Organization._meta.db_table)
    path, pk, count = quote("path"), quote("id"), quote("count")
    bulkload.temporary_table("orgs_tally_direct", "org_id bigint, facet text, bucket text, n bigint")
    for source in _chosen(names):
        # Read whole before the COPY: a source's counts come from queries on this connection, which waits for
        # the end of a COPY under way.
        bulkload.copy_rows("orgs_tally_direct", "", [row for row in source.count() if row[3]])
    with connection.cursor() as cursor:
        # The names are the models' own (quoted); the rows are the sources' counts. An organisation the counts
        # name but the table lacks is skipped (the join), as _roll_up skips it.
        cursor.execute(
            f"INSERT INTO {tally} (organization_id, facet, bucket, {count}) "  # noqa: S608
            f"SELECT CAST(substr(o.{path}, {STEP_WIDTH} * k - {STEP_WIDTH - 1}, {STEP_WIDTH}) AS bigint), d.facet, "
            f"d.bucket, sum(d.n) FROM orgs_tally_direct d JOIN {organization} o ON o.{pk} = d.org_id "
            f"CROSS JOIN LATERAL generate_series(1, length(o.{path}) / {STEP_WIDTH}) AS k "
            "GROUP BY 1, 2, 3 HAVING sum(d.n) <> 0"
        )
        written = cursor.rowcount
        cursor.execute("DROP TABLE orgs_tally_direct")
    return written


def figures(org_id: int, facets: Iterable[str] | None = None) -> dict[str, Counter[str]]:
    """One organisation's figures for its whole subtree: ``{facet: Counter({bucket: count})}`` (one query)."""
    rows = Tally.objects.filter(organization_id=org_id).exclude(count=0)
    if facets is not None:
        rows = rows.filter(facet__in=list(facets))
    result: dict[str, Counter[str]] = defaultdict(Counter)
    for facet, bucket, count in rows.values_list("facet", "bucket", "count"):
        result[facet][bucket] = count
    return result


def figures_of_many(org_ids: Iterable[int], facets: Iterable[str]) -> dict[int, dict[str, Counter[str]]]:
    """The same for several organisations at once (a drill-down's children): one query."""
    rows = Tally.objects.filter(organization_id__in=list(org_ids), facet__in=list(facets)).exclude(count=0)
    result: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for pk, facet, bucket, count in rows.values_list("organization_id", "facet", "bucket", "count"):
        result[pk][facet][bucket] = count
    return result
