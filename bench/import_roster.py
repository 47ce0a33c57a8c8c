"""Roster import benchmark: is importing a district's whole roster quick, and exporting it lean?

Generates a realistic roster file the size of the demo district (13,373 rows, .xlsx): a title row above
the header row of ROSTER_COLUMNS, Chinese names, checksum-valid ID numbers new to the database, coded
fields as Chinese text (standard names and the usual other spellings), dates in mixed forms (Excel
dates, 2019-05-01, 2019/5/1, 2019年5月, 201905 as text or as a number) and branches named by their full
names from the 1× demo district. Then, for the district admin (``district``, admin of the root):

    import   in a FRESH copy of the seeded 1× database (the seeded one stays reusable):
             calamine   python-calamine alone: from_filelike().get_sheet_by_name().to_python()
             read       the engine's reader (tongxin.core.spreadsheets.read_sheets)
             dry run    run_check: read + find the header + normalise + validate + store the report
             then one commit (run_commit: the same check in a transaction, then the writes).
    export   in the seeded 10× database (~134,000 people): export_roster(..., full=False) to a temporary
             file; peak RSS growth of the process, wall time, rows/s (--tracemalloc: its peak, in a 2nd pass).

Each part runs in its own subprocess (settings are per process), one after the other so they do not
share the CPUs: first the seeding of both scales (in parallel, when missing), then the import, then the
export. The parent prints the figures and the goals:

    dry run within 5× of reading the file with python-calamine (medians of --runs repetitions)
    the whole import (dry run + commit) within 10 s
    exporting the 10× roster grows the process by at most 250 MB

    .venv/bin/python bench/import_roster.py [--db sqlite|postgres|all] [--fresh] [--runs 5] [--profile]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import io
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

# The database conventions (file and database names, seeding) are bench/roster.py's, so both share the
# seeded databases. bench/ is on sys.path when this file runs as a script.
from roster import (
    BENCH_DIR,
    PG_BASE_URL,
    QUICK,
    ROOT,
    add_quick_option,
    bench_environment,
    db_name,
    ensure_seeded,
    log,
    prepare_postgres,
    prepare_sqlite,
)
from roster import sqlite_path as seeded_sqlite_path
from workcopy import drop_pg_copy, drop_sqlite_copy, make_pg_copy, make_sqlite_copy, sqlite_copy_path

ROWS = 150 if QUICK else 13_373  # the demo district's league members at 1×
SEED = 2026
IMPORT_SCALE, EXPORT_SCALE = 1, 10
COPY_SUFFIX = "_import"  # the fresh copy the commit writes to: tongxin_bench_1x_import(.sqlite3)
FILE_NAME = f"roster_{ROWS}.xlsx"
SHEET_NAME = "团员名册"

MAX_CALAMINE_RATIO = 5.0  # goal: the dry run within 5× of python-calamine reading the same file
MAX_IMPORT_SECONDS = 10.0  # goal: dry run + commit
MAX_EXPORT_MB = 250.0  # goal: peak RSS growth while exporting the 10× roster


def copy_name() -> str:
    return db_name(IMPORT_SCALE) + COPY_SUFFIX


def copy_sqlite_path() -> Path:
    return sqlite_copy_path(copy_name())


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def rss_kb() -> int | None:
    """The process's resident set size now (Linux), in KB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def maxrss_kb() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KB on Linux


# ---------------------------------------------------------------------------------------------------
# Children: settings for one database, then one job (seed, import or export).
# ---------------------------------------------------------------------------------------------------


def setup_django(args: argparse.Namespace, *, sqlite: Path, pg_name: str) -> None:
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = f"{args.pg_url}/{pg_name}"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["TONGXIN_SQLITE_PATH"] = str(sqlite)
    bench_environment()  # time what production runs
    sys.path.insert(0, str(ROOT))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: STATIC_ROOT not collected
    import django

    django.setup()


def child_seed(args: argparse.Namespace) -> dict[str, Any]:
    """Seed the demo district at ``--scale`` unless the database holds it (bench/roster.py's databases)."""
    scale = args.scale
    if args.db == "postgres":
        prepare_postgres(scale, args.fresh, args.pg_url)
    else:
        prepare_sqlite(scale, args.fresh)
    setup_django(args, sqlite=seeded_sqlite_path(scale), pg_name=db_name(scale))
    from django.db import connection

    return {"scale": scale, "seed_seconds": ensure_seeded(scale, connection.vendor)}


