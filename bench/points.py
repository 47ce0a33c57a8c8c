"""Points benchmark (积分制): a month of the whole district's events, scored, at 10× the demo district.

In a FRESH copy of the seeded 10× database (~134,000 people; the seeded one stays reusable), a month of
events reaches the ledger the way the feature apps send them, through the points hooks
(``core.achievements.offer_many``, seeded random numbers), dated from the 1st of this month to today:

    meetings   for every active branch, ``--meetings`` (default 2) meetings: each one batch of its
               members' attendance (``orglife.attended``; one member in twelve ``orglife.absent_unexcused``);
    study      one study period: three members in four took part, one batch (the national import);
    volunteer  one member in ten served 1–6 verified hours, one batch.

Printed: how long the ledger took to book them (entries, seconds, entries per second). Then, as the district
admin (``district``), round by round (``--runs``, default 9; one warm-up round first):

    score      every member's score of the month from the ledger (``ledger.scores_from_ledger(month=…)``:
               what the recompute command reads), checked equal to the roll-up rows the hooks kept;
    district   the committee's view of the district's month (``queries.subtree_months(root, month)``:
               every branch's average, the month before, the cycle's state, the honest-review flag);
    baseline   ONE plain SQL aggregate over the ledger on the same data: ``SELECT person_id, SUM(points),
               COUNT(*) FROM points_pointentry WHERE month = … GROUP BY person_id``, fetched in full;
    branch     the biggest branch's month page (``/points/orgs/<branch>/``) through the test client (the whole
               stack), as the district admin.

Goals: scoring the district's month within 3× of the baseline, and the branch month page's median under
100 ms (PASS/FAIL; ``--strict`` exits 1 on a FAIL). ``--quick``: the quick 10× database (bench/roster.py),
one round, goals printed, never failing.

The working copy is ``var/bench/tongxin_bench_10x_points.sqlite3`` (SQLite backup API) or, with
``--db postgres``, ``CREATE DATABASE tongxin_bench_10x_points TEMPLATE tongxin_bench_10x``; it is dropped
afterwards (``--keep-copy`` keeps it).

    .venv/bin/python bench/points.py [--db sqlite|postgres|all] [--fresh] [--runs 9] [--meetings 2]
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from typing import Any

# bench/ is on sys.path when this file runs as a script.
from common import WorkCopy, answer_parent, median

SCALE = 10
COPY = WorkCopy(SCALE, "_points")
SEED = 2026
MAX_RATIO = 3.0  # goal: the month's scores within 3× of one SQL aggregate over the ledger
MAX_BRANCH_MS = 100.0  # goal: the branch month page under 100 ms


def book_month(args: argparse.Namespace, today: datetime.date) -> dict[str, Any]:
    """Offer a month of events through the hooks, as the feature apps do; what it cost."""
    from django.db import transaction

    from tongxin.core.achievements import Achievement, delivered_inline, offer_many
    from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization
    from tongxin.people.models import MembershipStatus, Person
    from tongxin.points.models import PointEntry

    rng = random.Random(SEED)
    days = [today.replace(day=d) for d in range(1, today.day + 1)]
    branches = set(
        Organization.objects.filter(kind__in=MEMBER_HOLDING_KINDS, status="active").values_list("pk", flat=True)
    )
    members: dict[int, list[tuple[int, str]]] = {}
    for pk, branch_id, path in Person.objects.filter(
        status=MembershipStatus.ACTIVE, branch_id__in=branches
    ).values_list("pk", "branch_id", "org_path"):
        members.setdefault(branch_id, []).append((pk, path))
    before = PointEntry.objects.count()
    started = time.perf_counter()
    batches = 0
    for branch_id, people in sorted(members.items()):
        for n in range(args.meetings):
            day = rng.choice(days)
            batch = [
                Achievement(
                    "orglife.absent_unexcused" if rng.random() < 1 / 12 else "orglife.attended",
                    person_id=pk,
                    org_path=path,
                    occurred_on=day,
                    source=f"bench.meeting:{branch_id}:{n}:{pk}",
                )
                for pk, path in people
            ]
            # Booked here, in this process (what the task worker does with a queued delivery): the ledger's time.
            with transaction.atomic(), delivered_inline():
                offer_many(batch)
            batches += 1
    everyone = [person for people in members.values() for person in people]
    study = [
        Achievement("study.period_done", person_id=pk, org_path=path, occurred_on=rng.choice(days),
                    source=f"bench.study:{pk}")
        for pk, path in everyone if rng.random() < 0.75
    ]  # fmt: skip
    volunteer = [
        Achievement("activities.volunteer_hours", person_id=pk, org_path=path, occurred_on=rng.choice(days),
                    source=f"bench.hours:{pk}", quantity=str(rng.randint(1, 6)))
        for pk, path in everyone if rng.random() < 0.1
    ]  # fmt: skip
    for batch in (study, volunteer):
        with transaction.atomic(), delivered_inline():
            offer_many(batch)
        batches += 1
    seconds = time.perf_counter() - started
    entries = PointEntry.objects.count() - before
    return {"members": len(everyone), "branches": len(members), "batches": batches, "entries": entries,
            "seconds": seconds}  # fmt: skip


def child_run(args: argparse.Namespace) -> dict[str, Any]:
    copy_seconds = COPY.make(args)
    COPY.connect(args)
    import sqlite3

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)  # migrations added since the seed, if any
    from tongxin.accounts.models import User
    from tongxin.orgs.models import Organization, OrgKind
    from tongxin.people.models import MembershipStatus, Person
    from tongxin.points import queries
    from tongxin.points.services import ledger
    from tongxin.points.services.cycle import this_month

    month = this_month()
    booked = book_month(args, timezone.localdate())
    root = Organization.objects.get(parent__isnull=True, kind=OrgKind.LOCAL_COMMITTEE)
    biggest = (
        Person.objects.filter(status=MembershipStatus.ACTIVE).values("branch_id").annotate(n=Count("id")).order_by("-n")
    ).first()
    branch = Organization.objects.get(pk=biggest["branch_id"])
    client = Client()
    client.force_login(User.objects.get(username="district"))
    branch_url = reverse("points:branch", args=[branch.pk])
    sql = "SELECT person_id, SUM(points), COUNT(*) FROM points_pointentry WHERE month = %s GROUP BY person_id"

    def baseline() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, [month])
            return len(cursor.fetchall())

    def score() -> dict:
        return ledger.scores_from_ledger(month=month)

    def district() -> list:
        return queries.subtree_months(root, month)

    def page() -> None:
        response = client.get(branch_url)
        if response.status_code != 200:
            raise SystemExit(f"{branch_url}: {response.status_code}")

    scores = score()
    kept = ledger.kept_scores(month=month)
    if scores != kept:
        differing = sum(1 for key in set(scores) | set(kept) if scores.get(key) != kept.get(key))
        raise SystemExit(f"the roll-up rows differ from the ledger for {differing} members")
    timings: dict[str, list[float]] = {"score": [], "district": [], "baseline": [], "branch": []}
    jobs = {"baseline": baseline, "score": score, "district": district, "branch": page}
    for round_ in range(args.runs + 1):
        for name, job in jobs.items():
            started = time.perf_counter()
            job()
            if round_:  # the first round warms the caches
                timings[name].append((time.perf_counter() - started) * 1000)
    return {
        "vendor": connection.vendor,
        "db_version": sqlite3.sqlite_version if connection.vendor == "sqlite" else str(connection.pg_version),
        "copy_seconds": copy_seconds,
        "month": month.isoformat(),
        "booked": booked,
        "scored": len(scores),
        "branches": len(district()),
        "branch": {"name": branch.name, "members": biggest["n"]},
        "base_rows": baseline(),
        "timings": timings,
    }


def report(db: str, seeded: dict[str, Any], res: dict[str, Any]) -> bool:
    print(f"\n=== {db} ({res['vendor']} {res['db_version']})")
    how = f"seeded in {seeded['seed_seconds']:.0f} s" if seeded["seed_seconds"] else "reused"
    print(f"  {SCALE}× demo database: {how}; working copy made in {res['copy_seconds']:.1f} s")
    b = res["booked"]
    print(f"  the month {res['month'][:7]}: {b['entries']:,} ledger entries for {b['members']:,} members of"
          f" {b['branches']:,} branches, offered in {b['batches']:,} batches, booked in {b['seconds']:.1f} s"
          f" ({b['entries'] / b['seconds']:,.0f} entries/s)")  # fmt: skip
    t = {name: median(values) for name, values in res["timings"].items()}
    runs = len(res["timings"]["score"])
    print(f"    score      median {t['score']:8.1f} ms   ({res['scored']:,} members' scores from the ledger,"
          f" equal to the kept roll-ups; {runs} runs)")  # fmt: skip
    print(f"    district   median {t['district']:8.1f} ms   (the district's month: {res['branches']:,} branches)")
    print(f"    baseline   median {t['baseline']:8.1f} ms   (one GROUP BY over the month's ledger,"
          f" {res['base_rows']:,} rows)")  # fmt: skip
    print(f"    branch     median {t['branch']:8.1f} ms   (the month page of {res['branch']['name']},"
          f" {res['branch']['members']} members)")  # fmt: skip
    ratio = t["score"] / t["baseline"] if t["baseline"] else float("nan")
    print(f"  the district's month page / baseline: {t['district'] / t['baseline']:.2f}×")
    ok_ratio = ratio <= MAX_RATIO
    ok_branch = t["branch"] < MAX_BRANCH_MS
    print(f"  goal: scoring the month within {MAX_RATIO:g}× of the baseline: {ratio:.2f}×  "
          f"{'PASS' if ok_ratio else 'FAIL'}")  # fmt: skip
    print(f"  goal: the branch month page under {MAX_BRANCH_MS:g} ms: {t['branch']:.1f} ms  "
          f"{'PASS' if ok_branch else 'FAIL'}")  # fmt: skip
    return ok_ratio and ok_branch


def main() -> int:
    parser = COPY.parser(__doc__, runs=9)
    parser.add_argument("--meetings", type=int, default=2, help="meetings per branch in the month")
    args = parser.parse_args()
    if args.child:
        answer_parent(args, {"seed": COPY.seed, "run": child_run})
        return 0
    if args.quick:
        args.runs, args.meetings = 1, 1
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    passed = ["--meetings", str(args.meetings)] + (["--quick"] if args.quick else [])
    ok = COPY.run(__file__, args, passed, "a month of events, then the scores", report)
    return 1 if args.strict and not ok and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
