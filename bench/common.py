"""What the benchmarks that write to a copy of the seeded N× district share: the median, the working copy
(seed the reusable database when missing, copy it, drop the copy) and the parent/child split (settings are
per process: the parent runs each job in a child that answers with a JSON file).

bench/roster.py owns the database conventions (names, seeding), bench/workcopy.py the copying itself.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from import_roster import setup_django
from roster import PG_BASE_URL, ROOT, add_quick_option, db_name, ensure_seeded, log, prepare_postgres, prepare_sqlite
from roster import sqlite_path as seeded_sqlite_path
from workcopy import drop_pg_copy, drop_sqlite_copy, make_pg_copy, make_sqlite_copy, sqlite_copy_path


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class WorkCopy:
    """A working copy of the seeded ``scale``× database, named after the benchmark (``suffix``)."""

    def __init__(self, scale: int, suffix: str) -> None:
        self.scale = scale
        self.suffix = suffix

    @property
    def name(self) -> str:
        return db_name(self.scale) + self.suffix

    def seed(self, args: argparse.Namespace) -> dict[str, Any]:
        """In a child: the seeded database, seeded when missing (``--fresh``: again); the seconds it took."""
        if args.db == "postgres":
            prepare_postgres(self.scale, args.fresh, args.pg_url)
        else:
            prepare_sqlite(self.scale, args.fresh)
        setup_django(args, sqlite=seeded_sqlite_path(self.scale), pg_name=db_name(self.scale))
        from django.db import connection

        return {"seed_seconds": ensure_seeded(self.scale, connection.vendor)}

    def make(self, args: argparse.Namespace) -> float:
        """A fresh copy to write to; the seconds it took."""
        if args.db == "postgres":
            return make_pg_copy(args.pg_url, db_name(self.scale), self.name)
        return make_sqlite_copy(seeded_sqlite_path(self.scale), self.name)

    def connect(self, args: argparse.Namespace) -> None:
        """In a child: Django's settings for the copy."""
        setup_django(args, sqlite=sqlite_copy_path(self.name), pg_name=self.name)

    def drop(self, args: argparse.Namespace, db: str) -> None:
        if db == "postgres":
            drop_pg_copy(args.pg_url, self.name)
        else:
            drop_sqlite_copy(self.name)

    def parser(self, doc: str | None, runs: int, runs_help: str = "timed rounds (≥ 1)") -> argparse.ArgumentParser:
        """The options every such benchmark takes; the caller adds its own."""
        parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.add_argument("--db", choices=["sqlite", "postgres", "all"], default="sqlite")
        parser.add_argument("--fresh", action="store_true", help="rebuild the seeded bench database")
        parser.add_argument("--runs", type=int, default=runs, help=runs_help)
        parser.add_argument("--strict", action="store_true", help="exit 1 when a goal fails")
        parser.add_argument(
            "--keep-copy", action="store_true", help=f"keep the working copy of the {self.scale}× database"
        )
        parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL), help="server URL")
        parser.add_argument("--child", choices=["seed", "run"], help=argparse.SUPPRESS)
        parser.add_argument("--out", help=argparse.SUPPRESS)
        add_quick_option(parser)
        return parser

    def run(
        self, script: str, args: argparse.Namespace, passed: list[str], what: str,
        report: Callable[[str, dict[str, Any], dict[str, Any]], bool | None],
    ) -> bool:  # fmt: skip
        """In the parent: for each database, seed (when missing) in one child, run in another on a fresh copy
        (dropped afterwards unless ``--keep-copy``), report; whether every goal passed."""
        passed = [*passed, "--runs", str(args.runs), "--pg-url", args.pg_url] + (["--fresh"] if args.fresh else [])
        started = time.monotonic()
        ok = True
        for db in ["sqlite", "postgres"] if args.db == "all" else [args.db]:
            log(f"[{db}] seeding the {self.scale}× demo district if missing")
            seeded = spawn(script, db, "seed", passed)
            log(f"[{db}] a working copy of the {self.scale}× database; {what}")
            try:
                result = spawn(script, db, "run", passed)
            finally:
                if not args.keep_copy:
                    self.drop(args, db)
            ok = report(db, seeded, result) is not False and ok
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\n{time.monotonic() - started:.0f} s in all; load average at the end {load} on {os.cpu_count()} CPUs")
        return ok


def answer_parent(args: argparse.Namespace, jobs: dict[str, Callable[[argparse.Namespace], dict[str, Any]]]) -> None:
    """In a child: run the job ``--child`` names and write its result to ``--out`` (stdout goes to stderr)."""
    sys.stdout = sys.stderr
    Path(args.out).write_text(json.dumps(jobs[args.child](args), ensure_ascii=False, default=str))


def spawn(script: str, db: str, role: str, passed: list[str]) -> dict[str, Any]:
    """Run ``script --child role --db db`` with ``passed`` arguments; its JSON answer."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    command = [sys.executable, str(Path(script).resolve()), "--child", role, "--db", db, "--out", str(out), *passed]
    try:
        code = subprocess.call(command, cwd=ROOT)
        if code != 0:
            raise SystemExit(f"[{db}] the {role} process failed (exit {code})")
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
