"""Tree benchmark: does browsing the organisation tree stay fast with 100,000 organisations?

Builds two synthetic trees of the same shape below the top (separate databases under var/bench/, reused):

    small   root -> 10 committees  -> 10 general branches each  -> 9 branches each   (1,011 orgs)
    large   root -> 100 committees -> 100 general branches each -> 9 branches each  (100,101 orgs)

and times, for an admin of the root, pages whose content is the same size in both trees, so any growth
comes from the tree's size alone: the tree page, a general branch's lazily loaded children, a general
branch's page, a branch's page, and /api/orgs/?parent=<general branch>. Each size runs in its own
process (settings are per process); the parent prints medians, queries and the large/small ratio.

    .venv/bin/python bench/tree.py [--db sqlite|postgres] [--fresh] [--runs 31] [--quick]

``--quick`` (``make test``): tiny trees (QUICK_SHAPES, rebuilt each time in var/bench-quick/ or the
``tongxin_benchq_tree_*`` databases), two runs, one pass; the figures mean nothing and the goal is not checked.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PG_BASE_URL = "postgres://postgres@127.0.0.1:5432"
SHAPES = {"small": (10, 10, 9), "large": (100, 100, 9)}
QUICK = "--quick" in sys.argv or os.environ.get("TONGXIN_BENCH_QUICK") == "1"
if QUICK:
    os.environ["TONGXIN_BENCH_QUICK"] = "1"  # the children inherit it
    SHAPES = {"small": (2, 2, 3), "large": (4, 3, 3)}
    BENCH_DIR = ROOT / "var" / "bench-quick"
    os.environ.setdefault("TONGXIN_LOG_LEVEL", "WARNING")  # no access log line per request
DB_PREFIX = "tongxin_benchq" if QUICK else "tongxin_bench"
MAX_RATIO = 1.2


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child(size: str, db: str, fresh: bool, runs: int) -> None:
    name = f"{DB_PREFIX}_tree_{size}"
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_BASE_URL}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and fresh:
                conn.execute(f'DROP DATABASE "{name}"')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"{PG_BASE_URL}/{name}"
    else:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path = BENCH_DIR / f"{name}.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["TONGXIN_SQLITE_PATH"] = str(path)
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    os.environ.setdefault("TONGXIN_SECRET_KEY", "bench-only-key")
    os.environ["TONGXIN_ADMIN_2FA"] = "0"  # force_login as the root's admin: time the pages, not the login step
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tongxin.accounts.models import Role, RoleAssignment, User
    from tongxin.orgs.models import Organization, OrgKind, OrgStats, path_step

    call_command("migrate", verbosity=0)
    committees, generals, branches = SHAPES[size]
    started = time.monotonic()
    if not Organization.objects.exists():
        with transaction.atomic():
            seq = 0

            def level(parents: list[Organization], per_parent: int, kind: str) -> list[Organization]:
                nonlocal seq
                objs = []
                for parent in parents:
                    for i in range(per_parent):
                        seq += 1
                        objs.append(Organization(parent=parent, kind=kind, name=f"{parent.name}/{i + 1}",
                                                 code=f"B{seq:08d}", path=f"~{seq}",
                                                 depth=parent.depth + 1))  # fmt: skip
                Organization.objects.bulk_create(objs, batch_size=5000)
                for o in objs:
                    o.path = o.parent.path + path_step(o.pk)  # type: ignore[union-attr]
                Organization.objects.bulk_update(objs, ["path"], batch_size=5000)
                return objs

            root = Organization.objects.create(kind=OrgKind.LOCAL_COMMITTEE, name="根", code="B0", path="~0")
            root.path = path_step(root.pk)
            root.save(update_fields=["path"])
            tops = level([root], committees, OrgKind.COMMITTEE)
            mids = level(tops, generals, OrgKind.GENERAL_BRANCH)
            leaves = level(mids, branches, OrgKind.BRANCH)
            rows = [OrgStats(organization=o, children_count=n) for o, n in
                    [(root, committees)] + [(t, generals) for t in tops] + [(m, branches) for m in mids]
                    + [(leaf, 0) for leaf in leaves]]  # fmt: skip
            OrgStats.objects.bulk_create(rows, batch_size=5000)
            admin = User.objects.create_user("bench-admin", password="x")
            RoleAssignment.objects.create(user=admin, organization=root, role=Role.ADMIN)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        log(f"[{size}] built {Organization.objects.count()} organisations in {time.monotonic() - started:.0f} s")
    user = User.objects.get(username="bench-admin")
    last_general = Organization.objects.filter(kind=OrgKind.GENERAL_BRANCH).order_by("-path").first()
    last_branch = Organization.objects.filter(kind=OrgKind.BRANCH).order_by("-path").first()
    assert last_general is not None and last_branch is not None
    urls = {
        "tree page": "/orgs/",
        "children": f"/orgs/{last_general.pk}/children/",
        "general page": f"/orgs/{last_general.pk}/",
        "branch page": f"/orgs/{last_branch.pk}/",
        "api children": f"/api/orgs/?parent={last_general.pk}",
    }
    client = Client()
    client.force_login(user)
    result: dict[str, dict] = {"orgs": Organization.objects.count()}
    for label, url in urls.items():
        for _ in range(3):
            assert client.get(url).status_code == 200
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        result[label] = {"times": times, "queries": len(ctx)}
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--child", choices=list(SHAPES), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="tiny trees, two runs: does it still run? (make test)")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db, args.fresh, args.runs)
        return 0
    passes = 3
    if args.quick:
        args.runs, args.fresh, passes = 2, True, 1
    # The sizes take turns, three passes each, so both see the same machine load; times are pooled.
    results: dict[str, dict] = {}
    for pass_no in range(passes):
        for size in SHAPES:
            cmd = [sys.executable, __file__, "--child", size, "--db", args.db, "--runs", str(args.runs)]
            fresh = ["--fresh"] if args.fresh and pass_no == 0 else []
            out = subprocess.run([*cmd, *fresh], check=True, capture_output=True, text=True, cwd=ROOT)
            sys.stderr.write(out.stderr)
            data = json.loads(out.stdout.strip().splitlines()[-1])
            pooled = results.setdefault(size, {"orgs": data["orgs"]})
            for label, value in data.items():
                if label != "orgs":
                    pooled.setdefault(label, {"times": [], "queries": value["queries"]})["times"] += value["times"]
    for pooled in results.values():
        for label, value in pooled.items():
            if label != "orgs":
                value["median"] = statistics.median(value["times"])
                value["min"] = min(value["times"])
    small, large = results["small"], results["large"]
    print(f"=== organisation tree on {args.db}: {small['orgs']:,} vs {large['orgs']:,} organisations")
    print(f"  {'page':<14}{'small ms':>10}{'large ms':>10}{'ratio':>8}{'min ratio':>11}{'queries':>10}"
          f"  goal: median ratio ≤ {MAX_RATIO}×")  # fmt: skip
    ok_all = True
    for label in [k for k in small if k != "orgs"]:
        s, g = small[label], large[label]
        ratio = g["median"] / s["median"]
        ok = ratio <= MAX_RATIO and s["queries"] == g["queries"]
        ok_all &= ok
        print(f"  {label:<14}{s['median']:>10.2f}{g['median']:>10.2f}{ratio:>7.2f}×{g['min'] / s['min']:>10.2f}×"
              f"{s['queries']:>5}/{g['queries']:<4}  {'PASS' if ok else 'FAIL'}")  # fmt: skip
    return 0 if ok_all or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
