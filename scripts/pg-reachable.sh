#!/usr/bin/env bash
# Exit 0 when a PostgreSQL server answers on 127.0.0.1:5432 (or DATABASE_URL is set), 1 otherwise.
[[ -n "${DATABASE_URL:-}" ]] && exit 0
exec "$(dirname "$0")/../.venv/bin/python" - <<'PYEOF'
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PYEOF
