"""Roster benchmark: do the roster page and /api/people/ stay flat as the district grows?

Seeds the demo district at 1× and 10× (separate databases, reused between runs), then times, for the
district admin (``district``, admin of the root), in-process through the full middleware stack
(django.test.Client with force_login):

    layout       an empty page on base.html (same middleware, context processors, login_required)
    roster p1    /people/                     roster mid   /people/?cursor=<key of row N/2>
    roster jump  /people/?page=<the middle page> (the pager's page-number form: an OFFSET from the nearer end)
    api empty    the /api/people/ viewset over queryset.none() (same DRF stack, count 0)
    api p1       /api/people/                 api mid      /api/people/?cursor=<key of row N/2>

Each scale runs in its own subprocess (settings are per process). Both start together (seeding in
parallel), then take turns in lockstep: the parent asks one child for a round (every endpoint once),
then the other, so both scales see the same machine load. The parent collects their JSON and prints
medians, query counts, ratios, the goals, and the plans of the roster queries.

    .venv/bin/python bench/roster.py [--db sqlite|postgres|all] [--fresh] [--runs 41] [--explain] [--quick]

``--quick`` (every benchmark has it; ``make test`` runs them so): the same code on a tiny demo district
(QUICK_DEMO below, in var/bench-quick/ or the ``tongxin_benchq_*`` databases: this script rebuilds them, the
others seed them when missing) with a few runs, so that a benchmark that no longer runs fails the suite.
Its figures mean nothing; goals pass.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Quick mode: the parent sees --quick, its children (and the other benchmarks' children) inherit the variable.
QUICK = "--quick" in sys.argv or os.environ.get("TONGXIN_BENCH_QUICK") == "1"
if QUICK:
    os.environ["TONGXIN_BENCH_QUICK"] = "1"
BENCH_DIR = ROOT / "var" / ("bench-quick" if QUICK else "bench")
DB_PREFIX = "tongxin_benchq" if QUICK else "tongxin_bench"
# The demo district's sizes in quick mode (tongxin.people.demo's constants, patched in the seeding process).
QUICK_DEMO = {"COMMITTEES": 2, "WORKING_COMMITTEES": 1, "GENERAL_BRANCHES": 2, "BRANCHES": 8, "LEAGUE_MEMBERS": 150}
SCALES = (1, 10)
PG_BASE_URL = "postgres://postgres@127.0.0.1:5432"

MAX_SCALE_RATIO = 1.2  # goal: 10× within 1.2× of 1×
MAX_LAYOUT_RATIO = 5.0  # goal: the roster page within 5× of the empty layout page

# (endpoint, its baseline) in display order.
ENDPOINTS = [
    ("layout", None),
    ("roster p1", "layout"),
    ("roster mid", "layout"),
    ("roster jump", "layout"),
    ("api empty", None),
    ("api p1", "api empty"),
    ("api mid", "api empty"),
]
DATA_ENDPOINTS = [name for name, base in ENDPOINTS if base is not None]


def db_name(scale: int) -> str:
    return f"{DB_PREFIX}_{scale}x"


def add_quick_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick", action="store_true", help="tiny scale, few runs, fresh databases: does it still run? (make test)"
    )


def bench_environment() -> None:
    """The settings every benchmark process runs with: production's (DEBUG off), keys from the environment
    (``make bench`` exports throw-away ones), the administrators' two-factor step off (the benchmarks log in
    with force_login as the district admin, and time pages, not the login)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongxin.settings"
    os.environ.setdefault("TONGXIN_SECRET_KEY", "bench-only-key")
    os.environ.pop("TONGXIN_DEBUG", None)
    os.environ["TONGXIN_ADMIN_2FA"] = "0"
    if QUICK:
        os.environ.setdefault("TONGXIN_LOG_LEVEL", "WARNING")  # no access log line per request


def shrink_demo_in_quick_mode() -> None:
    if QUICK:
        from tongxin.people import demo

        for name, value in QUICK_DEMO.items():
            setattr(demo, name, value)


def sqlite_path(scale: int) -> Path:
    return BENCH_DIR / f"{db_name(scale)}.sqlite3"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ---------------------------------------------------------------------------------------------------
