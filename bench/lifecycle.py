"""Lifecycle benchmark: an age-out batch of a whole district, and 1,000 transfers, at 10× the demo district.

In a FRESH copy of the seeded 10× database (~134,000 people; the seeded one stays reusable), as the
district admin (``district``, admin of the root):

    age-out    the members due in the whole district on a day a year after today (the demo's members
               are at most 27 today, so that is the yearly batch: everyone who reaches 28 within the year,
               less the cadres): the candidates query (``age_out_candidates``, ids only; median of --runs),
               the per-branch counts of the yearly command (``age_out_counts``), then ONE
               ``confirm_age_out`` of all of them: wall time and queries issued. Baseline: a bare UPDATE
               of the same rows' status (rolled back), the least any batch write could cost.
    transfers  1,000 transfers of members picked at random to another league branch picked at random,
               each started (as the receiving side), approved out and accepted in, one after the other:
               median / min / max of the whole cycle per transfer, queries per transfer. Baseline: moving
               --baseline-moves other members with the roster's own edit (``update_person`` with a new
               branch), one step instead of three.
               Written against ``tongxin.lifecycle.services.transfers`` (start_transfer, approve_out,
               accept_in); while that module is missing it prints "transfers: not available yet".

Each part runs in its own subprocess (settings are per process): first the seeding (when missing, shared
with bench/roster.py), then the run in the copy, which is dropped afterwards (``--keep-copy`` keeps it):
``var/bench/tongxin_bench_10x_lifecycle.sqlite3`` (SQLite backup API) or ``CREATE DATABASE
tongxin_bench_10x_lifecycle TEMPLATE tongxin_bench_10x``.

    .venv/bin/python bench/lifecycle.py [--db sqlite|postgres|all] [--fresh] [--transfers 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from typing import Any

# The database conventions (file and database names, seeding) are bench/roster.py's; Django's setup is
# bench/import_roster.py's. bench/ is on sys.path when this file runs as a script.
from common import WorkCopy, answer_parent, median
from roster import log

SCALE = 10
COPY = WorkCopy(SCALE, "_lifecycle")
SEED = 2026


# ---------------------------------------------------------------------------------------------------
# Children: settings for one database, then one job (seed or run).
# ---------------------------------------------------------------------------------------------------


class QueryCounter:
    """Counts the queries run while active (``connection.execute_wrapper``: no limit, no SQL kept)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCounter:
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._wrapper.__exit__(*exc)


