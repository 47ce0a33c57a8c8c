"""Annual report benchmark (issue 18): the root's report at 100× the demo district (1.3 million members), and its
ratio to the same member figures computed the naive way, measured in the same rounds.

The report reads only the history tables, so this builds them directly, fast, with SQL (one bare Person row per
stay, so that a person's stays are few, as they are: the report finds a transfer's other half among them):

* a tree of ``--committees`` committees under a root, ``--branches`` branches each (default 60 × 20);
* ``--members`` open stays (default 1,300,000) spread over the branches, begun 2015–2024, half of them
  "registered" and half "joined";
* in the report year: ``--members // 10`` stays ended, a third each by a transfer, an age-out and leaving; half
  of the transfers lead to a stay in another branch of the tree begun the same day (a move inside the root's
  subtree: within a committee or across two), the other half out of the system; as many transfers again come
  in from outside (a stay begun by a transfer with no stay before it);
* one cadre per branch; ``--payments`` league dues payments (default 1,300,000), paid in the report year and
  the two before it (a third each).

Each round (``--runs``, after a warm-up round) times, one after the other:

    report     ``queries.annual_report(root, year)``: this year and last year, the logic checks ("today" in the
               next year, so the check against the live roll-ups, which this fill does not keep, is not made)
    baseline   the member table's rows done naively: every child of the root, one by one, its own member
               table (``queries.member_table(child, year)``, its total is the child's row) for this year and
               last year: a per-child loop, two queries per child and year

and checks that every child's row of the report equals its own total (the moves inside a child count in
neither). Printed: the medians and minima, the queries of each, the ratio report / baseline (below 1: the
report, all four tables and the checks, takes less than the naive loop takes for the member rows alone), and
the goal: the root's report under 30 s (the issue's bound at 100×). ``--explain`` prints the plans of the
report's member queries and of the dues query (the root's, and a committee's: the index on path and day paid).

Databases: SQLite ``var/bench/tongxin_bench_report.sqlite3`` by default, or with ``--db postgres`` the database
``tongxin_bench_report`` on ``--pg-url`` (created when missing). Filled once and reused while it holds what the
options ask for; ``--fresh`` fills it again. ``--quick`` (``make bench-quick``): a tiny tree (3 × 4 branches,
3,000 members) in ``var/bench-quick/`` or ``tongxin_benchq_report``, 2 rounds; the figures mean nothing there
and the goal is not checked.

    .venv/bin/python bench/annual_report.py --db postgres [--members 1300000] [--runs 3] [--fresh] [--explain]
    .venv/bin/python bench/annual_report.py --quick
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_roster import setup_django
from roster import BENCH_DIR, DB_PREFIX, PG_BASE_URL, QUICK, add_quick_option, log, median

GOAL_SECONDS = 30.0
DB_NAME = f"{DB_PREFIX}_report"
QUICK_SIZES = {"committees": 3, "branches": 4, "members": 3000, "payments": 3000, "runs": 2}


def sqlite_file() -> Path:
    return BENCH_DIR / f"{DB_NAME}.sqlite3"


def prepare(args: argparse.Namespace) -> None:
    """Create the database when missing, before Django connects (the tables are emptied by the fill)."""
    if args.db == "postgres":
        import psycopg

        url = args.pg_url.replace("postgres://", "postgresql://", 1) + "/postgres"
        with psycopg.connect(url, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
                conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)


def expected_stays(args: argparse.Namespace) -> int:
    ended = args.members // 10
    return args.members + ended + ended // 6 + ended // 6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="sqlite", help="all: one process each")
    parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL), help="server URL")
    parser.add_argument("--members", type=int, default=1_300_000)
    parser.add_argument("--committees", type=int, default=60)
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--payments", type=int, default=1_300_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3, help="timed rounds (≥ 1), after a warm-up round")
    parser.add_argument("--fresh", action="store_true", help="fill the database again")
    parser.add_argument("--explain", action="store_true", help="print the plans of the member and dues queries")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the goal fails")
    add_quick_option(parser)
    args = parser.parse_args()
    if QUICK:
        for key, value in QUICK_SIZES.items():
            setattr(args, key, value)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.db == "all":  # settings are per process: one run each
        passed: list[str] = []
        skip = False
        for arg in sys.argv[1:]:
            if not skip and arg != "--db" and not arg.startswith("--db="):
                passed.append(arg)
            skip = arg == "--db"
        codes = [subprocess.call([sys.executable, __file__, *passed, "--db", db]) for db in ("sqlite", "postgres")]
        return max(codes)

    prepare(args)
    setup_django(args, sqlite=sqlite_file(), pg_name=DB_NAME)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongxin.dashboard.report import queries
    from tongxin.orgs.models import Organization
    from tongxin.people.models import Membership

    call_command("migrate", verbosity=0, interactive=False)
    root = Organization.objects.filter(code="BENCH-ROOT").first()
    stays = Membership.objects.filter(org_path__startswith=root.path).count() if root else 0
    children = Organization.objects.filter(parent=root).count() if root else 0
    if root is None or args.fresh or QUICK or (stays, children) != (expected_stays(args), args.committees):
        root = fill(args)
        stays = Membership.objects.filter(org_path__startswith=root.path).count()
    else:
        log("reusing the filled database (--fresh fills it again)")
    committees = list(Organization.objects.filter(parent=root).order_by("code", "path"))
    print(f"{connection.vendor}: root {root.pk}, {len(committees)} committees × {args.branches} branches; "
          f"{stays:,} stays; report year {args.year}")  # fmt: skip
    today = datetime.date(args.year + 1, 6, 1)

    def report() -> dict[str, Any]:
        return queries.annual_report(root, args.year, today=today)

    def baseline() -> dict[int, dict[str, int]]:
        rows = {}
        for child in committees:
            rows[child.pk] = queries.member_table(child, args.year)["total"]
            queries.member_table(child, args.year - 1)  # last year's, as the report works out both
        return rows

    times: dict[str, list[float]] = {"report": [], "baseline": []}
    counts: dict[str, int] = {}
    result: dict[str, Any] = {}
    for run in range(args.runs + 1):
        for name, job in (("report", report), ("baseline", baseline)):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                result[name] = job()
                seconds = time.perf_counter() - began
            counts[name] = len(captured)
            if run:  # the first round warms the caches
                times[name].append(seconds)
            log(f"round {run}{' (warm-up)' if not run else ''}: {name} {seconds:.2f} s, {len(captured)} queries")
    figures = result["report"]
    by_id = {row["id"]: {key: row[key] for key in queries.MEMBER_KEYS} for row in figures["members"]["rows"]}
    differ = [child.name for child in committees if by_id.get(child.pk) != result["baseline"][child.pk]]
    total = figures["members"]["total"]
    failed = [c["key"] for c in figures["checks"] if not c["ok"]]
    between = figures["members"]["internal_transfers"]["transferred_out"]
    print(f"members: start {total['start']:,}, end {total['end']:,}; transfers across the root's border "
          f"{total['transferred_in']:,} in, {total['transferred_out']:,} out; between its children (in their rows "
          f"only) {between:,}; dues {figures['dues']['amount']} yuan in {figures['dues']['payments']:,} payments; "
          f"checks failed: {failed or 'none'}")  # fmt: skip
    same = "all equal" if not differ else "DIFFER: " + ", ".join(differ)
    print(f"the children's rows against their own reports: {same}")
    med = {name: median(values) for name, values in times.items()}
    print(f"\n{'':<10}{'median s':>10}{'min s':>9}{'queries':>9}   ({len(times['report'])} rounds)")
    for name in ("report", "baseline"):
        print(f"{name:<10}{med[name]:>10.2f}{min(times[name]):>9.2f}{counts[name]:>9}")
    ratio = med["report"] / med["baseline"] if med["baseline"] else float("nan")
    print(f"ratio report / baseline: {ratio:.2f}× (baseline: the member rows of both years by a loop over the "
          f"{len(committees)} children, each child's own member table)")  # fmt: skip
    ok = med["report"] < GOAL_SECONDS and not differ and not failed
    verdict = "PASS" if ok or QUICK else "FAIL"
    note = "  (quick: not checked)" if QUICK else ""
    print(f"{verdict}: the root's report under {GOAL_SECONDS:.0f} s ({med['report']:.2f} s), its rows equal to the "
          f"children's own, every check passed{note}")  # fmt: skip
    if args.explain:
        explain(queries, root, committees[len(committees) // 2], args.year)
    return 1 if args.strict and not ok and not QUICK else 0


def explain(queries: Any, root: Any, committee: Any, year: int) -> None:
    """The plans of the report's member queries (the flows, the transfers inside a border) and of its dues query,
    for the root and a committee (the dues of a subtree: the index on the path and the day paid)."""
    from django.db import connection

    captured = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        queries.member_flows(root, year)
        queries.transfers_inside(root, year)
    plans = [
        ("the root's member flows", captured[0]),
        ("the root's transfers inside a border", captured[1]),
        ("the root's dues", queries.dues_rows(root, year).query.sql_with_params()),
        (f"{committee.name}'s dues", queries.dues_rows(committee, year).query.sql_with_params()),
    ]
    for name, (sql, params) in plans:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join("  " + " ".join(str(c) for c in row) for row in cursor.fetchall())
        print(f"\nplan of {name}:\n{plan}")


# --- the fill ---------------------------------------------------------------------------------------------------


class Dialect:
    """The few SQL expressions the fill needs, on PostgreSQL and SQLite (``%%``: a literal % with parameters)."""

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def series(self, n: int) -> tuple[str, str]:
        """(a WITH clause, a FROM item) giving the integers 1..n as ``s.g``."""
        if self.pg:
            return "", f"generate_series(1, {int(n)}) AS s(g)"
        return f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {int(n)}) ", "s"

    def date(self, day: str) -> str:
        return f"DATE '{day}'" if self.pg else f"'{day}'"

    def plus_days(self, day: str, days: str) -> str:
        return f"(DATE '{day}' + ({days}))" if self.pg else f"date('{day}', '+' || ({days}) || ' days')"

    def plus_months(self, day: str, months: str) -> str:
        if self.pg:
            return f"(DATE '{day}' + make_interval(months => {months}))::date"
        return f"date('{day}', '+' || ({months}) || ' months')"

    def make_date(self, year: str, month: str, day: str) -> str:
        if self.pg:
            return f"make_date({year}, {month}, {day})"
        return f"printf('%%04d-%%02d-%%02d', {year}, {month}, {day})"

    def now(self) -> str:
        return "now()" if self.pg else "datetime('now')"


def fill(args: argparse.Namespace) -> Any:
    """The tree by the ORM (a few thousand rows), the people and their history by INSERT … SELECT over a series."""
    from django.db import connection, transaction

    from tongxin.orgs.models import Organization, OrgKind, OrgStats, path_step

    t0 = time.perf_counter()
    sql = Dialect(connection.vendor)
    log("emptying the tables the fill writes")
    with connection.cursor() as cursor:
        for table in ("people_membership", "people_cadreposition", "lifecycle_duespayment"):
            cursor.execute(f"DELETE FROM {table}")
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
        for c in range(args.committees):
            next_id += 1
            committee = Organization(id=next_id, parent_id=root.pk, kind=OrgKind.COMMITTEE, name=f"基准团委{c}",
                                     code=f"BENCH-C{c:03d}", path=root.path + path_step(next_id), depth=1)  # fmt: skip
            orgs.append(committee)
            for b in range(args.branches):
                next_id += 1
                orgs.append(Organization(id=next_id, parent_id=committee.pk, kind=OrgKind.BRANCH,
                                         name=f"基准团支部{c}-{b}", code=f"BENCH-B{c:03d}-{b:03d}",
                                         path=committee.path + path_step(next_id), depth=2))  # fmt: skip
        Organization.objects.bulk_create(orgs, batch_size=1000)
        OrgStats.objects.bulk_create([OrgStats(organization=o) for o in orgs], batch_size=1000)
        if sql.pg:
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(pg_get_serial_sequence('orgs_organization', 'id'), %s)", [next_id])
    nb = args.committees * args.branches
    members, ended, year = args.members, args.members // 10, args.year
    moved, arrived = ended // 6, ended // 6  # transfers inside the tree (of the ended ones), and from outside
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_branch AS SELECT row_number() OVER (ORDER BY code) - 1 AS n, id, path "
                       "FROM orgs_organization WHERE code LIKE 'BENCH-B%%'")  # fmt: skip
        cursor.execute("CREATE INDEX bench_branch_n ON bench_branch (n)")
        cursor.execute("SELECT coalesce(max(id), 0) FROM people_person")
        base = cursor.fetchone()[0]
        # People 1..members hold the open stays, then one per ended stay, then one per arrival from outside;
        # person p's branch is p mod the number of branches.
        people = members + ended + arrived
        log(f"inserting {people:,} people")
        with_, from_ = sql.series(people)
        cursor.execute(
            f"""{with_}INSERT INTO people_person (id, name, name_pinyin, name_initials, id_number, id_tail, birth_date,
                   sex, ethnicity, political_status, education, phone_tail, occupation, org_path, status, created_at,
                   updated_at, branch_id, id_hash, phone_hash, phone)
               SELECT %s + s.g, '基准团员', 'jizhuntuanyuan', 'jzty', '', '', {sql.date("2000-01-01")}, '1', '01',
                      '03', '', '', 'other', b.path, 'active', {sql.now()}, {sql.now()}, b.id, NULL, '', ''
               FROM {from_} JOIN bench_branch b ON b.n = s.g %% %s""",
            [base, nb],
        )
        log(f"inserting {members:,} open stays")
        with_, from_ = sql.series(members)
        cursor.execute(
            f"""{with_}INSERT INTO people_membership (person_id, organization_id, org_path, start, "end",
                                                      start_reason, end_reason)
               SELECT %s + s.g, b.id, b.path, {sql.plus_days("2015-01-01", "s.g %% 3650")}, NULL,
                      CASE WHEN s.g %% 2 = 0 THEN 'registered' ELSE 'joined' END, ''
               FROM {from_} JOIN bench_branch b ON b.n = s.g %% %s""",
            [base, nb],
        )
        # Stays ended in the report year (ended stay g: person members + g, on day D(g)), by reason g mod 3.
        day = sql.make_date(str(int(year)), "1 + s.g %% 12", "1 + s.g %% 28")
        log(f"inserting {ended:,} stays ended in {year}")
        with_, from_ = sql.series(ended)
        cursor.execute(
            f"""{with_}INSERT INTO people_membership (person_id, organization_id, org_path, start, "end",
                                                      start_reason, end_reason)
               SELECT %s + %s + s.g, b.id, b.path, {sql.plus_days("2016-01-01", "s.g %% 2000")}, {day},
                      'registered', CASE s.g %% 3 WHEN 0 THEN 'transfer' WHEN 1 THEN 'aged_out' ELSE 'left' END
               FROM {from_} JOIN bench_branch b ON b.n = (%s + s.g) %% %s""",
            [base, members, members, nb],
        )
        # The first half of the transfers (ended stay 3k, k = 1..moved) continue in branch n + 7 the same day:
        # in the same committee or the next one.
        log(f"inserting {moved:,} moves inside the tree and {arrived:,} arrivals from outside")
        with_, from_ = sql.series(moved)
        moved_day = sql.make_date(str(int(year)), "1 + (3 * s.g) %% 12", "1 + (3 * s.g) %% 28")
        cursor.execute(
            f"""{with_}INSERT INTO people_membership (person_id, organization_id, org_path, start, "end",
                                                      start_reason, end_reason)
               SELECT %s + %s + 3 * s.g, b.id, b.path, {moved_day}, NULL, 'transfer', ''
               FROM {from_} JOIN bench_branch b ON b.n = (%s + 3 * s.g + 7) %% %s""",
            [base, members, members, nb],
        )
        with_, from_ = sql.series(arrived)
        cursor.execute(
            f"""{with_}INSERT INTO people_membership (person_id, organization_id, org_path, start, "end",
                                                      start_reason, end_reason)
               SELECT %s + %s + s.g, b.id, b.path, {day}, NULL, 'transfer', ''
               FROM {from_} JOIN bench_branch b ON b.n = (%s + s.g) %% %s""",
            [base, members + ended, members + ended, nb],
        )
        cursor.execute(
            f"""INSERT INTO people_cadreposition (person_id, organization_id, org_path, title, start, "end")
               SELECT %s + %s + n, id, path, 'secretary', {sql.date("2020-01-01")}, NULL FROM bench_branch""",
            [base, nb],
        )
        # Dues: payment g by person p = 1 + g mod members (in p's branch), for the month g div members after
        # 2000-01 (one a month each: the unique person, kind, month), paid in the report year or one of the
        # two before it.
        log(f"inserting {args.payments:,} dues payments")
        with_, from_ = sql.series(args.payments)
        paid = sql.make_date(f"{int(year)} - s.g %% 3", "1 + s.g %% 12", "1 + s.g %% 28")
        cursor.execute(
            f"""{with_}INSERT INTO lifecycle_duespayment (person_id, kind, month, amount, paid_on, recorded_at,
                                                          org_path)
               SELECT %s + 1 + s.g %% %s, 'league', {sql.plus_months("2000-01-01", f"s.g / {int(members)}")}, 0.20,
                      {paid}, {sql.now()}, b.path
               FROM {from_} JOIN bench_branch b ON b.n = (1 + s.g %% %s) %% %s""",
            [base, members, members, nb],
        )
        cursor.execute("DROP TABLE bench_branch")
        if sql.pg:
            cursor.execute("SELECT setval(pg_get_serial_sequence('people_person', 'id'), %s)", [base + people])
            for table in ("people_person", "people_membership", "lifecycle_duespayment", "orgs_organization"):
                cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    log(f"filled in {time.perf_counter() - t0:.1f} s")
    return Organization.objects.get(code="BENCH-ROOT")


if __name__ == "__main__":
    sys.exit(main())