# Child: one database, one scale, one pass.
# ---------------------------------------------------------------------------------------------------


def prepare_postgres(scale: int, fresh: bool, base_url: str, name: str | None = None) -> None:
    """Create (with --fresh: recreate) the scale's database (or ``name``), before Django connects to it."""
    import psycopg

    name = name or db_name(scale)
    url = base_url.replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and fresh:
            log(f"  dropping database {name}")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            log(f"  creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare_sqlite(scale: int, fresh: bool) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path(scale)}{suffix}").unlink(missing_ok=True)


def expected_counts(scale: int) -> tuple[int, int]:
    from tongxin.people import demo

    orgs = 1 + scale * (demo.COMMITTEES + demo.WORKING_COMMITTEES + demo.GENERAL_BRANCHES + demo.BRANCHES) + 1
    return orgs, scale * demo.LEAGUE_MEMBERS + demo.PARTY_MEMBERS


def ensure_seeded(scale: int, vendor: str) -> float | None:
    """Seed the demo district at ``scale`` unless the database holds it already; the seconds it took."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from tongxin.accounts.demo import create_demo_accounts
    from tongxin.accounts.models import User
    from tongxin.orgs.models import Organization
    from tongxin.people.demo import build_demo
    from tongxin.people.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    shrink_demo_in_quick_mode()
    want_orgs, want_people = expected_counts(scale)
    have = (Organization.objects.count(), Person.objects.count(), User.objects.filter(username="district").exists())
    if have == (want_orgs, want_people, True):
        return None
    if have[0] or have[1]:
        log(f"  the database holds {have[0]} organisations / {have[1]} people, not the {scale}× demo: flushing it")
        call_command("flush", verbosity=0, interactive=False)

    log(f"  seeding {scale}× ({want_orgs} organisations, {want_people} people)…")
    started = time.monotonic()
    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(15):
            log(f"    … still seeding {scale}× ({time.monotonic() - started:.0f} s)")

    threading.Thread(target=heartbeat, daemon=True).start()
    try:
        with transaction.atomic():
            result = build_demo(scale=scale, progress=lambda m: log(f"    {m} ({time.monotonic() - started:.0f} s)"))
            create_demo_accounts(result.root)
    finally:
        done.set()
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does shortly after a bulk load
    seconds = time.monotonic() - started
    log(f"  seeded {scale}× in {seconds:.1f} s")
    return seconds


def bench_urlconf() -> str:
    """The project's URLconf plus the two empty baselines; it exists only in this process."""
    import types

    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import include, path

    from tongxin.people.api import PersonViewSet

    layout = engines["django"].from_string('{% extends "base.html" %}{% block content %}{% endblock %}')

    @login_required
    def empty_layout(request):
        return HttpResponse(layout.render({"title": "Empty"}, request))

    class EmptyPersonViewSet(PersonViewSet):
        """The same viewset (authentication, permission, filter backend, pagination, renderer), no rows."""

        def get_queryset(self):
            return super().get_queryset().none()

        def get_keyset_count(self, queryset):
            return 0

    module = types.ModuleType("bench_roster_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/empty/", empty_layout),
        path("bench/api-empty/", EmptyPersonViewSet.as_view({"get": "list"})),
        path("", include("tongxin.urls")),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


def explain(sql: str, vendor: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node_id, parent, _unused, detail in rows:
        depth[node_id] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node_id] + detail)
    return "\n".join(lines)


