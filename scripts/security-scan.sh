#!/usr/bin/env bash
# Static security checks run by `make test`: bandit over the application code, pip-audit over the locked
# dependencies (uv.lock). Fails on a bandit finding or on a known vulnerability; when the vulnerability
# service cannot be reached (an intranet without PyPI) it prints a warning and goes on.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
UV=.uv/bin/uv

echo "== bandit (configuration and explained skips: [tool.bandit] in pyproject.toml)"
.venv/bin/bandit -c pyproject.toml -r tongxin -q

echo "== pip-audit over uv.lock"
# Vulnerabilities accepted for now, each with the reason (pip-audit --ignore-vuln ID):
IGNORED_VULNS=(
  # (none)
)
ignore_args=()
for vuln in "${IGNORED_VULNS[@]+"${IGNORED_VULNS[@]}"}"; do ignore_args+=(--ignore-vuln "$vuln"); done

requirements=$(mktemp)
report=$(mktemp)
trap 'rm -f "$requirements" "$report" "$report.err"' EXIT
"$UV" export --frozen --no-hashes --no-emit-project --format requirements-txt --quiet >"$requirements"
set +e
.venv/bin/pip-audit -r "$requirements" --disable-pip --no-deps --progress-spinner off --format json \
  "${ignore_args[@]+"${ignore_args[@]}"}" >"$report" 2>"$report.err"
status=$?
set -e
"$PY" - "$report" "$status" "$report.err" <<'PYEOF'
import json, sys

report_path, status, err_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
errors = open(err_path, encoding="utf-8", errors="replace").read().strip()
try:
    deps = json.load(open(report_path, encoding="utf-8"))["dependencies"]
except (OSError, ValueError, KeyError):
    print("WARNING: pip-audit could not reach the vulnerability service; dependencies NOT audited.")
    print("         " + (errors.splitlines()[-1] if errors else f"pip-audit exit status {status}"))
    sys.exit(0)
found = [(d["name"], d["version"], v["id"], v.get("fix_versions", [])) for d in deps for v in d.get("vulns", [])]
skipped = [d["name"] for d in deps if d.get("skip_reason")]
audited = len(deps) - len(skipped)
for name, version, vuln, fixes in found:
    print(f"VULNERABLE: {name} {version}: {vuln} (fixed in {', '.join(fixes) or 'no release yet'})")
if skipped and not audited:
    print("WARNING: the vulnerability service answered for none of the locked dependencies (an index mirror "
          "without PyPI's per-release JSON?): NOTHING was audited. Run scripts/security-scan.sh where pypi.org "
          "is reachable.")
elif skipped:
    print(f"WARNING: {len(skipped)} of {len(deps)} locked dependencies could not be audited: "
          + ", ".join(skipped[:8]) + (" …" if len(skipped) > 8 else ""))
print(f"pip-audit: {audited} of {len(deps)} dependencies audited, {len(found)} known vulnerabilities")
sys.exit(1 if found else 0)
PYEOF
