#!/usr/bin/env bash
# Run the suite on SQLite, then on PostgreSQL when DATABASE_URL is set or a local server answers.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

echo "== Test suite on SQLite"
env -u DATABASE_URL "$PY" -m pytest "$@"

pg_url="${DATABASE_URL:-}"
if [[ -z "$pg_url" ]] && "$PY" - <<'PYEOF'
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PYEOF
then
  pg_url="postgres://postgres@127.0.0.1:5432/tongxin"
fi
if [[ -n "$pg_url" ]]; then
  echo "== Test suite on PostgreSQL"
  DATABASE_URL="$pg_url" "$PY" -m pytest "$@"
else
  echo "== PostgreSQL not reachable (no DATABASE_URL, nothing on 127.0.0.1:5432): SQLite only"
fi