def is_roster_query(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT") and ("people_person" in sql or "orgs_orgstats" in sql)


def run_child(args: argparse.Namespace) -> None:
    # stdout talks to the parent; anything else printed goes to stderr.
    proto = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr
    scale = args.scale
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = f"{args.pg_url}/{db_name(scale)}"
        prepare_postgres(scale, args.fresh, args.pg_url)
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["TONGXIN_SQLITE_PATH"] = str(sqlite_path(scale))
        prepare_sqlite(scale, args.fresh)
    bench_environment()  # time what production runs (DEBUG off, cached templates)
    sys.path.insert(0, str(ROOT))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: STATIC_ROOT not collected
    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches

    from tongxin.accounts.models import User
    from tongxin.core.pagination import encode_cursor
    from tongxin.people.filters import SORTS
    from tongxin.people.models import MembershipStatus, Person

    vendor = connection.vendor
    seed_seconds = ensure_seeded(scale, vendor)
    settings.ROOT_URLCONF = bench_urlconf()
    clear_url_caches()

    # The cursor of the row at N/2 in the default sort ("org": org_path, name_pinyin, id).
    user = User.objects.get(username="district")
    visible = Person.objects.visible_to(user).filter(status=MembershipStatus.ACTIVE)
    total = visible.count()
    names = [name for name, _column in SORTS["org"][1]]
    cursor = encode_cursor(list(visible.order_by(*names).values_list(*names)[total // 2]), "after")

    client = Client()
    client.force_login(user)
    json_accept = {"HTTP_ACCEPT": "application/json"}
    urls: dict[str, tuple[str, dict[str, str]]] = {
        "layout": ("/bench/empty/", {}),
        "roster p1": ("/people/", {}),
        "roster mid": (f"/people/?cursor={cursor}", {}),
        "roster jump": (f"/people/?page={(total + 49) // 50 // 2 + 1}", {}),
        "api empty": ("/bench/api-empty/", json_accept),
        "api p1": ("/api/people/", json_accept),
        "api mid": (f"/api/people/?cursor={cursor}", json_accept),
    }

    def fetch(name: str):
        url, headers = urls[name]
        response = client.get(url, **headers)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
        return response

    # Sanity: full pages and the right total.
    for name in ("roster p1", "roster mid", "roster jump"):
        cells = fetch(name).content.decode().count('<td data-label="')
        assert cells == 50 * 8, f"{name}: {cells} cells, expected 50 rows of 8"
    for name in ("api p1", "api mid"):
        data = fetch(name).json()
        assert len(data["results"]) == 50 and data["count"] == total, (name, len(data["results"]), data["count"])
    assert fetch("api empty").json()["results"] == []

    for _ in range(args.warmup):
        for name in urls:
            fetch(name)
    wall: dict[str, list[float]] = {name: [] for name in urls}
    cpu: dict[str, list[float]] = {name: [] for name in urls}
    # Lockstep with the other scale's process: one round (every endpoint once) per "run" from the parent,
    # so both scales see the same machine load; the process that is not running a round sits idle.
    proto.write("ready\n")
    proto.flush()
    for command in sys.stdin:
        if command.strip() != "run":
            break
        for name in urls:  # round-robin, so noise hits every endpoint alike
            started, started_cpu = time.perf_counter(), time.process_time()
            fetch(name)
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
        proto.write("done\n")
        proto.flush()

    endpoints: dict[str, Any] = {}
    for name in urls:
        with CaptureQueriesContext(connection) as captured:
            fetch(name)
        queries = [q["sql"] for q in captured.captured_queries]
        main = next((sql for sql in queries if 'FROM "people_person"' in sql), None)
        sql_ms: list[float] = []
        if main is not None:  # the roster query alone, straight through the DB cursor
            with connection.cursor() as db_cursor:
                for _ in range(args.runs):
                    started = time.perf_counter()
                    db_cursor.execute(main)
                    db_cursor.fetchall()
                    sql_ms.append((time.perf_counter() - started) * 1000)
        endpoints[name] = {
            "url": urls[name][0],
            "wall_ms": wall[name],
            "cpu_ms": cpu[name],
            "sql_ms": sql_ms,
            "queries": len(queries),
            "sql": queries,
            "plans": {sql: explain(sql, vendor) for sql in queries if is_roster_query(sql)},
        }
    result = {
        "db": args.db,
        "vendor": vendor,
        "db_version": sqlite3.sqlite_version if vendor == "sqlite" else str(connection.pg_version),
        "scale": scale,
        "people_active_visible": total,
        "seed_seconds": seed_seconds,
        "endpoints": endpoints,
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False))
    proto.write("written\n")
    proto.flush()


# ---------------------------------------------------------------------------------------------------
# Parent: run the children, pool the samples, print the figures.
# ---------------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


class Child:
    """One scale's process: it seeds or reuses its database, then runs rounds when told to."""

    def __init__(self, args: argparse.Namespace, db: str, scale: int):
        self.db, self.scale = db, scale
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            self.out = Path(tmp.name)
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--db", db, "--scale", str(scale)]
        command += ["--runs", str(args.runs), "--warmup", str(args.warmup), "--out", str(self.out)]
        command += ["--pg-url", args.pg_url]
        if args.fresh:
            command.append("--fresh")
        self.proc = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def expect(self, word: str) -> None:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != word:
            self.proc.kill()
            code = self.proc.wait()
            raise SystemExit(f"[{self.db} {self.scale}×] the child process failed (said {line!r}, exit {code})")

    def send(self, word: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()

    def finish(self) -> dict[str, Any]:
        self.send("end")
        self.expect("written")
        self.proc.wait()
        try:
            return json.loads(self.out.read_text())
        finally:
            self.out.unlink(missing_ok=True)


def collect(args: argparse.Namespace, db: str) -> dict[int, dict[str, Any]]:
    """Both scales' processes at once (seeding in parallel), then timed rounds taking turns."""
    log(f"[{db}] starting one process per scale ({', '.join(f'{s}×' for s in SCALES)}); reusing or seeding")
    started = time.monotonic()
    children = [Child(args, db, scale) for scale in SCALES]
    try:
        for child in children:
            child.expect("ready")
        log(f"[{db}] ready after {time.monotonic() - started:.0f} s; {args.runs} rounds, the scales taking turns")
        for n in range(args.runs):
            for child in children if n % 2 == 0 else children[::-1]:
                child.send("run")
                child.expect("done")
        return {child.scale: child.finish() for child in children}
    finally:
        for child in children:
            if child.proc.poll() is None:
                child.proc.kill()


def report(db: str, results: dict[int, dict[str, Any]], full_plans: bool) -> list[tuple[str, bool]]:
    goals: list[tuple[str, bool]] = []
    lo, hi = SCALES[0], SCALES[-1]
    first = results[lo]
    print(f"\n=== {db} ({first['vendor']} {first['db_version']})")
    for scale, res in results.items():
        seeded = f"; seeded in {res['seed_seconds']:.0f} s" if res["seed_seconds"] else "; database reused"
        runs = len(res["endpoints"]["layout"]["wall_ms"])
        print(f"  {scale}×: {res['people_active_visible']} active people in scope, {runs} timed runs{seeded}")
    print()
    header = f"  {'scale':>5}  {'endpoint':<11} {'median ms':>9} {'min':>7} {'cpu ms':>7} {'sql ms':>7} {'queries':>7}"
    print(header + "  ratio to empty baseline")
    for scale, res in results.items():
        eps = res["endpoints"]
        for name, base in ENDPOINTS:
            e = eps[name]
            ratio = ""
            if base is not None:
                r = median(e["wall_ms"]) / median(eps[base]["wall_ms"])
                ratio = f"{r:5.2f}× {base}"
                if name.startswith("roster"):
                    ok = r <= MAX_LAYOUT_RATIO
                    ratio += f"  {verdict(ok)} (≤ {MAX_LAYOUT_RATIO:g}×)"
                    label = f"{db} {scale}× {name}: within {MAX_LAYOUT_RATIO:g}× of the empty layout ({r:.2f}×)"
                    goals.append((label, ok))
            sql = f"{median(e['sql_ms']):7.2f}" if e["sql_ms"] else f"{'':7}"
            print(
                f"  {scale:>4}×  {name:<11} {median(e['wall_ms']):9.2f} {min(e['wall_ms']):7.2f}"
                f" {median(e['cpu_ms']):7.2f} {sql} {e['queries']:7d}  {ratio}"
            )
    print(f"\n  {'endpoint':<11} {f'{lo}× ms':>9} {f'{hi}× ms':>9} {f'{hi}×/{lo}×':>8}  goal ≤ {MAX_SCALE_RATIO}×"
          f"  min {hi}×/{lo}×  cpu {hi}×/{lo}×  sql {hi}×/{lo}×  queries {lo}×/{hi}×")  # fmt: skip
    drift: dict[str, float] = {}
    for name, base in ENDPOINTS:
        a, b = results[lo]["endpoints"][name], results[hi]["endpoints"][name]
        r = median(b["wall_ms"]) / median(a["wall_ms"])
        drift[name] = r
        mark = ""
        if base is not None:
            mark = verdict(r <= MAX_SCALE_RATIO)
            goals.append((f"{db} {name}: {hi}× within {MAX_SCALE_RATIO}× of {lo}× ({r:.2f}×)", r <= MAX_SCALE_RATIO))
        min_ratio = f"{min(b['wall_ms']) / min(a['wall_ms']):.2f}×"
        cpu_ratio = f"{median(b['cpu_ms']) / median(a['cpu_ms']):.2f}×"
        sql_ratio = f"{median(b['sql_ms']) / median(a['sql_ms']):.2f}×" if a["sql_ms"] else ""
        counts = f"{a['queries']}/{b['queries']} {verdict(a['queries'] == b['queries'])}"
        print(f"  {name:<11} {median(a['wall_ms']):9.2f} {median(b['wall_ms']):9.2f} {r:7.2f}×  {mark:<4}"
              f"  {min_ratio:>12} {cpu_ratio:>12} {sql_ratio:>12}  {counts:>12}")  # fmt: skip
    moved = {name: r for name, r in drift.items() if name in ("layout", "api empty") and not 0.9 <= r <= 1.1}
    if moved:
        shown = ", ".join(f"{name} {r:.2f}×" for name, r in moved.items())
        print(f"  NOTE: the empty baselines moved between the scales ({shown}) though they read no roster data:")
        print("        the machine is noisy. Less noisy: 'min' (best run), 'cpu' (this process's CPU time: all")
        print("        of SQLite's work, none of PostgreSQL's), 'sql' (the roster query alone, through the cursor).")
    # Constant queries: the same count at every scale and in every pass, and the middle page like the first.
    for name in DATA_ENDPOINTS:
        counts = sorted({res["endpoints"][name]["queries"] for res in results.values()})
        goals.append((f"{db} {name}: constant number of queries at 1× and 10× ({counts})", len(counts) == 1))
    for page in ("roster", "api"):
        for scale, res in results.items():
            p1, mid = res["endpoints"][f"{page} p1"]["queries"], res["endpoints"][f"{page} mid"]["queries"]
            label = f"{db} {scale}× {page}: the middle page runs as many queries as the first ({mid}/{p1})"
            goals.append((label, p1 == mid))
    print_plans(results, full_plans)
    return goals


def plan_checks(db: str, results: dict[int, dict[str, Any]]) -> list[tuple[str, bool]]:
    """What the roster query's plans say: the index serves filter, order and seek; no COUNT of the roster.

    One line per check, naming the pages (scale and endpoint) where it fails.
    """
    failures: dict[str, list[str]] = {}
    for scale, res in results.items():
        for name in DATA_ENDPOINTS:
            e = res["endpoints"][name]
            page = f"{scale}× {name}"
            main = next((sql for sql in e["plans"] if 'FROM "people_person"' in sql), None)
            plan = e["plans"].get(main, "") if main else ""
            lines = [line.strip().removeprefix("->  ") for line in plan.splitlines()]
            sorts = [ln for ln in lines if "TEMP B-TREE" in ln or ln.startswith(("Sort", "Incremental Sort"))]
            if res["vendor"] == "sqlite":
                seek = any(ln.startswith("SEARCH people_person") and "(org_path,name_pinyin" in ln for ln in lines)
            else:
                seek = any(ln.startswith("Index Cond") and "ROW(" in ln for ln in lines)
            counts = [sql for sql in e["sql"] if "COUNT(" in sql.upper() and "people_person" in sql]
            uses_index = "person_roster_idx" in plan
            verdicts = {
                "the roster query uses person_roster_idx (status, org_path, name_pinyin, id)": uses_index,
                "no sort step: the index gives the order": bool(plan) and not sorts,
                "no COUNT over people_person: the total comes from the roll-ups": not counts,
            }
            if "mid" in name:
                verdicts["the middle page seeks to the cursor: the row-value bound is an index bound"] = seek
            for label, ok in verdicts.items():
                failures.setdefault(label, [])
                if not ok:
                    failures[label].append(page)
    return [
        (f"{db}: {label}" + (f" — fails on {', '.join(pages)}" if pages else ""), not pages)
        for label, pages in failures.items()
    ]


def short_sql(sql: str) -> str:
    """The SQL on one line, the select list elided."""
    sql = " ".join(sql.split())
    upper = sql.upper()
    if upper.startswith("SELECT ") and " FROM " in upper:
        sql = "SELECT … " + sql[upper.index(" FROM ") + 1 :]
    return sql


def summarise(plan: str) -> str:
    """The lines of a plan that tell how the rows are found: scans, index conditions, sorts, buffers, time."""
    lines = [line.strip().removeprefix("->  ") for line in plan.splitlines() if line.strip()]
    keep = ("SEARCH", "SCAN", "USE TEMP", "Index", "Seq Scan", "Sort", "Incremental Sort", "Rows Removed", "Execution")
    picked = [line for line in lines if line.startswith(keep)]
    buffers = next((line for line in lines if line.startswith("Buffers")), None)
    if buffers:
        picked.insert(len(picked) - 1 if picked and picked[-1].startswith("Execution") else len(picked), buffers)
    return "\n      ".join(line[:200] for line in picked) or lines[0]


def print_plans(results: dict[int, dict[str, Any]], full: bool) -> None:
    print("\n  Queries per request" + (" (each one)" if full else ""))
    for scale, res in results.items():
        for name in DATA_ENDPOINTS:
            e = res["endpoints"][name]
            counts = sum(1 for sql in e["sql"] if "COUNT(" in sql.upper() and "people_person" in sql)
            print(f"  [{scale}× {name}] {e['queries']} queries, {counts} of them COUNT over people_person")
            if full:
                for sql in e["sql"]:
                    print(f"      - {short_sql(sql)[:240]}")
    print("\n  Plans of the roster queries" + ("" if full else " (the telling lines; --explain prints them whole)"))
    for scale, res in results.items():
        seen: dict[str, list[str]] = {}
        for name in DATA_ENDPOINTS:
            for sql in res["endpoints"][name]["plans"]:
                seen.setdefault(sql, []).append(name)
        for sql, names in seen.items():
            plan = res["endpoints"][names[0]]["plans"][sql]
            text = short_sql(sql)
            if not full:
                text = text[:110] + " … " + text[text.index(" WHERE ") :][-230:] if " WHERE " in text else text[:300]
            print(f"  [{scale}×: {', '.join(names)}]\n    {text}")
            print("      " + (plan.replace("\n", "\n      ") if full else summarise(plan)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="sqlite")
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench databases")
    parser.add_argument("--runs", type=int, default=41, help="timed runs per endpoint and scale (≥ 15)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per endpoint first")
    parser.add_argument("--explain", action="store_true", help="print every query and the full plans")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal fails")
    parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL), help="server URL")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    add_quick_option(parser)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return 0
    if args.quick:
        args.runs, args.warmup, args.fresh = 2, 1, True
    elif args.runs < 15:
        parser.error("--runs must be at least 15")
    started = time.monotonic()
    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    goals: list[tuple[str, bool]] = []
    checks: list[tuple[str, bool]] = []
    for db in ["sqlite", "postgres"] if args.db == "all" else [args.db]:
        db_started = time.monotonic()
        results = collect(args, db)
        goals += report(db, results, args.explain)
        checks += plan_checks(db, results)
        print(f"\n  ({db}: {time.monotonic() - db_started:.0f} s, seeding included)")
    print("\n=== Plan checks (diagnostics)")
    for label, ok in checks:
        print(f"  {verdict(ok)}  {label}")
    print("\n=== Goals")
    for label, ok in goals:
        print(f"  {verdict(ok)}  {label}")
    failed = sum(1 for _label, ok in goals if not ok)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{len(goals) - failed}/{len(goals)} goals met; {time.monotonic() - started:.0f} s in all;"
        f" load average at the end {load} on {os.cpu_count()} CPUs (at the start: {load_start})"
    )
    return 1 if failed and args.strict and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
