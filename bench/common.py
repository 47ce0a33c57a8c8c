"""What the benchmarks that write to a copy of the seeded N× district share: the median, the working copy
(seed the reusable database when missing, copy it, drop the copy) and the parent/child split (settings are
per process: the parent runs each job in a child that answers with a JSON file).

bench/roster.py owns the database conventions (names, seeding), bench/workcopy.py the copying itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from import_roster import setup_django
from roster import ROOT, db_name, ensure_seeded, prepare_postgres, prepare_sqlite
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
