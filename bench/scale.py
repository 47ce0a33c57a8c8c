"""Dashboards at scale (issue 18): an organisation's dashboard read from the roll-ups, against the same member
figures computed with plain GROUP BY queries over the member table, at 1×, 10× (and 100×) the demo district.

For the root, a middle committee (the root's child with the median member count) and a branch (the median
branch), each scale in its own process on its seeded database (bench/roster.py's, seeded once and reused;
the tallies are rebuilt when the database predates them, and that rebuild is timed): the median time of
``dashboard.queries.dashboard`` + ``as_dict`` (what the page and the API compute), the median time of the
GROUP BY baseline over ``people_person`` (members by status, then the active members by sex, political status,
ethnicity, education, occupation and birth month, and the organisations by kind and category, restricted to
the subtree's path prefix), their ratio, and the growth of each from the smallest scale.

Goals: the root's dashboard under 100 ms at the largest scale and at least 10× faster than the GROUP BY
there; a branch's dashboard flat across scales (within 1.2×).

``--features``: each scale's database is the whole demo district, ``seed_demo --scale N`` (meetings, dues, study,
activities, points, honours…: every figure of the dashboard has rows behind it), in ``<prefix>_<N>x_features``,
seeded when empty and reused afterwards (the seed's own step times are printed), instead of bench/roster.py's
organisations, people and accounts alone.

    python bench/scale.py --db postgres                 # 1× and 10×
    python bench/scale.py --db postgres --scales 1,10,100
    python bench/scale.py --db postgres --features      # on the whole demo district's data
    python bench/scale.py --quick [--features]          # tiny, SQLite: does it still run?
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_roster import setup_django
from roster import (
    PG_BASE_URL,
    QUICK,
    ROOT,
    add_quick_option,
    db_name,
    ensure_seeded,
    log,
    median,
    prepare_postgres,
    prepare_sqlite,
    shrink_demo_in_quick_mode,
    sqlite_path,
)

ROOT_MAX_MS = 100.0
MIN_RATIO = 10.0
BRANCH_MAX_GROWTH = 1.2


def pick_orgs() -> dict[str, Any]:
    from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus

    root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    children = list(
        Organization.objects.filter(parent=root, status=OrgStatus.ACTIVE, stats__children_count__gt=0)
        .order_by("stats__members_total", "pk")
        .values_list("pk", flat=True)
    )
    branches = list(
        Organization.objects.filter(kind__in=MEMBER_HOLDING_KINDS, status=OrgStatus.ACTIVE, stats__members_direct__gt=0)
        .order_by("stats__members_direct", "pk")
        .values_list("pk", flat=True)
    )
    return {
        "root": root,
        "committee": Organization.objects.get(pk=children[len(children) // 2]),
        "branch": Organization.objects.get(pk=branches[len(branches) // 2]),
    }


def group_by(org: Any) -> dict[str, Any]:
    """The same member and organisation figures counted from the rows, one GROUP BY per facet."""
    from django.db.models import Count
    from django.db.models.functions import ExtractMonth, ExtractYear

    from tongxin.core.scoping import subtree_q
    from tongxin.orgs.models import Organization, OrgStatus
    from tongxin.people.models import MembershipStatus, Person

    people = Person.objects.filter(subtree_q("org_path", org.path), branch__isnull=False).order_by()
    result: dict[str, Any] = {"status": dict(people.values_list("status").annotate(n=Count("pk")))}
    active = people.filter(status=MembershipStatus.ACTIVE)
    for field in ("sex", "political_status", "ethnicity", "education", "occupation"):
        result[field] = dict(active.values_list(field).annotate(n=Count("pk")))
    months = active.annotate(y=ExtractYear("birth_date"), m=ExtractMonth("birth_date"))
    result["birth_month"] = {f"{y:04d}{m:02d}": n for y, m, n in months.values_list("y", "m").annotate(n=Count("pk"))}
    orgs = Organization.objects.filter(subtree_q("path", org.path), status=OrgStatus.ACTIVE).order_by()
    result["org_kind"] = dict(orgs.values_list("kind").annotate(n=Count("pk")))
    result["org_category"] = dict(orgs.values_list("category").annotate(n=Count("pk")))
    return result


def seed_features(scale: int) -> float | None:
    """``seed_demo --scale`` into the (empty) database unless it holds a district; the seconds it took."""
    from django.core.management import call_command

    from tongxin.orgs.models import Organization

    call_command("migrate", verbosity=0, interactive=False)
    shrink_demo_in_quick_mode()
    if Organization.objects.exists():
        return None
    log(f"  seeding the whole demo district at {scale}× (seed_demo)…")
    started = time.monotonic()
    call_command("seed_demo", scale=scale)
    return time.monotonic() - started


def child(args: argparse.Namespace) -> dict[str, Any]:
    scale = args.scale
    name = f"{db_name(scale)}_features" if args.features else db_name(scale)
    sqlite = sqlite_path(scale).with_name(f"{name}.sqlite3")
    if args.db == "postgres":
        prepare_postgres(scale, QUICK and args.features, args.pg_url, name)
    else:
        prepare_sqlite(scale, False)
        if QUICK and args.features:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
    setup_django(args, sqlite=sqlite, pg_name=name)
    from django.db import connection

    from tongxin.dashboard import queries
    from tongxin.orgs import tallies
    from tongxin.orgs.models import Tally
    from tongxin.people.models import Person

    seeded = seed_features(scale) if args.features else ensure_seeded(scale, connection.vendor)
    out: dict[str, Any] = {"scale": scale, "seed_seconds": seeded}
    if not Tally.objects.exists():
        started = time.perf_counter()
        out["tally_rows"] = tallies.rebuild()
        out["rebuild_seconds"] = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE orgs_tally")
    out["people"] = Person.objects.count()
    out["tally_rows_total"] = Tally.objects.count()
    orgs = pick_orgs()
    for label, org in orgs.items():
        board = queries.as_dict(queries.dashboard(org))  # warm, and the figures to compare
        counted = group_by(org)
        by_facet = {d["facet"]: {s["key"]: s["count"] for s in d["slices"]} for d in board["distributions"]}
        kept = tallies.figures(org.pk)
        for facet, figures in counted.items():
            assert {k or "": v for k, v in figures.items()} == dict(kept.get(facet, {})), (label, facet)
        assert by_facet["status"] == {k: v for k, v in counted["status"].items()}, label
        dash_ms, group_ms = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            queries.as_dict(queries.dashboard(org))
            dash_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            group_by(org)
            group_ms.append((time.perf_counter() - started) * 1000)
        out[label] = {"name": org.name, "members": board["members"], "dashboard_ms": median(dash_ms),
                      "group_by_ms": median(group_ms)}  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scales", default="1" if QUICK else "1,10")
    parser.add_argument("--runs", type=int, default=3 if QUICK else 15)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal fails")
    parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--features", action="store_true", help="on seed_demo's whole district (every feature)")
    add_quick_option(parser)
    args = parser.parse_args()
    if args.child:
        Path(args.out).write_text(json.dumps(child(args)))
        return 0

    scales = [int(s) for s in args.scales.split(",")]
    results: dict[int, dict[str, Any]] = {}
    for scale in scales:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            out = handle.name
        command = [sys.executable, __file__, "--child", "--scale", str(scale), "--db", args.db, "--runs",
                   str(args.runs), "--pg-url", args.pg_url, "--out", out] + (["--quick"] if QUICK else []) + (
                   ["--features"] if args.features else [])  # fmt: skip
        log(f"scale {scale}×: seeding when missing, then {args.runs} rounds")
        subprocess.run(command, check=True, cwd=ROOT)
        results[scale] = json.loads(Path(out).read_text())
        os.unlink(out)

    first, last = scales[0], scales[-1]
    data = "seed_demo's whole district" if args.features else "organisations, people and accounts"
    print(f"\nDashboards from roll-ups vs GROUP BY over the member table ({args.db}, {data}, median of {args.runs})")
    for scale in scales:
        r = results[scale]
        extra = ""
        if "rebuild_seconds" in r:
            extra = f"; tallies rebuilt: {r['tally_rows']} rows in {r['rebuild_seconds']:.1f} s"
        print(f"  {scale}×: {r['people']} people, {r['tally_rows_total']} tally rows{extra}")
    print(f"  {'org':<10}{'scale':>6}{'members':>10}{'dashboard ms':>14}{'GROUP BY ms':>13}{'ratio':>8}{'growth':>8}")
    for label in ("root", "committee", "branch"):
        base = results[first][label]["dashboard_ms"]
        for scale in scales:
            r = results[scale][label]
            ratio = r["group_by_ms"] / r["dashboard_ms"]
            growth = r["dashboard_ms"] / base
            print(f"  {label:<10}{scale:>5}×{r['members']:>10}{r['dashboard_ms']:>14.2f}{r['group_by_ms']:>13.2f}"
                  f"{ratio:>7.1f}×{growth:>7.2f}×")  # fmt: skip
    root = results[last]["root"]
    root_ratio = root["group_by_ms"] / root["dashboard_ms"]
    branch_growth = results[last]["branch"]["dashboard_ms"] / results[first]["branch"]["dashboard_ms"]
    goals = [
        (f"root dashboard at {last}× under {ROOT_MAX_MS:.0f} ms ({root['dashboard_ms']:.1f} ms)",
         root["dashboard_ms"] < ROOT_MAX_MS),
        (f"root dashboard at {last}× at least {MIN_RATIO:.0f}× faster than GROUP BY "
         f"({root_ratio:.1f}×)", root_ratio >= MIN_RATIO),
        (f"branch dashboard {first}× → {last}× within {BRANCH_MAX_GROWTH}× ({branch_growth:.2f}×)",
         branch_growth <= BRANCH_MAX_GROWTH),
    ]  # fmt: skip
    for text, ok in goals:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}" + ("  (quick: not checked)" if QUICK else ""))
    return 1 if args.strict and not QUICK and not all(ok for _text, ok in goals) else 0


if __name__ == "__main__":
    sys.exit(main())