def make_fresh_copy(args: argparse.Namespace) -> float:
    """A fresh copy of the seeded database to write to (bench/workcopy.py); the seconds it took."""
    if args.db == "postgres":
        return make_pg_copy(args.pg_url, db_name(IMPORT_SCALE), copy_name())
    return make_sqlite_copy(seeded_sqlite_path(IMPORT_SCALE), copy_name())


def drop_copy(args: argparse.Namespace, db: str) -> None:
    if db == "postgres":
        drop_pg_copy(args.pg_url, copy_name())
    else:
        drop_sqlite_copy(copy_name())


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _date_cell(rng: random.Random, day: datetime.date, *, month_only_ok: bool) -> tuple[Any, datetime.date]:
    """``day`` written one of the ways people write dates in a roster, with the date the import reads."""
    forms = ["excel", "iso", "slash", "chinese_day", "compact_day"]
    weights = [40, 25, 10, 10, 5]
    if month_only_ok:
        forms += ["chinese_month", "compact_month_text", "compact_month_number", "dot_month"]
        weights += [12, 6, 6, 3]
    form = rng.choices(forms, weights=weights)[0]
    first = day.replace(day=1)
    cells: dict[str, tuple[Any, datetime.date]] = {
        "excel": (datetime.datetime(day.year, day.month, day.day), day),
        "iso": (day.isoformat(), day),
        "slash": (f"{day.year}/{day.month}/{day.day}", day),
        "chinese_day": (f"{day.year}年{day.month}月{day.day}日", day),
        "compact_day": (f"{day:%Y%m%d}", day),
        "chinese_month": (f"{day.year}年{day.month}月", first),
        "compact_month_text": (f"{day:%Y%m}", first),
        "compact_month_number": (int(f"{day:%Y%m}"), first),
        "dot_month": (f"{day.year}.{day.month:02d}", first),
    }
    return cells[form]


