#!/usr/bin/env bash
# Run the suite on SQLite, then on PostgreSQL when DATABASE_URL is set or a local server answers, each on
# TEST_WORKERS pytest-xdist workers (default 2; 0 runs in one process) and timed (scripts/stage.sh).
# Browser tests (tests/e2e) run in the same command. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
workers=${TEST_WORKERS:-2}
xdist=()
if [[ $workers != 0 ]]; then
  # --dist load hands tests out in collection order, so each worker keeps pytest-django's order (transactional
  # tests, which flush the tables and with them the rows data migrations seed, after the others; the browser
  # tests last). loadfile broke it on PostgreSQL: a file's transactional test flushed the seeded meeting
  # requirements before another file's tests ran on the same worker.
  xdist=(-n "$workers" --dist load --durations=15)
fi

pg_url="${DATABASE_URL:-}"
if [[ -z "$pg_url" ]] && scripts/pg-reachable.sh; then
  pg_url="postgres://postgres@127.0.0.1:5432/tongxin"
fi
# The crawl (tests/e2e/test_crawl.py: every page of the demo district in a browser with axe, about six minutes)
# checks templates, not the engine: it runs once, in the PostgreSQL run when there is one.
crawl_on=""
[[ -n "$pg_url" ]] && crawl_on=postgresql

scripts/stage.sh suite-sqlite env -u DATABASE_URL TONGXIN_CRAWL_ON="$crawl_on" "$PY" -m pytest "${xdist[@]+"${xdist[@]}"}" "$@"

if [[ -n "$pg_url" ]]; then
  # Each worker gets its own test database (test_<name>_gw0, _gw1, …); the PostgreSQL-only tests must run
  # here, and the run fails if any is skipped (conftest.py).
  DATABASE_URL="$pg_url" scripts/stage.sh suite-postgresql "$PY" -m pytest "${xdist[@]+"${xdist[@]}"}" "$@"
else
  echo "== PostgreSQL not reachable (no DATABASE_URL, nothing on 127.0.0.1:5432): SQLite only"
fi
