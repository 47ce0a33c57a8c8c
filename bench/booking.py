"""Booking benchmark (issue 16): the free-venue search and one booking, against a plain SQL overlap query on
the same data in the same run.

The data: a district with 200 venues (``--quick``: 20) and a year of bookings around today (two to four
bookings a day per venue, written in bulk with no overlap, as the booking service would have accepted them),
built once per database and reused (``--fresh`` rebuilds it; ``--quick`` always does). Then, round by round
(``--runs``, default 31; one warm-up round first), each on another Saturday afternoon of the year:

    search     venues.queries.free_venues over every venue (the district admin's scope): open, holding 30
               people, open that weekday and those hours, no closure that day, no confirmed booking overlapping
    plain      the same question as one hand-written SQL query (capacity, status and NOT EXISTS an overlapping
               confirmed booking): the floor an ORM query could reach
    booking    venues.services.book of one free venue for that afternoon (locks, checks, writes, audits)

Goals: the search's median ≤ 3× the plain query's and under 100 ms (PASS/FAIL; ``--strict`` exits 1 on a FAIL;
``--quick`` prints them and never fails).

Database: ``var/bench/tongxin_bench_booking.sqlite3`` or, with ``--db postgresql``, ``tongxin_bench_booking`` on
``postgres://postgres@127.0.0.1:5432`` (``--pg-url``); ``--quick`` uses ``var/bench-quick`` and
``tongxin_benchq_booking``.

    .venv/bin/python bench/booking.py [--db sqlite|postgresql|all] [--fresh] [--runs 31] [--strict] [--quick]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from import_roster import setup_django
from roster import BENCH_DIR, DB_PREFIX, PG_BASE_URL, QUICK, ROOT, add_quick_option, log

MAX_RATIO = 3.0  # goal: the search within 3× of the plain overlap query
MAX_SEARCH_MS = 100.0  # goal: the search under 100 ms
DB_NAME = f"{DB_PREFIX}_booking"
VENUES = 20 if QUICK else 200
DAYS = 60 if QUICK else 365

PLAIN_SQL = """
SELECT v.id FROM venues_venue v
WHERE v.status = 'open' AND v.capacity >= %s AND v.opens_at <= %s AND v.closes_at >= %s AND v.open_days LIKE %s
  AND NOT EXISTS (SELECT 1 FROM venues_booking b WHERE b.venue_id = v.id AND b.status = 'confirmed'
                  AND b.starts_at < %s AND b.ends_at > %s)