def generate_rows(existing_ids: set[str], existing_numbers: set[str], branches: list[str]) -> list[list[Any]]:
    """ROWS data rows in ROSTER_COLUMNS order that the import accepts (all new people)."""
    from faker import Faker
    from stdnum.cn import ric

    from tongxin.core.codes import EDUCATION_NAMES, ETHNICITY_NAMES, SEX_NAMES
    from tongxin.core.rules import rule
    from tongxin.people.columns import OCCUPATION_NAMES, ROSTER_COLUMNS
    from tongxin.people.demo import AREA_CODES, ETHNICITY_WEIGHTS
    from tongxin.people.validators import age_on

    keys = [column.key for column in ROSTER_COLUMNS]
    rng = random.Random(SEED)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    today = datetime.date.today()
    threshold = rule("league_number_required_from_year")
    used_ids: set[str] = set()
    league_seq: dict[int, int] = {}
    rows: list[list[Any]] = []
    while len(rows) < ROWS:
        male = rng.random() < 0.48
        age = rng.choices(range(14, 28), weights=[3, 4, 5, 6, 6, 6, 6, 6, 6, 5, 5, 5, 4, 4])[0]
        birth = _add_years(today, -age) - datetime.timedelta(days=rng.randint(30, 330))
        sex_digit = rng.choice("13579" if male else "02468")
        body = f"{rng.choice(AREA_CODES)}{birth:%Y%m%d}{rng.randrange(100):02d}{sex_digit}"
        id_number = body + ric.calc_check_digit(body + "0")
        if id_number in existing_ids or id_number in used_ids:
            continue
        used_ids.add(id_number)

        # Joined at 14 to 18 mostly, never before the minimum age nor after today (or after 28).
        join_age = rng.choices([14, 15, 16, 17, 18, 20, 23], weights=[30, 25, 20, 10, 8, 5, 2])[0]
        join = _add_years(birth, join_age) + datetime.timedelta(days=rng.randint(1, 300))
        join = max(_add_years(birth, 14) + datetime.timedelta(days=1), min(join, today - datetime.timedelta(days=30)))
        join_cell, join_read = _date_cell(rng, join, month_only_ok=True)
        min_age = (
            rule("league_join_min_age") if join_read.year >= threshold else rule("league_join_min_age_before_2017")
        )
        if age_on(birth, join_read) < min_age:  # a month without its day reads as the 1st: too young then
            join_cell, join_read = _date_cell(rng, join, month_only_ok=False)
        league_number = None
        if join_read.year >= threshold:
            while True:
                league_seq[join_read.year] = league_seq.get(join_read.year, 0) + 1
                league_number = f"{join_read.year}530111{league_seq[join_read.year]:06d}"
                if league_number not in existing_numbers:
                    break

        status = "共青团员" if rng.random() < 0.85 else "团员"
        party_join_cell = None
        if age >= 20 and rng.random() < 0.03:
            status = rng.choice(["中共党员", "中共预备党员", "预备党员"])
            party_join_cell, _read = _date_cell(rng, _add_years(birth, 19) + datetime.timedelta(days=40),
                                                month_only_ok=True)  # fmt: skip
        if age <= 18:
            occupation = rng.choice(["学生", "在校学生", "学生"])
            education = "初中" if age <= 15 else rng.choice(["普通高中", "高中", "中职"])
        elif age <= 22 and rng.random() < 0.7:
            occupation = rng.choice(["学生", "在校生"])
            education = rng.choice([EDUCATION_NAMES["20"], "本科", EDUCATION_NAMES["30"], "大专"])
        else:
            occupation = rng.choices(
                [OCCUPATION_NAMES["employed"], "企业职工", "个体", "农民", "务农", "待业", "其他"],
                weights=[50, 15, 5, 8, 2, 5, 5],
            )[0]
            education = rng.choice([EDUCATION_NAMES["20"], EDUCATION_NAMES["30"], "中专", "硕士研究生", "高中"])
        ethnicity = ETHNICITY_NAMES[rng.choices([e for e, _w in ETHNICITY_WEIGHTS],
                                                weights=[w for _e, w in ETHNICITY_WEIGHTS])[0]]  # fmt: skip
        if rng.random() < 0.1:
            ethnicity = ethnicity.removesuffix("族")  # 彝, 白: the short spelling is common
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if rng.random() < 0.05:
            phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        if rng.random() < 0.05 and id_number.endswith("X"):
            id_number = id_number[:-1] + "x"
        birth_cell = _date_cell(rng, birth, month_only_ok=False)[0] if rng.random() < 0.8 else None
        values = {
            "name": fake.name_male() if male else fake.name_female(),
            "id_number": id_number,
            "sex": SEX_NAMES["1" if male else "2"],
            "birth_date": birth_cell,
            "ethnicity": ethnicity,
            "political_status": status,
            "league_join_date": join_cell,
            "league_number": league_number,
            "party_join_date": party_join_cell,
            "phone": phone if rng.random() < 0.95 else None,
            "education": education,
            "occupation": occupation,
            "branch": rng.choice(branches),
        }
        rows.append([values[key] for key in keys])
    return rows


def write_workbook(rows: list[list[Any]], path: Path) -> None:
    """The file as a committee would send it: a title row, the header row, then the data rows."""
    import xlsxwriter

    from tongxin.people.columns import ROSTER_COLUMNS

    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet(SHEET_NAME)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    sheet.merge_range(0, 0, 0, len(ROSTER_COLUMNS) - 1, "共青团昆明市西山区委员会团员名册（2025年度）", title)
    for col, column in enumerate(ROSTER_COLUMNS):
        sheet.write_string(1, col, column.header)
    for index, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(index, col, value, date_format)
            elif isinstance(value, int):
                sheet.write_number(index, col, value)
            else:
                sheet.write_string(index, col, value)
    workbook.close()


