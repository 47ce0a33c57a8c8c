"""The study peak's two heaviest reads planned per execution or once per server session (issue 14, core.prepared).

On PostgreSQL, in a scratch database with the project's schema (``<prefix>_prepared``, migrated when missing;
the statements find no row, which costs the same planning), one connection executes the submission's read (the
attempt locked, with its period, campaign and member and the count of his submitted attempts) and the start's
read of the period (with his open attempt and his attempts submitted) ``--rounds`` times in a transaction:

- through Django's cursor (values bound on the client: PostgreSQL parses and plans each execution), the baseline;
- through ``core.prepared.cursor`` (psycopg's ``prepare=True``: parsed and planned once per server session).

Prints, per pair of reads, the CPU milliseconds of the PostgreSQL backend serving the connection (Linux's /proc)
and of this Python process, best of ``--repeat`` alternating runs, and the ratio of the backend's CPU
(baseline ÷ prepared).

    .venv/bin/python bench/prepared_reads.py [--rounds 3000] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_roster import setup_django
from roster import DB_PREFIX, PG_BASE_URL, QUICK, add_quick_option, log, prepare_postgres
from study_peak import process_cpu

NAME = f"{DB_PREFIX}_prepared"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL))
    add_quick_option(parser)
    args = parser.parse_args()
    if QUICK:
        args.rounds, args.repeat = 50, 1
    args.db = "postgres"
    prepare_postgres(1, False, args.pg_url, NAME)
    setup_django(args, sqlite=Path("unused"), pg_name=NAME)
    from django.core.management import call_command
    from django.db import connection, transaction

    from tongxin.core import prepared
    from tongxin.study.services import _statements

    call_command("migrate", verbosity=0, interactive=False)
    statements = _statements(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def run(make_cursor) -> tuple[float, float]:
        with transaction.atomic():
            database, python = process_cpu(pid), time.process_time()
            for i in range(args.rounds):
                with make_cursor() as cursor:
                    cursor.execute(statements.submission, [6, i + 1, 6])
                    cursor.fetchone()
                    cursor.execute(statements.period, [6, 6, i + 1])
                    cursor.fetchone()
            database, python = process_cpu(pid) - database, time.process_time() - python
        return 1000 * database / args.rounds, 1000 * python / args.rounds

    log(f"prepared reads: {args.rounds} pairs of reads, best of {args.repeat}, PostgreSQL database {NAME}")
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for label, make in (
            ("planned each time", connection.cursor),
            ("prepared", lambda: prepared.cursor(connection)),
        ):
            figures = run(make)
            best[label] = min(best.get(label, figures), figures)
    for label, (database, python) in best.items():
        print(f"{label:>18}: PostgreSQL {database:.3f} ms, Python {python:.3f} ms per pair of reads")
    baseline, mine = best["planned each time"][0], best["prepared"][0]
    print(f"ratio (PostgreSQL CPU, planned each time ÷ prepared): {baseline / mine if mine else float('inf'):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
