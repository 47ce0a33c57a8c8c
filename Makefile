# Tongxin: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
# A throw-away key for the commands below that load the settings without DEBUG (tests, checks, benchmarks);
# production sets its own TONGXIN_SECRET_KEY and the settings refuse to start without one.
test bench bench-quick bench-replica soak messages: export TONGXIN_SECRET_KEY ?= insecure-test-only-key
test bench bench-quick bench-replica soak messages: export TONGXIN_FIELD_KEYS ?= dGhyb3ctYXdheS10ZXN0LWFuZC1iZW5jaC1rZXktMDA=
test bench bench-quick bench-replica soak messages: export TONGXIN_LOOKUP_KEY ?= throw-away-test-and-bench-lookup-key
# `make run` leaves var/dev.env (tongxin/devenv.py): generated keys, TONGXIN_DEBUG=1 and TONGXIN_ADMIN_2FA=0 (the
# demo lets a visitor log in as the demo administrators without an authenticator app; production keeps it on).
# manage.py reads it whenever the environment sets no TONGXIN_SECRET_KEY, so the README's commands work as written.
DEV_ENV := var/dev.env
# `make test` prints the time of each stage; the suite runs on this many xdist workers (TEST_WORKERS=0: serial).
TEST_WORKERS ?= 2
STAGE = scripts/stage.sh
run: export TONGXIN_DEBUG ?= 1
run: export TONGXIN_ADMIN_2FA ?= 0
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup deps test bench bench-quick bench-replica soak messages clean

run: setup $(DEV_ENV) ## install, migrate, seed the demo district once, serve on http://127.0.0.1:8000 with a task worker
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py seed_demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/ (with a task worker for imports)"
	$(PY) manage.py db_worker -v0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

setup: deps node_modules/.package-lock.json

# Written once, never overwritten (its keys encrypt the demo database): delete var/ to start afresh.
$(DEV_ENV):
	$(PY) -m tongxin.devenv $@

deps: .venv/.synced

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

test: setup ## ruff, mypy, import contracts, bandit + pip-audit, migrations, benchmarks (quick), the suite on SQLite and PostgreSQL (when reachable)
	@rm -f var/stages.txt
	$(STAGE) ruff $(PY) -m ruff check .
	$(STAGE) ruff-format $(PY) -m ruff format --check .
	$(STAGE) mypy $(PY) -m mypy tongxin
	$(STAGE) lint-imports .venv/bin/lint-imports
	$(STAGE) security-scan scripts/security-scan.sh
	$(STAGE) migrations $(PY) manage.py makemigrations --check --dry-run -v0
	scripts/system-deps.sh || true
	$(STAGE) bench-quick $(MAKE) --no-print-directory bench-quick
	TEST_WORKERS=$(TEST_WORKERS) scripts/test-all.sh
	@scripts/stage.sh --summary

bench: setup ## benchmarks under bench/ (prints figures and ratios)
	$(PY) bench/roster.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/tree.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/import_roster.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/lifecycle.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/compliance.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/dues_arrears.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/booking.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/checkin.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/points.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/scale.py --db $${BENCH_DB:-sqlite}
	@if scripts/pg-reachable.sh; then $(PY) bench/study_peak.py --db postgresql && $(PY) bench/prepared_reads.py; \
	else echo "bench/study_peak.py and bench/prepared_reads.py skipped: no PostgreSQL on 127.0.0.1:5432"; fi

# Every benchmark at a tiny scale with few runs, through the same code: `make test` runs this so that a
# benchmark that no longer runs fails the suite. The figures mean nothing at this scale; goals are not checked.
bench-quick: setup
	$(PY) bench/roster.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/tree.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/import_roster.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/lifecycle.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/compliance.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/dues_arrears.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/booking.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/checkin.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/points.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/study_peak.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/scale.py --quick --db $${BENCH_DB:-sqlite}
	$(PY) bench/scale.py --quick --features --db $${BENCH_DB:-sqlite}
	$(PY) bench/annual_report.py --quick --db $${BENCH_DB:-sqlite}
	@if scripts/pg-reachable.sh; then $(PY) bench/soak.py --quick && $(PY) bench/prepared_reads.py --quick; \
	else echo "bench/soak.py and bench/prepared_reads.py --quick skipped: no PostgreSQL on 127.0.0.1:5432"; fi

# PostgreSQL only, not in `make bench`/`make test`: it runs pg_basebackup and pg_ctl (as the postgres user when
# run as root) and starts servers on ports 5433 (a private primary, when the server on 5432 refuses replication
# connections) and 5434 (the replica); both are stopped and removed at the end.
bench-replica: setup ## a streaming replica of the local PostgreSQL: lag under writes, replica/primary read ratio
	$(PY) bench/replica.py --seconds $${REPLICA_SECONDS:-30}

soak: setup ## bounded soak on PostgreSQL: two app processes, mixed reads and writes, then roll-up checks
	$(PY) bench/soak.py --seconds $${SOAK_SECONDS:-60}

messages: setup ## refresh the zh-hans catalogue after changing user-facing strings (needs GNU gettext)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location -i node_modules -i .venv -i .uv -i var -i bench -i tests
	$(PY) manage.py compilemessages -l zh_Hans -i node_modules -i .venv -i .uv

clean:
	rm -rf .venv .uv node_modules var