def child_import(args: argparse.Namespace) -> dict[str, Any]:
    """Generate the file, then time reading, the dry run and the commit in a fresh copy of the 1× database."""
    copy_seconds = make_fresh_copy(args)
    setup_django(args, sqlite=copy_sqlite_path(), pg_name=copy_name())
    import cProfile
    import pstats

    import python_calamine
    from django.conf import settings
    from django.db import connection

    from tongxin.accounts.models import User
    from tongxin.core import imports
    from tongxin.core.models import ImportJob
    from tongxin.core.spreadsheets import read_sheets
    from tongxin.orgs.models import Organization, OrgKind, OrgStatus
    from tongxin.people.models import Person

    vendor = connection.vendor
    user = User.objects.get(username="district")
    people_before = Person.objects.count()

    # The file: branches by full name (unique names only), ID and member numbers new to the database.
    started = time.perf_counter()
    names = list(
        Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE).values_list("name", flat=True)
    )
    all_names = list(Organization.objects.values_list("name", flat=True))
    branches = sorted(name for name in set(names) if all_names.count(name) == 1)
    existing_ids = set(Person.objects.values_list("id_number", flat=True))
    existing_numbers = set(Person.objects.exclude(league_number=None).values_list("league_number", flat=True))
    rows = generate_rows(existing_ids, existing_numbers, branches)
    path = BENCH_DIR / FILE_NAME
    write_workbook(rows, path)
    content = path.read_bytes()
    generate_seconds = time.perf_counter() - started
    log(f"  [{args.db}] generated {path.relative_to(ROOT)} ({len(content) / 1e6:.1f} MB) in {generate_seconds:.1f} s")

    def calamine_read() -> int:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        return len(workbook.get_sheet_by_name(SHEET_NAME).to_python())

    def engine_read() -> int:
        sheets = list(read_sheets(content, FILE_NAME, max_bytes=settings.TONGXIN_IMPORT_MAX_BYTES))
        return len(sheets[0].rows)

    spec = imports.get_spec("roster")
    columns = {column.key: column for column in spec.columns}

    def steps() -> dict[str, float]:
        """The dry run's steps one by one (what check_file does), without the job's bookkeeping."""
        times: dict[str, float] = {}
        t0 = time.perf_counter()
        sheets = read_sheets(content, FILE_NAME, max_bytes=settings.TONGXIN_IMPORT_MAX_BYTES)
        layout = imports.choose_layout(sheets, spec, {})
        t1 = time.perf_counter()
        data_rows = imports._data_rows(layout, settings.TONGXIN_IMPORT_MAX_ROWS)
        gc.disable()  # as check_file does around these two steps
        try:
            imports._normalise_rows(data_rows, columns)
            t2 = time.perf_counter()
            spec.check(user, data_rows, {}, lambda done, total: None)
            t3 = time.perf_counter()
        finally:
            gc.enable()
        times.update(
            {"read + find the header": t1 - t0, "rows + normalise cells": t2 - t1, "validate (spec.check)": t3 - t2}
        )
        return times

    job = imports.create_job(user, kind="roster", file_name=FILE_NAME, content=content, options={})
    samples: dict[str, list[float]] = {"calamine": [], "read": [], "dry run": []}
    breakdown: dict[str, list[float]] = {}
    first_report: dict[str, Any] | None = None
    for n in range(args.runs):
        # Round-robin, so machine noise hits every measure alike.
        for name in samples:
            started = time.perf_counter()
            if name == "calamine":
                count = calamine_read()
            elif name == "read":
                count = engine_read()
            else:
                job = imports.run_check(job)
                if job.status != ImportJob.Status.CHECKED:
                    raise SystemExit(f"the dry run refused the file: {job.error}")
                count = job.report["rows"]
                first_report = first_report or job.report
            assert count >= ROWS, (name, count)
            samples[name].append(time.perf_counter() - started)
        for step, seconds in steps().items():
            breakdown.setdefault(step, []).append(seconds)
        log(f"  [{args.db}] round {n + 1}/{args.runs}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in samples.items()))
    assert first_report is not None
    counts = first_report["counts"]
    if counts["rejected"] or counts["new"] != ROWS:
        shown = "; ".join(
            f"row {i['row']} {i['header']} {i['value']!r}: {i['message']}" for i in first_report["issues"][:10]
        )
        raise SystemExit(f"the generated file does not import cleanly: {counts}; {shown}")

    profile_text = ""
    if args.profile:
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.runcall(imports.run_check, job)
        profiled_seconds = time.perf_counter() - started
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
        profile_text = f"one dry run under cProfile: {profiled_seconds:.2f} s\n" + out.getvalue()

    # The commit: the check again inside the transaction, then the writes (timed apart).
    write_seconds: list[float] = []
    original_write = spec.write

    def timed_write(*a: Any, **kw: Any) -> None:
        started = time.perf_counter()
        try:
            original_write(*a, **kw)
        finally:
            write_seconds.append(time.perf_counter() - started)

    spec.write = timed_write  # type: ignore[method-assign]
    started = time.perf_counter()
    job = imports.run_commit(job)
    commit_seconds = time.perf_counter() - started
    spec.write = original_write  # type: ignore[method-assign]
    if job.status != ImportJob.Status.DONE:
        raise SystemExit(f"the commit did not finish: {job.status} {job.error}")
    people_after = Person.objects.count()
    assert people_after - people_before == ROWS, (people_before, people_after)

    return {
        "db": args.db,
        "vendor": vendor,
        "db_version": _db_version(),
        "rows": ROWS,
        "file": str(path.relative_to(ROOT)),
        "file_bytes": len(content),
        "branches": len(branches),
        "copy_seconds": copy_seconds,
        "generate_seconds": generate_seconds,
        "samples": samples,
        "breakdown": breakdown,
        "commit_seconds": commit_seconds,
        "write_seconds": write_seconds[0] if write_seconds else None,
        "counts": counts,
        "people_before": people_before,
        "people_after": people_after,
        "profile": profile_text,
    }


def _db_version() -> str:
    import sqlite3

    from django.db import connection

    return sqlite3.sqlite_version if connection.vendor == "sqlite" else str(connection.pg_version)


def child_export(args: argparse.Namespace) -> dict[str, Any]:
    """Export the 10× roster as the district admin sees it (the export view's queryset); peak memory."""
    import tracemalloc

    setup_django(args, sqlite=seeded_sqlite_path(EXPORT_SCALE), pg_name=db_name(EXPORT_SCALE))
    from tongxin.accounts.models import User
    from tongxin.people.exports import export_roster
    from tongxin.people.filters import PersonFilter
    from tongxin.people.models import Person

    user = User.objects.get(username="district")
    filterset = PersonFilter({}, queryset=Person.objects.visible_to(user))
    assert filterset.is_valid(), filterset.errors
    queryset = filterset.qs.order_by(*(attribute for attribute, _column in filterset.sort_keys))
    expected = queryset.count()

    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        out = Path(tmp) / "roster.xlsx"
        gc.collect()
        base_rss, base_peak = rss_kb(), maxrss_kb()
        started = time.perf_counter()
        rows = export_roster(queryset, out, full=False)
        seconds = time.perf_counter() - started
        peak = maxrss_kb()
        end_rss = rss_kb()
        file_bytes = out.stat().st_size
        assert rows == expected, (rows, expected)

        traced_peak = traced_seconds = None
        if args.tracemalloc:  # a second pass under tracemalloc (slower): Python's own allocations
            out.unlink()
            gc.collect()
            tracemalloc.start()
            started = time.perf_counter()
            export_roster(queryset, out, full=False)
            traced_seconds = time.perf_counter() - started
            traced_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return {
        "db": args.db,
        "rows": rows,
        "seconds": seconds,
        "file_bytes": file_bytes,
        "base_rss_kb": base_rss,
        "base_peak_kb": base_peak,
        "peak_kb": peak,
        "end_rss_kb": end_rss,
        "traced_peak_bytes": traced_peak,
        "traced_seconds": traced_seconds,
    }


def run_child(args: argparse.Namespace) -> None:
    # stdout goes to stderr: only the JSON file talks to the parent.
    sys.stdout = sys.stderr
    job = {"seed": child_seed, "import": child_import, "export": child_export}[args.child]
    result = job(args)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False))