ORDER BY v.capacity, v.name, v.id
"""


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


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build() -> float | None:
    """The district, its venues and a year of bookings, unless the database holds them; the seconds it took."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from tongxin.orgs.models import OrgKind
    from tongxin.orgs.services import create_organization
    from tongxin.venues.models import Booking, Venue
    from tongxin.venues.services import create_venue

    call_command("migrate", verbosity=0, interactive=False)
    if Venue.objects.exists():
        return None
    log(f"  building {VENUES} venues and {DAYS} days of bookings…")
    started = time.monotonic()
    rng = random.Random(16)
    today = timezone.localdate()
    first = today - datetime.timedelta(days=DAYS // 2)
    with transaction.atomic():
        root = create_organization(None, parent=None, kind=OrgKind.LOCAL_COMMITTEE, name="共青团基准区委员会",
                                   code="BK0")  # fmt: skip
        orgs = [create_organization(None, parent=root, kind=OrgKind.COMMITTEE, name=f"基准团委{i}", code=f"BK{i}")
                for i in range(1, 11)]  # fmt: skip
        venues = [
            create_venue(None, host=rng.choice([root, *orgs]), name=f"基准青年之家{i:03d}", kind="youth_home",
                         address=f"基准路{i}号", division_code=f"530112{i % 12 + 1:03d}", opens_at=datetime.time(9),
                         closes_at=datetime.time(21), open_days="1234567" if i % 5 else "12345",
                         capacity=rng.choice([15, 20, 30, 40, 60, 80, 120]))
            for i in range(VENUES)
        ]  # fmt: skip
        rows = []
        slots = [(9, 11), (11, 13), (14, 16), (16, 18), (19, 21)]
        for venue in venues:
            for n in range(DAYS):
                day = first + datetime.timedelta(days=n)
                if str(day.isoweekday()) not in venue.open_days:
                    continue
                for start, end in rng.sample(slots, rng.randint(2, 4)):
                    org = rng.choice(orgs)
                    rows.append(Booking(venue=venue, venue_path=venue.org_path, organization=org, org_path=org.path,
                                        starts_at=_at(day, start), ends_at=_at(day, end), purpose="基准活动",
                                        expected_attendance=min(venue.capacity, 10)))  # fmt: skip
        Booking.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.monotonic() - started


def child(args: argparse.Namespace) -> dict[str, Any]:
    prepare(args)
    setup_django(args, sqlite=sqlite_file(), pg_name=DB_NAME)
    build_seconds = build()

    from django.db import connection
    from django.utils import timezone

    from tongxin.orgs.models import Organization
    from tongxin.venues import queries, services
    from tongxin.venues.models import Booking, Venue

    today = timezone.localdate()
    saturdays = [today + datetime.timedelta(days=(5 - today.weekday()) % 7 + 7 * k - 7 * (DAYS // 14))
                 for k in range(DAYS // 7)]  # fmt: skip
    organization = Organization.objects.get(code="BK1")
    times: dict[str, list[float]] = {"search": [], "plain": [], "booking": []}
    found_sizes: list[int] = []
    for round_ in range(args.runs + 1):
        day = saturdays[round_ % len(saturdays)]
        start, end = _at(day, 14), _at(day, 17)
        began = time.perf_counter()
        found = list(queries.free_venues(Venue.objects.all(), starts_at=start, ends_at=end, capacity=30))
        search_ms = (time.perf_counter() - began) * 1000
        began = time.perf_counter()
        with connection.cursor() as cursor:
            ops = connection.ops
            hours = [ops.adapt_timefield_value(datetime.time(14)), ops.adapt_timefield_value(datetime.time(17))]
            moments = [ops.adapt_datetimefield_value(end), ops.adapt_datetimefield_value(start)]
            cursor.execute(PLAIN_SQL, [30, *hours, f"%{day.isoweekday()}%", *moments])
            plain = [row[0] for row in cursor.fetchall()]
        plain_ms = (time.perf_counter() - began) * 1000
        if [v.pk for v in found] != plain:
            raise SystemExit(f"the search and the plain query disagree on {day}: {len(found)} vs {len(plain)} venues")
        # one booking of a free venue at noon (13:00–14:00: between the generated slots)
        free = list(queries.free_venues(Venue.objects.all(), starts_at=_at(day, 13), ends_at=_at(day, 14)))
        began = time.perf_counter()
        if free:
            services.book(None, venue=free[round_ % len(free)], organization=organization, starts_at=_at(day, 13),
                          ends_at=_at(day, 14), purpose="基准预约", expected_attendance=5)  # fmt: skip
        booking_ms = (time.perf_counter() - began) * 1000
        if round_:  # the first round warms the caches
            times["search"].append(search_ms)
            times["plain"].append(plain_ms)
            if free:
                times["booking"].append(booking_ms)
            found_sizes.append(len(found))
    return {
        "vendor": connection.vendor,
        "venues": Venue.objects.count(),
        "bookings": Booking.objects.count(),
        "build_seconds": build_seconds,
        "times": times,
        "found": median([float(n) for n in found_sizes]),
    }


def report(db: str, res: dict[str, Any]) -> bool:
    how = f"built in {res['build_seconds']:.0f} s" if res["build_seconds"] else "reused"
    print(f"\n=== {db} ({res['vendor']}): {res['venues']} venues, {res['bookings']:,} bookings ({how})")
    meds = {name: median(values) for name, values in res["times"].items()}
    for name, values in res["times"].items():
        if values:
            print(f"  {name:<8} median {meds[name]:8.2f} ms   min {min(values):8.2f} ms   ({len(values)} runs)")
    ratio = meds["search"] / meds["plain"] if meds["plain"] else float("nan")
    print(f"  free venues found per search (median): {res['found']:.0f}; search / plain {ratio:.2f}×")
    ok = ratio <= MAX_RATIO and meds["search"] < MAX_SEARCH_MS
    verdict = "PASS" if ok or QUICK else "FAIL"
    print(f"  {verdict}: the search within {MAX_RATIO:g}× of the plain query ({ratio:.2f}×) and under "
          f"{MAX_SEARCH_MS:g} ms ({meds['search']:.1f} ms)")  # fmt: skip
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "all"], default="sqlite")
    parser.add_argument("--fresh", action="store_true", help="rebuild the bench database")
    parser.add_argument("--runs", type=int, default=31, help="timed rounds (≥ 1)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal fails")
    parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL), help="server URL")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    add_quick_option(parser)
    args = parser.parse_args()
    if args.db == "postgresql":
        args.db = "postgres"
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
    raise SystemExit(main())
