"""Compliance board benchmark (一表通): the district root's board at 10× the demo district.

In a FRESH copy of the seeded 10× database (the seeded one stays reusable), a year of meetings is
generated first: about ``--per-branch`` (default 12) HELD meetings for every active league and party
branch, of the kinds its requirements name, on random days from 1 January to today, one in twenty a joint
activity listing a second branch too (``bulk_create``, seeded random numbers). Then, as the district
admin (``district``), round by round (``--runs``, default 15; one warm-up round first):

    board      ``tongxin.orglife.queries.compliance_board(district, root, year=this year)``: every query
               and all the Python that builds the rows (one per child of the root) and the totals;
    baseline   ONE plain SQL aggregate over the meeting table on the same data:
               ``SELECT organization_id, kind, <month>, COUNT(*) FROM orglife_meeting WHERE status='held'
               AND starts_at >= … AND starts_at < … GROUP BY 1, 2, 3`` (``strftime('%m', starts_at)`` on
               SQLite, ``EXTRACT(MONTH FROM starts_at)`` on PostgreSQL), fetched in full.

Goals: the board's median within 2× of the baseline's median and under 500 ms (PASS/FAIL; ``--strict``
exits 1 on a FAIL). Also printed: the queries the board issues, and one branch's board.

The working copy is ``var/bench/tongxin_bench_10x_compliance.sqlite3`` (SQLite backup API) or, with
``--db postgres``, ``CREATE DATABASE tongxin_bench_10x_compliance TEMPLATE tongxin_bench_10x``; it is
dropped afterwards (``--keep-copy`` keeps it).

    .venv/bin/python bench/compliance.py [--db sqlite|postgres|all] [--fresh] [--runs 15] [--per-branch 12]
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from typing import Any

# The database conventions (file and database names, seeding) are bench/roster.py's; Django's setup is
# bench/import_roster.py's. bench/ is on sys.path when this file runs as a script.
from common import WorkCopy, answer_parent, median

SCALE = 10
COPY = WorkCopy(SCALE, "_compliance")
SEED = 2026
MAX_RATIO = 2.0  # goal: the board within 2× of one plain aggregate over the meetings
MAX_MS = 500.0  # goal: the district root's board under 500 ms


# ---------------------------------------------------------------------------------------------------
# Children
# ---------------------------------------------------------------------------------------------------


def generate_meetings(args: argparse.Namespace, year: int, today: datetime.date) -> dict[str, Any]:
    """About ``per_branch`` held meetings of the year for every active branch (league and party)."""
    from django.db import transaction
    from django.utils import timezone

    from tongxin.orglife.models import Meeting, MeetingKind, MeetingRequirement, MeetingStatus
    from tongxin.orgs.models import Organization, OrgStatus

    rng = random.Random(SEED)
    kinds: dict[str, list[str]] = {}
    for org_kind, meeting_kind in MeetingRequirement.objects.filter(active=True).values_list(
        "org_kind", "meeting_kind"
    ):
        kinds.setdefault(org_kind, []).append(meeting_kind)
    branches = list(
        Organization.objects.filter(kind__in=list(kinds), status=OrgStatus.ACTIVE).values_list("pk", "path", "kind")
    )
    first = datetime.date(year, 1, 1)
    days = max((today - first).days, 1)
    tz = timezone.get_current_timezone()
    started = time.perf_counter()
    meetings: list[Any] = []
    joint: list[tuple[int, int]] = []  # (index of the meeting, the second organisation)
    for pk, path, kind in branches:
        for _ in range(args.per_branch):
            day = first + datetime.timedelta(days=rng.randrange(days))
            starts = datetime.datetime(day.year, day.month, day.day, rng.choice((9, 14, 19)), 30, tzinfo=tz)
            meeting_kind = rng.choice(kinds[kind])
            if rng.random() < 0.05:
                other = rng.choice(branches)
                if other[0] != pk:
                    joint.append((len(meetings), other[0]))
                    meeting_kind = MeetingKind.JOINT_ACTIVITY
            meetings.append(Meeting(organization_id=pk, org_path=path, kind=meeting_kind, status=MeetingStatus.HELD,
                                    starts_at=starts, topic="基准会议", expected=10, present=8))  # fmt: skip
    with transaction.atomic():
        created = Meeting.objects.bulk_create(meetings, batch_size=2000)
        through = Meeting.organizations.through
        links = []
        for index, other in joint:
            meeting = created[index]
            links.append(through(meeting_id=meeting.pk, organization_id=meeting.organization_id))
            links.append(through(meeting_id=meeting.pk, organization_id=other))
        through.objects.bulk_create(links, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "branches": len(branches),
        "meetings": len(meetings),
        "joint": len(joint),
        "seconds": time.perf_counter() - started,
    }


def baseline_sql(vendor: str) -> str:
    month = "strftime('%%m', starts_at)" if vendor == "sqlite" else "EXTRACT(MONTH FROM starts_at)"
    return (
        f"SELECT organization_id, kind, {month}, COUNT(*) FROM orglife_meeting "
        "WHERE status = 'held' AND starts_at >= %s AND starts_at < %s GROUP BY 1, 2, 3"
    )


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def child_run(args: argparse.Namespace) -> dict[str, Any]:
    copy_seconds = COPY.make(args)
    COPY.connect(args)
    import sqlite3

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)  # migrations added since the seed, if any
    from tongxin.accounts.models import User
    from tongxin.core.rules import rule
    from tongxin.orglife.queries import _month_starts, compliance_board
    from tongxin.orgs.models import Organization, OrgKind

    today = timezone.localdate()
    year = today.year
    generated = generate_meetings(args, year, today)
    user = User.objects.get(username="district")
    user.get_scope()  # the role rows, once per request
    rule("party_dues_day")  # the rules cache, warm in a running server
    root = Organization.objects.get(parent__isnull=True, kind=OrgKind.LOCAL_COMMITTEE)
    branch = Organization.objects.filter(kind=OrgKind.BRANCH, status="active").order_by("path").first()
    starts = _month_starts(year)
    sql = baseline_sql(connection.vendor)

    def board() -> Any:
        return compliance_board(user, root, year=year, today=today)

    def baseline() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, [starts[0], starts[12]])
            return len(cursor.fetchall())

    board()
    baseline()  # warm-up
    board_ms: list[float] = []
    base_ms: list[float] = []
    branch_ms: list[float] = []
    rows = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        rows = baseline()
        base_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        result = board()
        board_ms.append((time.perf_counter() - started) * 1000)
        if branch is not None:
            started = time.perf_counter()
            compliance_board(user, branch, year=year, today=today)
            branch_ms.append((time.perf_counter() - started) * 1000)
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        board()
    total = result.total
    return {
        "db": args.db,
        "vendor": connection.vendor,
        "db_version": sqlite3.sqlite_version if connection.vendor == "sqlite" else str(connection.pg_version),
        "copy_seconds": copy_seconds,
        "generated": generated,
        "year": year,
        "today": today.isoformat(),
        "rows": len(result.rows),
        "kinds": len(result.kinds),
        "cells": total.cells,
        "done": total.done,
        "rate": total.percent,
        "rate_current": total.percent_current,
        "queries": counter.count,
        "board_ms": board_ms,
        "base_ms": base_ms,
        "base_rows": rows,
        "branch_ms": branch_ms,
    }


# ---------------------------------------------------------------------------------------------------
# Parent
# ---------------------------------------------------------------------------------------------------


def report(db: str, seeded: dict[str, Any], res: dict[str, Any]) -> bool:
    print(f"\n=== {db} ({res['vendor']} {res['db_version']})")
    how = f"seeded in {seeded['seed_seconds']:.0f} s" if seeded["seed_seconds"] else "reused"
    print(f"  {SCALE}× demo database: {how}; working copy made in {res['copy_seconds']:.1f} s")
    g = res["generated"]
    print(f"  generated {g['meetings']:,} held meetings of {res['year']} (to {res['today']}) for {g['branches']:,}"
          f" branches, {g['joint']:,} of them joint, in {g['seconds']:.1f} s")  # fmt: skip
    print(f"  district root's board: {res['rows']} rows × {res['kinds']} kinds, {res['cells']:,} cells,"
          f" {res['done']:,} done; rate {res['rate']} (with current periods {res['rate_current']});"
          f" {res['queries']} queries")  # fmt: skip
    board, base = res["board_ms"], res["base_ms"]
    ratio = median(board) / median(base) if median(base) else float("nan")
    runs = len(board)
    print(f"    board      median {median(board):8.1f} ms   min {min(board):8.1f} ms   ({runs} runs)")
    print(f"    baseline   median {median(base):8.1f} ms   min {min(base):8.1f} ms   (one GROUP BY over the meetings,"
          f" {res['base_rows']:,} groups)")  # fmt: skip
    if res["branch_ms"]:
        print(f"    one branch's board: median {median(res['branch_ms']):.1f} ms")
    ok_ratio = ratio <= MAX_RATIO
    ok_ms = median(board) < MAX_MS
    print(f"  goal: board within {MAX_RATIO:.0f}× of the baseline: {ratio:.2f}×  {'PASS' if ok_ratio else 'FAIL'}")
    print(f"  goal: board under {MAX_MS:.0f} ms: {median(board):.1f} ms  {'PASS' if ok_ms else 'FAIL'}")
    return ok_ratio and ok_ms


def main() -> int:
    parser = COPY.parser(__doc__, runs=15)
    parser.add_argument("--per-branch", type=int, default=12, help="meetings generated per branch")
    args = parser.parse_args()
    if args.child:
        answer_parent(args, {"seed": COPY.seed, "run": child_run})
        return 0
    if args.quick:
        args.runs, args.per_branch = 1, 2  # the 10× quick database: seeded by roster.py --quick when missing
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    ok = COPY.run(__file__, args, ["--per-branch", str(args.per_branch)], "a year of meetings, then the board", report)
    return 1 if args.strict and not ok and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
