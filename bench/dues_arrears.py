"""Dues arrears benchmark: the district's arrears page (团费欠缴) next to ordinary pages, on the demo district.

The review measured the district's arrears page at 843 ms to first byte, about 10× the median page. The
cause: for every active member of the subtree (13,000 at 1×) the query worked out the first month owed
and the months owed with TruncMonth / ExtractYear / ExtractMonth, which SQLite runs as Python functions,
once per row, in the page query and again in the paginator's COUNT. They are now one CASE over the
window's months (plain date comparisons). On PostgreSQL (5.19× the baseline after that) two more: the
query's estimated cost made the server JIT-compile it (105 of its 300 ms; settings turn JIT off), and the
paginator's COUNT worked out every member's unpaid months a second time (the page now takes the ordered ids
once and reads its 50 rows by id: ``dues_queries.arrears_page``): 2.86× on a loaded machine.

In a database seeded with ``manage.py seed_demo`` (every app's demo: people, meetings, a year of dues),
kept and reused (``--fresh`` rebuilds it), as the district admin (``district``), round by round
(``--runs``, default 21; one warm-up round first), through the test client (the whole stack: middleware,
context processors, the template):

    arrears      /lifecycle/dues/org/<root>/arrears/ (default window, six months; first page)
    baseline     the median of three ordinary pages of the same user in the same round: the root's
                 organisation page, the root's monthly dues summary and the inbox

Goal: the arrears page's median within 3× of the baseline (PASS/FAIL; ``--strict`` exits 1 on a FAIL).
Also printed: the queries the arrears page issues and the slowest of them.

Database: ``var/bench/tongxin_bench_dues.sqlite3`` or, with ``--db postgres``, ``tongxin_bench_dues`` on
``postgres://postgres@127.0.0.1:5432`` (``--pg-url``). ``--quick``: a tiny district (bench/roster.py's
QUICK_DEMO) in ``var/bench-quick/`` / ``tongxin_benchq_dues``, rebuilt each time, 3 rounds; goals printed,
never failing.

    .venv/bin/python bench/dues_arrears.py [--db sqlite|postgres|all] [--fresh] [--runs 21] [--strict]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from import_roster import setup_django
from roster import BENCH_DIR, DB_PREFIX, PG_BASE_URL, QUICK, ROOT, add_quick_option, log, shrink_demo_in_quick_mode

MAX_RATIO = 3.0  # goal: the arrears page within 3× of the median ordinary page
DB_NAME = f"{DB_PREFIX}_dues"


def sqlite_file() -> Path:
    return BENCH_DIR / f"{DB_NAME}.sqlite3"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def prepare(args: argparse.Namespace) -> None:
    """Create the database (recreate it with --fresh or --quick) before Django connects."""
    fresh = args.fresh or QUICK
    if args.db == "postgres":
        import psycopg

        url = args.pg_url.replace("postgres://", "postgresql://", 1) + "/postgres"
        with psycopg.connect(url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
            if exists and fresh:
                conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file()}{suffix}").unlink(missing_ok=True)


def seed() -> float | None:
    """``seed_demo`` unless the database holds the demo already; the seconds it took."""
    from django.core.management import call_command

    from tongxin.lifecycle.models import DuesPayment

    call_command("migrate", verbosity=0, interactive=False)
    if DuesPayment.objects.exists():
        return None
    shrink_demo_in_quick_mode()
    log("  seeding the demo district (seed_demo)…")
    started = time.monotonic()
    call_command("seed_demo", verbosity=0)
    return time.monotonic() - started


def child(args: argparse.Namespace) -> dict[str, Any]:
    prepare(args)
    setup_django(args, sqlite=sqlite_file(), pg_name=DB_NAME)
    seed_seconds = seed()

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from tongxin.accounts.models import User
    from tongxin.orgs.models import Organization
    from tongxin.people.models import Person

    root = Organization.objects.get(parent=None)
    client = Client()
    client.force_login(User.objects.get(username="district"))
    pages = {
        "arrears": reverse("lifecycle:dues_arrears", args=[root.pk]),
        "org page": reverse("orgs:detail", args=[root.pk]),
        "dues summary": reverse("lifecycle:dues_summary", args=[root.pk]),
        "inbox": reverse("core:inbox"),
    }
    times: dict[str, list[float]] = {name: [] for name in pages}
    for round_ in range(args.runs + 1):
        for name, url in pages.items():
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            if round_:  # the first round warms the caches
                times[name].append(elapsed)
    captured: list[tuple[float, str]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timed):
        client.get(pages["arrears"])
    slowest = sorted(captured, key=lambda q: -q[0])[:2]
    return {
        "vendor": connection.vendor,
        "people": Person.objects.count(),
        "seed_seconds": seed_seconds,
        "times": times,
        "queries": len(captured),
        "slowest": [{"ms": ms, "sql": sql[:160]} for ms, sql in slowest],
    }


def report(db: str, res: dict[str, Any]) -> bool:
    how = f"seeded in {res['seed_seconds']:.0f} s" if res["seed_seconds"] else "reused"
    print(f"\n=== {db} ({res['vendor']}), demo district of {res['people']:,} people ({how}), as 'district'")
    meds = {name: median(values) for name, values in res["times"].items()}
    for name, values in res["times"].items():
        print(f"  {name:<14} median {meds[name]:8.1f} ms   min {min(values):8.1f} ms   ({len(values)} runs)")
    baseline = median([meds["org page"], meds["dues summary"], meds["inbox"]])
    ratio = meds["arrears"] / baseline if baseline else float("nan")
    ok = ratio <= MAX_RATIO
    print(f"  baseline (median of the three ordinary pages) {baseline:.1f} ms; arrears / baseline {ratio:.2f}×")
    print(f"  queries of the arrears page: {res['queries']}; the slowest:")
    for q in res["slowest"]:
        print(f"    {q['ms']:7.1f} ms  {q['sql']}…")
    verdict = "PASS" if ok or QUICK else "FAIL"
    print(f"  {verdict}: the arrears page within {MAX_RATIO:g}× of the ordinary pages ({ratio:.2f}×)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="sqlite")
    parser.add_argument("--fresh", action="store_true", help="rebuild the seeded bench database")
    parser.add_argument("--runs", type=int, default=21, help="timed rounds (≥ 1)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the goal fails")
    parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL), help="server URL")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    add_quick_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.runs = 3
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.child:
        sys.stdout = sys.stderr  # only the JSON file talks to the parent
        Path(args.out).write_text(json.dumps(child(args), ensure_ascii=False))
        return 0
    all_ok = True
    for db in ["sqlite", "postgres"] if args.db == "all" else [args.db]:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            out = Path(tmp.name)
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--db", db, "--out", str(out)]
        command += ["--runs", str(args.runs), "--pg-url", args.pg_url] + (["--fresh"] if args.fresh else [])
        command += ["--quick"] if args.quick else []
        try:
            if subprocess.call(command, cwd=ROOT) != 0:
                raise SystemExit(f"[{db}] the benchmark process failed")
            all_ok &= report(db, json.loads(out.read_text()))
        finally:
            out.unlink(missing_ok=True)
    return 1 if args.strict and not all_ok and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