# ---------------------------------------------------------------------------------------------------
# Parent: run the children one after the other, print the figures.
# ---------------------------------------------------------------------------------------------------


def spawn(args: argparse.Namespace, db: str, role: str, scale: int = IMPORT_SCALE) -> tuple[subprocess.Popen, Path]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", role, "--db", db, "--scale", str(scale)]
    command += ["--runs", str(args.runs), "--out", str(out), "--pg-url", args.pg_url]
    command += ["--fresh"] if args.fresh else []
    command += ["--profile"] if args.profile else []
    command += ["--tracemalloc"] if args.tracemalloc else []
    return subprocess.Popen(command, cwd=ROOT), out


def finish(db: str, role: str, proc: subprocess.Popen, out: Path) -> dict[str, Any]:
    code = proc.wait()
    try:
        if code != 0:
            raise SystemExit(f"[{db}] the {role} process failed (exit {code})")
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def collect(args: argparse.Namespace, db: str) -> tuple[dict[str, Any], dict[str, Any], dict[int, Any]]:
    log(f"[{db}] seeding the {IMPORT_SCALE}× and {EXPORT_SCALE}× demo districts where missing (in parallel)")
    seeders = {scale: spawn(args, db, "seed", scale) for scale in (IMPORT_SCALE, EXPORT_SCALE)}
    seeded = {scale: finish(db, "seed", *pair) for scale, pair in seeders.items()}
    log(f"[{db}] import: a fresh copy of the {IMPORT_SCALE}× database, {args.runs} rounds, then the commit")
    try:
        imported = finish(db, "import", *spawn(args, db, "import"))
    finally:
        if not args.keep_copy:
            drop_copy(args, db)
    log(f"[{db}] export of the {EXPORT_SCALE}× roster")
    exported = finish(db, "export", *spawn(args, db, "export", EXPORT_SCALE))
    return imported, exported, seeded


