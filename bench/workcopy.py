"""Working copies of the seeded bench databases, shared by the bench scripts that write
(lifecycle, compliance, import_roster, soak).

The seeded databases (bench/roster.py's conventions: ``tongxin_bench_{scale}x``) stay reusable; a script
writes to a copy made here and drops it afterwards:

- PostgreSQL: ``CREATE DATABASE <copy> TEMPLATE <seeded>`` (the template must have no other session:
  retried for a while when another bench is reading it);
- SQLite: the online backup API into ``var/bench/<copy>.sqlite3`` (consistent even with a WAL beside it).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from roster import BENCH_DIR, log


def admin_url(pg_url: str) -> str:
    """The maintenance database's URL for psycopg (``postgres://host`` → ``postgresql://host/postgres``)."""
    return pg_url.replace("postgres://", "postgresql://", 1) + "/postgres"


def make_pg_copy(pg_url: str, template: str, copy: str) -> float:
    """(Re)create ``copy`` from ``template``; the seconds it took."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(admin_url(pg_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        for attempt in range(10):
            try:
                conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 9:
                    raise
                log(f"  {template} is in use by another session; retrying in 3 s")
                time.sleep(3)
    return time.perf_counter() - started


def drop_pg_copy(pg_url: str, copy: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(pg_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def sqlite_copy_path(copy: str) -> Path:
    return BENCH_DIR / f"{copy}.sqlite3"


def make_sqlite_copy(source: Path, copy: str) -> float:
    started = time.perf_counter()
    drop_sqlite_copy(copy)
    src, dest = sqlite3.connect(source), sqlite3.connect(sqlite_copy_path(copy))
    try:
        src.backup(dest)
    finally:
        dest.close()
        src.close()
    return time.perf_counter() - started


def drop_sqlite_copy(copy: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_copy_path(copy)}{suffix}").unlink(missing_ok=True)
