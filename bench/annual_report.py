"""Annual report benchmark (issue 18): the root's report at 100× the demo district (1.3 million members).

The report reads only the history tables, so this builds them directly, fast, with SQL (no Person rows per
member: a membership's person is not read by the report, so every stay points at one person):

* a tree of ``--committees`` committees under a root, ``--branches`` branches each (default 60 × 20);
* ``--members`` open stays (default 1,300,000) spread over the branches, begun 2015–2025, half of them
  "registered" and half "joined";
* in the report year: ``--members // 10`` stays ended (transfer, aged out, left) and a third of them
  transferred into another branch; one cadre per branch; ``--payments`` league dues payments in the year.

Then ``queries.annual_report(root, year)`` (this year and last year, the logic checks; "today" in the next
year, so the check against the live roll-ups, which this fill does not keep, is not made) is timed ``--runs``
times, with its query count. Goal: under 30 s (the issue's bound for the root at 100×).

Database: PostgreSQL only, ``--pg-url`` (default ``postgres://postgres@127.0.0.1:5432/tx_report``), migrated
and filled once; ``--fresh`` empties the tables it fills first.

    .venv/bin/python bench/annual_report.py [--members 1300000] [--runs 3] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/tx_report")
    parser.add_argument("--members", type=int, default=1_300_000)
    parser.add_argument("--committees", type=int, default=60)
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--payments", type=int, default=1_300_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.pg_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongxin.dashboard.report import queries
    from tongxin.orgs.models import Organization

    call_command("migrate", verbosity=0)
    root = Organization.objects.filter(code="BENCH-ROOT").first()
    if root is None or args.fresh:
        root = fill(args)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_membership WHERE org_path LIKE %s", [root.path + "%"])
        stays = cursor.fetchone()[0]
    print(f"tree: root {root.pk}, {args.committees} committees × {args.branches} branches; {stays:,} stays")
    times = []
    for run in range(args.runs + 1):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            report = queries.annual_report(root, args.year, today=datetime.date(args.year + 1, 6, 1))
            seconds = time.perf_counter() - began
        if run:  # the first run warms the caches
            times.append(seconds)
        print(f"run {run}{' (warm-up)' if not run else ''}: {seconds:.2f} s, {len(captured)} queries, "
              f"members at the end {report['members']['total']['end']:,}, "
              f"checks failed: {[c['key'] for c in report['checks'] if not c['ok']] or 'none'}")  # fmt: skip
    median = statistics.median(times)
    print(f"root's annual report: median {median:.2f} s over {len(times)} runs; goal < {GOAL_SECONDS:.0f} s: "
          f"{'PASS' if median < GOAL_SECONDS else 'FAIL'}")  # fmt: skip


def fill(args: argparse.Namespace):
    """The tree by the ORM (a few thousand rows), the history by INSERT … SELECT generate_series."""
    from django.db import connection, transaction

    from tongxin.core.testing import person_data
    from tongxin.orgs.models import Organization, OrgKind, OrgStats, path_step
    from tongxin.people.services import create_person

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_membership")
        cursor.execute("DELETE FROM people_cadreposition")
        cursor.execute("DELETE FROM lifecycle_duespayment")
    Organization.objects.filter(code__startswith="BENCH-").update(parent=None)
    OrgStats.objects.filter(organization__code__startswith="BENCH-").delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_person WHERE branch_id IN "
                       "(SELECT id FROM orgs_organization WHERE code LIKE 'BENCH-%%')")  # fmt: skip
    Organization.objects.filter(code__startswith="BENCH-").delete()
    with transaction.atomic():
        top = Organization.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        next_id = top + 1
        root = Organization(id=next_id, kind=OrgKind.LOCAL_COMMITTEE, name="基准区委", code="BENCH-ROOT",
                            path=path_step(next_id), depth=0)  # fmt: skip
        orgs = [root]
        branches: list[Organization] = []
        for c in range(args.committees):
            next_id += 1
            committee = Organization(id=next_id, parent_id=root.pk, kind=OrgKind.COMMITTEE, name=f"基准团委{c}",
                                     code=f"BENCH-C{c}", path=root.path + path_step(next_id), depth=1)  # fmt: skip
            orgs.append(committee)
            for b in range(args.branches):
                next_id += 1
                branch = Organization(id=next_id, parent_id=committee.pk, kind=OrgKind.BRANCH,
                                      name=f"基准团支部{c}-{b}", code=f"BENCH-B{c}-{b}",
                                      path=committee.path + path_step(next_id), depth=2)  # fmt: skip
                orgs.append(branch)
                branches.append(branch)
        Organization.objects.bulk_create(orgs, batch_size=1000)
        OrgStats.objects.bulk_create([OrgStats(organization=o) for o in orgs], batch_size=1000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(pg_get_serial_sequence('orgs_organization', 'id'), %s)", [next_id])
    person = create_person(None, person_data(branches[0], name="基准团员"))
    year = args.year
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_branch AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, path "
                       "FROM orgs_organization WHERE code LIKE 'BENCH-B%%'")  # fmt: skip
        nb = len(branches)
        # open stays: begun 2015-01-01 + (g mod 3650) days, before the report year
        cursor.execute(
            """INSERT INTO people_membership (person_id, organization_id, org_path, start, "end", start_reason,
                                              end_reason)
               SELECT %s, b.id, b.path, DATE '2015-01-01' + (g %% 3650), NULL,
                      CASE WHEN g %% 2 = 0 THEN 'registered' ELSE 'joined' END, ''
               FROM generate_series(1, %s) g JOIN bench_branch b ON b.n = g %% %s""",
            [person.pk, args.members, nb],
        )
        # stays ended in the report year, by reason; a third of them transfers into another branch
        ended = args.members // 10
        cursor.execute(
            """INSERT INTO people_membership (person_id, organization_id, org_path, start, "end", start_reason,
                                              end_reason)
               SELECT %s, b.id, b.path, DATE '2016-01-01' + (g %% 2000), make_date(%s, 1 + g %% 12, 1 + g %% 28),
                      'registered', (ARRAY['transfer', 'aged_out', 'left'])[1 + g %% 3]
               FROM generate_series(1, %s) g JOIN bench_branch b ON b.n = g %% %s""",
            [person.pk, year, ended, nb],
        )
        cursor.execute(
            """INSERT INTO people_membership (person_id, organization_id, org_path, start, "end", start_reason,
                                              end_reason)
               SELECT %s, b.id, b.path, make_date(%s, 1 + g %% 12, 1 + g %% 28), NULL, 'transfer', ''
               FROM generate_series(1, %s) g JOIN bench_branch b ON b.n = (g + 7) %% %s""",
            [person.pk, year, ended // 3, nb],
        )
        cursor.execute(
            """INSERT INTO people_cadreposition (person_id, organization_id, org_path, title, start, "end")
               SELECT %s, id, path, 'secretary', DATE '2020-01-01', NULL FROM bench_branch""",
            [person.pk],
        )
        # dues: one person may pay a month once (unique person, kind, month): spread over months far back
        cursor.execute(
            """INSERT INTO lifecycle_duespayment (person_id, kind, month, amount, paid_on, recorded_at, org_path)
               SELECT %s, 'league', DATE '1000-01-01' + make_interval(months => g), 0.20,
                      make_date(%s, 1 + g %% 12, 1 + g %% 28), now(), b.path
               FROM generate_series(1, %s) g JOIN bench_branch b ON b.n = g %% %s""",
            [person.pk, year, args.payments, nb],
        )
        cursor.execute("ANALYZE people_membership")
        cursor.execute("ANALYZE lifecycle_duespayment")
        cursor.execute("ANALYZE orgs_organization")
    print(f"filled in {time.perf_counter() - t0:.1f} s")
    return Organization.objects.get(code="BENCH-ROOT")


if __name__ == "__main__":
    main()