def explain(queryset: Any) -> str:
    """The plan of ``queryset``'s query (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL)."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(row[-1] for row in cursor.fetchall())


def run_age_out(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from tongxin.accounts.models import User
    from tongxin.core.rules import rule
    from tongxin.lifecycle.services import ageout
    from tongxin.lifecycle.services.ageout import MAX_BATCH, age_out_candidates, age_out_counts, confirm_age_out
    from tongxin.orgs.models import Organization, OrgStats
    from tongxin.people.models import MembershipStatus, Person

    on = timezone.localdate() + datetime.timedelta(days=args.days_ahead)
    user = User.objects.get(username="district")
    user.get_scope()  # the role rows, once per request
    rule("league_max_age")  # the rules cache, warm in a running server

    def candidate_ids() -> list[int]:
        return list(age_out_candidates(user, on=on).values_list("pk", flat=True))

    ids: list[int] = []
    query_ms: list[float] = []
    counts_ms: list[float] = []
    branches = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        ids = candidate_ids()
        query_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        branches = len(age_out_counts(user, on=on))
        counts_ms.append((time.perf_counter() - started) * 1000)
    log(f"  [{args.db}] age-out: {len(ids):,} members due on {on} in {branches:,} branches")
    plan = explain(age_out_candidates(user, on=on).values_list("pk", flat=True)) if args.explain else ""

    # Baseline: the bare status UPDATE of the same rows, rolled back.
    with transaction.atomic():
        started = time.perf_counter()
        Person.objects.filter(pk__in=ids[:MAX_BATCH]).update(status=MembershipStatus.AGED_OUT)
        baseline_seconds = time.perf_counter() - started
        transaction.set_rollback(True)

    root = Organization.objects.get(parent__isnull=True, kind="local_committee")
    total_before = OrgStats.objects.get(pk=root.pk).members_total
    batches = [ids[i : i + MAX_BATCH] for i in range(0, len(ids), MAX_BATCH)]
    fresh = User.objects.get(pk=user.pk)  # as a request would: its role rows are read once, counted
    # The roll-up updates (a few, grouped by organisation) are timed apart.
    original_adjust = ageout.adjust_member_counts_many
    rollup_seconds: list[float] = []

    def timed_adjust(deltas: dict[str, int]) -> None:
        started = time.perf_counter()
        try:
            original_adjust(deltas)
        finally:
            rollup_seconds.append(time.perf_counter() - started)

    ageout.adjust_member_counts_many = timed_adjust  # type: ignore[assignment]
    try:
        with QueryCounter() as counter:
            started = time.perf_counter()
            confirmed = sum(confirm_age_out(fresh, person_ids=batch, on=on) for batch in batches)
            confirm_seconds = time.perf_counter() - started
    finally:
        ageout.adjust_member_counts_many = original_adjust  # type: ignore[assignment]
    total_after = OrgStats.objects.get(pk=root.pk).members_total
    assert confirmed == len(ids) == total_before - total_after, (confirmed, len(ids), total_before, total_after)
    assert not age_out_candidates(user, on=on).exists()
    return {
        "on": on.isoformat(),
        "max_age": rule("league_max_age"),
        "eligible": len(ids),
        "branches": branches,
        "query_ms": query_ms,
        "counts_ms": counts_ms,
        "batches": len(batches),
        "confirm_seconds": confirm_seconds,
        "queries": counter.count,
        "rollup_seconds": sum(rollup_seconds),
        "rollup_updates": len(rollup_seconds),
        "baseline_seconds": baseline_seconds,
        "plan": plan,
    }


def run_transfers(args: argparse.Namespace) -> dict[str, Any]:
    try:
        from tongxin.lifecycle.models import TransferReason, TransferSide, TransferStatus
        from tongxin.lifecycle.services import transfers

        start_transfer, approve_out, accept_in = transfers.start_transfer, transfers.approve_out, transfers.accept_in
    except (ImportError, AttributeError) as exc:
        return {"available": False, "why": f"{type(exc).__name__}: {exc}"}

    from tongxin.accounts.models import User
    from tongxin.orgs.models import Organization, OrgKind, OrgStatus
    from tongxin.people.models import Membership, MembershipStatus, Person
    from tongxin.people.services import update_person

    rng = random.Random(SEED)
    user = User.objects.get(username="district")
    user.get_scope()
    branch_ids = list(
        Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE).values_list("pk", flat=True)
    )
    active = Person.objects.filter(status=MembershipStatus.ACTIVE, branch__kind=OrgKind.BRANCH)
    members = list(active.values_list("pk", "branch_id"))
    picked = rng.sample(members, args.transfers + args.baseline_moves)
    moves = []
    for person_id, branch_id in picked:
        target = rng.choice(branch_ids)
        while target == branch_id:
            target = rng.choice(branch_ids)
        moves.append((person_id, target))
    people = Person.objects.in_bulk([pk for pk, _target in moves])
    orgs = Organization.objects.in_bulk([target for _pk, target in moves])

    cycle_ms: list[float] = []
    queries: list[int] = []
    for n, (person_id, target) in enumerate(moves[: args.transfers]):
        with QueryCounter() as counter:
            started = time.perf_counter()
            transfer = start_transfer(user, person=people[person_id], to_org=orgs[target], reason=TransferReason.OTHER,
                                      side=TransferSide.RECEIVING)  # fmt: skip
            transfer = approve_out(user, transfer)
            transfer = accept_in(user, transfer)
            cycle_ms.append((time.perf_counter() - started) * 1000)
        queries.append(counter.count)
        assert transfer.status == TransferStatus.COMPLETED, transfer.status
        if (n + 1) % 250 == 0:
            log(f"  [{args.db}] transfers: {n + 1}/{args.transfers} (median so far {median(cycle_ms):.1f} ms)")
    moved = Person.objects.filter(pk__in=[pk for pk, _t in moves[: args.transfers]]).values_list("pk", "branch_id")
    assert dict(moved) == dict(moves[: args.transfers])

    baseline_ms: list[float] = []
    for person_id, target in moves[args.transfers :]:
        started = time.perf_counter()
        update_person(user, people[person_id], {"branch": orgs[target]}, reason=Membership.Reason.TRANSFER)
        baseline_ms.append((time.perf_counter() - started) * 1000)
    return {"available": True, "cycle_ms": cycle_ms, "queries": queries, "baseline_ms": baseline_ms}


def child_run(args: argparse.Namespace) -> dict[str, Any]:
    copy_seconds = COPY.make(args)
    COPY.connect(args)
    import sqlite3

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)  # migrations added since the seed, if any
    from tongxin.people.models import Person

    result = {
        "db": args.db,
        "vendor": connection.vendor,
        "db_version": sqlite3.sqlite_version if connection.vendor == "sqlite" else str(connection.pg_version),
        "copy_seconds": copy_seconds,
        "people": Person.objects.count(),
    }
    result["age_out"] = run_age_out(args)
    result["transfers"] = run_transfers(args) if args.transfers else {"available": False, "why": "--transfers 0"}
    return result


# ---------------------------------------------------------------------------------------------------
# Parent: run the children one after the other, print the figures.
# ---------------------------------------------------------------------------------------------------


def report(db: str, seeded: dict[str, Any], res: dict[str, Any]) -> None:
    print(f"\n=== {db} ({res['vendor']} {res['db_version']})")
    how = f"seeded in {seeded['seed_seconds']:.0f} s" if seeded["seed_seconds"] else "reused"
    print(f"  {SCALE}× demo database ({res['people']:,} people): {how}; working copy made in"
          f" {res['copy_seconds']:.1f} s, as the district admin ('district')")  # fmt: skip

    a = res["age_out"]
    print(f"\n  age-out on {a['on']} (a year from today: everyone reaching {a['max_age']} within the year),"
          " the whole district")  # fmt: skip
    print(f"    eligible members: {a['eligible']:,} in {a['branches']:,} branches")
    runs = len(a["query_ms"])
    print(f"    candidates query (ids of all of them)  median {median(a['query_ms']):8.1f} ms"
          f"   min {min(a['query_ms']):8.1f} ms   ({runs} runs)")  # fmt: skip
    print(f"    counts per branch (the yearly command) median {median(a['counts_ms']):8.1f} ms"
          f"   min {min(a['counts_ms']):8.1f} ms")  # fmt: skip
    batches = f" in {a['batches']} batches" if a["batches"] > 1 else " in one batch"
    print(f"    confirm_age_out of all {a['eligible']:,}{batches}: {a['confirm_seconds']:.2f} s wall,"
          f" {a['queries']} queries issued")  # fmt: skip
    print(f"      of which the roll-ups (adjust_member_counts_many, grouped): {a['rollup_seconds']:.2f} s"
          f" in {a['rollup_updates']:,} call(s)")  # fmt: skip
    ratio = a["confirm_seconds"] / a["baseline_seconds"] if a["baseline_seconds"] else float("nan")
    print(f"    baseline, a bare UPDATE of the same rows' status: {a['baseline_seconds']:.3f} s"
          f"  (confirm / baseline {ratio:.1f}×)")  # fmt: skip
    if a["plan"]:
        print("    plan of the candidates query:\n      " + a["plan"].replace("\n", "\n      "))

    t = res["transfers"]
    if not t["available"]:
        print(f"\n  transfers: not available yet ({t['why']})")
        return
    cycle, base = t["cycle_ms"], t["baseline_ms"]
    print(f"\n  transfers: {len(cycle):,} completed, each started (receiving side), approved out and accepted in")
    print(f"    per transfer (the whole cycle)  median {median(cycle):7.1f} ms   min {min(cycle):7.1f} ms"
          f"   max {max(cycle):7.1f} ms   total {sum(cycle) / 1000:.1f} s")  # fmt: skip
    print(f"    queries per transfer            median {median(t['queries']):7.0f}"
          f"      min {min(t['queries']):4d}      max {max(t['queries']):4d}")  # fmt: skip
    if base:
        print(f"    baseline, moving a member with the roster edit (update_person), {len(base)} moves:"
              f" median {median(base):.1f} ms  (transfer / baseline {median(cycle) / median(base):.1f}×)")  # fmt: skip


def main() -> int:
    parser = COPY.parser(__doc__, runs=5, runs_help="runs of the candidates query (≥ 1)")
    parser.add_argument("--transfers", type=int, default=1000, help="transfers to complete (0: skip them)")
    parser.add_argument("--baseline-moves", type=int, default=100, help="roster moves timed as the baseline")
    parser.add_argument("--days-ahead", type=int, default=365, help="the age-out day, in days from today")
    parser.add_argument("--explain", action="store_true", help="print the plan of the candidates query")
    args = parser.parse_args()
    if args.child:
        answer_parent(args, {"seed": COPY.seed, "run": child_run})
        return 0
    if args.quick:
        args.runs, args.transfers, args.baseline_moves = 1, 20, 5  # seeded by roster.py --quick when missing
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    passed = ["--transfers", str(args.transfers), "--baseline-moves", str(args.baseline_moves)]
    passed += ["--days-ahead", str(args.days_ahead)] + (["--explain"] if args.explain else [])
    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    COPY.run(__file__, args, passed, f"age-out, then {args.transfers} transfers", report)
    print(f"(load average at the start: {load_start})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