def report(db: str, imp: dict[str, Any], exp: dict[str, Any], seeded: dict[int, Any]) -> list[tuple[str, bool]]:
    goals: list[tuple[str, bool]] = []
    samples = imp["samples"]
    print(f"\n=== {db} ({imp['vendor']} {imp['db_version']})")
    for scale, res in seeded.items():
        how = f"seeded in {res['seed_seconds']:.0f} s" if res["seed_seconds"] else "reused"
        print(f"  {scale}× demo database: {how}")
    print(
        f"  file: {imp['file']}, {imp['rows']:,} rows, {imp['file_bytes'] / 1e6:.2f} MB, {imp['branches']} branches"
        f" by full name (generated in {imp['generate_seconds']:.1f} s)"
    )
    print(f"  import into a fresh copy of the {IMPORT_SCALE}× database (copied in {imp['copy_seconds']:.2f} s),"
          f" {imp['people_before']:,} people before, as 'district'")  # fmt: skip

    runs = len(samples["dry run"])
    print(f"\n  {'phase':<34} {'median s':>8} {'min s':>7} {'max s':>7}  rows/s   ({runs} rounds, round-robin)")
    for name, label in (("calamine", "python-calamine read (baseline)"), ("read", "read (the engine's read_sheets)"),
                        ("dry run", "dry run (run_check)")):  # fmt: skip
        values = samples[name]
        print(f"  {label:<34} {median(values):8.3f} {min(values):7.3f} {max(values):7.3f}"
              f"  {imp['rows'] / median(values):8,.0f}")  # fmt: skip
    for step, values in imp["breakdown"].items():
        print(f"    {step:<32} {median(values):8.3f} {min(values):7.3f} {max(values):7.3f}")
    rest = median(samples["dry run"]) - sum(median(v) for v in imp["breakdown"].values())
    print(f"    {'job bookkeeping (report, saves)':<32} {rest:8.3f}   (dry run less the steps above)")
    write = imp["write_seconds"]
    check = imp["commit_seconds"] - write
    print(f"  {'commit (run_commit)':<34} {imp['commit_seconds']:8.3f}"
          f"   of which writing (spec.write) {write:.3f} s, checking again {check:.3f} s")  # fmt: skip
    print(f"  counts: {imp['counts']}; people after the commit: {imp['people_after']:,}")

    ratio = median(samples["dry run"]) / median(samples["calamine"])
    ok = ratio <= MAX_CALAMINE_RATIO
    print(f"\n  dry run / python-calamine read: {ratio:.2f}×  {verdict(ok)} (≤ {MAX_CALAMINE_RATIO:g}×)"
          f"   (min/min {min(samples['dry run']) / min(samples['calamine']):.2f}×;"
          f" read / calamine {median(samples['read']) / median(samples['calamine']):.2f}×)")  # fmt: skip
    goals.append(
        (f"{db} dry run within {MAX_CALAMINE_RATIO:g}× of reading the file with python-calamine ({ratio:.2f}×)", ok)
    )
    whole = median(samples["dry run"]) + imp["commit_seconds"]
    first = samples["dry run"][0] + imp["commit_seconds"]
    ok = whole <= MAX_IMPORT_SECONDS
    print(f"  whole import (median dry run + commit): {whole:.2f} s  {verdict(ok)} (≤ {MAX_IMPORT_SECONDS:g} s)"
          f"   with the first (cold) dry run: {first:.2f} s")  # fmt: skip
    goals.append((f"{db} whole import of {imp['rows']:,} rows (dry run + commit) within {MAX_IMPORT_SECONDS:g} s"
                  f" ({whole:.2f} s)", ok))  # fmt: skip

    base = exp["base_rss_kb"] if exp["base_rss_kb"] is not None else exp["base_peak_kb"]
    growth_mb = (exp["peak_kb"] - base) / 1024
    growth_peak_mb = (exp["peak_kb"] - exp["base_peak_kb"]) / 1024
    print(f"\n  export of the {EXPORT_SCALE}× roster, masked: {exp['rows']:,} rows in {exp['seconds']:.2f} s"
          f" ({exp['rows'] / exp['seconds']:,.0f} rows/s), {exp['file_bytes'] / 1e6:.1f} MB")  # fmt: skip
    print(f"    RSS before {base / 1024:.0f} MB (peak so far {exp['base_peak_kb'] / 1024:.0f} MB), peak during"
          f" {exp['peak_kb'] / 1024:.0f} MB, after {(exp['end_rss_kb'] or 0) / 1024:.0f} MB")  # fmt: skip
    ok = growth_mb <= MAX_EXPORT_MB
    print(f"    peak RSS growth: {growth_mb:.1f} MB  {verdict(ok)} (≤ {MAX_EXPORT_MB:g} MB)"
          f"   (ru_maxrss after − ru_maxrss before: {growth_peak_mb:.1f} MB)")  # fmt: skip
    if exp["traced_peak_bytes"] is not None:
        print(f"    tracemalloc peak (a 2nd pass, {exp['traced_seconds']:.1f} s under tracing):"
              f" {exp['traced_peak_bytes'] / 1024 / 1024:.1f} MB")  # fmt: skip
    goals.append((f"{db} export of {exp['rows']:,} people grows the process by at most {MAX_EXPORT_MB:g} MB"
                  f" ({growth_mb:.1f} MB)", ok))  # fmt: skip
    if imp["profile"]:
        print("\n  Profile of the dry run (--profile)\n    " + imp["profile"].rstrip().replace("\n", "\n    "))
    return goals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="sqlite")
    parser.add_argument("--fresh", action="store_true", help="rebuild the seeded bench databases")
    parser.add_argument("--runs", type=int, default=5, help="rounds of calamine read / read / dry run (≥ 3)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one more dry run")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="a 2nd export under tracemalloc (its peak; 3× slower)"
    )
    parser.add_argument("--keep-copy", action="store_true", help="keep the imported-into copy of the 1× database")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal fails")
    parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL), help="server URL")
    parser.add_argument("--child", choices=["seed", "import", "export"], help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=IMPORT_SCALE, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    add_quick_option(parser)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return 0
    if args.quick:
        args.runs = 3  # the quick databases: rebuilt by roster.py --quick (make bench-quick runs it first)
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    started = time.monotonic()
    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    goals: list[tuple[str, bool]] = []
    for db in ["sqlite", "postgres"] if args.db == "all" else [args.db]:
        goals += report(db, *collect(args, db))
    print("\n=== Goals")
    for label, ok in goals:
        print(f"  {verdict(ok)}  {label}")
    failed = sum(1 for _label, ok in goals if not ok)
    if failed and not args.profile:
        print("  (--profile prints where the dry run spends its time)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{len(goals) - failed}/{len(goals)} goals met; {time.monotonic() - started:.0f} s in all;"
        f" load average at the end {load} on {os.cpu_count()} CPUs (at the start: {load_start})"
    )
    return 1 if failed and args.strict and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
