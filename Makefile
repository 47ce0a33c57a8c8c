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
test bench soak messages: export TONGXIN_SECRET_KEY ?= insecure-test-only-key
test bench soak messages: export TONGXIN_FIELD_KEYS ?= dGhyb3ctYXdheS10ZXN0LWFuZC1iZW5jaC1rZXktMDA=
test bench soak messages: export TONGXIN_LOOKUP_KEY ?= throw-away-test-and-bench-lookup-key
# The demo lets a visitor log in as the demo administrators without an authenticator app (production keeps it on).
run: export TONGXIN_ADMIN_2FA ?= 0
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup deps test bench soak messages clean

run: setup ## install, migrate, seed the demo district once, serve on http://127.0.0.1:8000 with a task worker
	TONGXIN_DEBUG=1 $(PY) manage.py migrate --no-input -v0
	TONGXIN_DEBUG=1 $(PY) manage.py seed_demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/ (with a task worker for imports)"
	TONGXIN_DEBUG=1 $(PY) manage.py db_worker -v0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	TONGXIN_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

setup: deps node_modules/.package-lock.json

deps: .venv/.synced

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

test: setup ## ruff, mypy, bandit + pip-audit, migrations check, the suite on SQLite and (when reachable) on PostgreSQL
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy tongxin
	scripts/security-scan.sh
	$(PY) manage.py makemigrations --check --dry-run -v0
	scripts/system-deps.sh || true
	scripts/test-all.sh

bench: setup ## benchmarks under bench/ (prints figures and ratios)
	$(PY) bench/roster.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/tree.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/import_roster.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/lifecycle.py --db $${BENCH_DB:-sqlite}
	$(PY) bench/compliance.py --db $${BENCH_DB:-sqlite}

soak: setup ## bounded soak on PostgreSQL: two app processes, mixed reads and writes, then roll-up checks
	$(PY) bench/soak.py --seconds $${SOAK_SECONDS:-60}

messages: setup ## refresh the zh-hans catalogue after changing user-facing strings (needs GNU gettext)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location -i node_modules -i .venv -i .uv -i var -i bench -i tests
	$(PY) manage.py compilemessages -l zh_Hans -i node_modules -i .venv -i .uv

clean:
	rm -rf .venv .uv node_modules var
