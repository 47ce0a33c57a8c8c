"""Check-in benchmark (issue 15): 500 participants check in to one activity within a minute, through the app under
gunicorn (2 workers on PostgreSQL, 1 on SQLite), from this second process on loopback; in the same run, a trivial
view writing one row.

A fresh database (``tongxin_bench_checkin`` on PostgreSQL, or ``var/bench/tongxin_bench_checkin.sqlite3``) gets,
through the services: a committee with ten branches of 50 members, a user with an API token for each member, one
volunteer activity under way with a place for everyone, every registration confirmed, and one notification per
user. Then gunicorn serves it (2 sync workers, production settings) and this process sends, from ``--concurrency``
threads (default 8):

    trivial    POST /api/notifications/<id>/read/    one row written (the notification's read_at), per user
    check-in   POST /api/activities/<id>/check-in/    the six digits the organiser's phone shows now, per user;
               then 10% of them again: a second check-in is the same check-in (nothing written)

Printed: requests per second, p50/p95 latency of each, the ratio of the check-in throughput to the trivial one,
and the check: every participant checked in once (500 registrations with a check-in time, 500 ChangeLog rows of
check-ins, none twice). Goals: p95 under 200 ms and at least 50% of the trivial view's throughput
(PASS/FAIL; ``--strict`` exits 1 on a FAIL).

``--quick``: 40 participants on SQLite unless ``--db`` says otherwise, goals printed, never failing.

    .venv/bin/python bench/checkin.py [--db sqlite|postgresql] [--participants 500] [--concurrency 8] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUICK = "--quick" in sys.argv
BENCH_DIR = ROOT / "var" / ("bench-quick" if QUICK else "bench")
DB_NAME = "tongxin_benchq_checkin" if QUICK else "tongxin_bench_checkin"
PG_BASE_URL = "postgres://postgres@127.0.0.1:5432"
MAX_P95_MS = 200.0
MIN_RATIO = 0.5
BRANCH_SIZE = 50
BENCH_ENV = {
    "TONGXIN_SECRET_KEY": os.environ.get("TONGXIN_SECRET_KEY", "insecure-test-only-key"),
    "TONGXIN_FIELD_KEYS": os.environ.get("TONGXIN_FIELD_KEYS", "dGhyb3ctYXdheS10ZXN0LWFuZC1iZW5jaC1rZXktMDA="),
    "TONGXIN_LOOKUP_KEY": os.environ.get("TONGXIN_LOOKUP_KEY", "throw-away-test-and-bench-lookup-key"),
    "TONGXIN_ADMIN_2FA": "0",
    "TONGXIN_LOG_LEVEL": "WARNING",  # no access line per request in the app's log
    "DJANGO_SETTINGS_MODULE": "tongxin.settings",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_url(args: argparse.Namespace) -> str:
    if args.db == "postgresql":
        return f"{args.pg_url}/{DB_NAME}"
    return f"sqlite:///{BENCH_DIR / (DB_NAME + '.sqlite3')}"


def fresh_database(args: argparse.Namespace) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if args.db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (BENCH_DIR / f"{DB_NAME}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    url = args.pg_url.replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django(args: argparse.Namespace) -> None:
    os.environ.update(BENCH_ENV)
    os.environ["DATABASE_URL"] = database_url(args)
    os.environ.pop("TONGXIN_DEBUG", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------------
# Child: the data, written through the services
# ---------------------------------------------------------------------------------------------------


def child_prepare(args: argparse.Namespace) -> dict[str, Any]:
    import datetime

    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from tongxin.accounts.models import User
    from tongxin.activities import services
    from tongxin.core.models import Notification
    from tongxin.core.testing import person_data
    from tongxin.orgs.models import OrgKind
    from tongxin.orgs.services import create_organization
    from tongxin.people.services import create_person

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    root = create_organization(None, parent=None, kind=OrgKind.LOCAL_COMMITTEE, name="基准区委", code="B0")
    committee = create_organization(None, parent=root, kind=OrgKind.COMMITTEE, name="基准团委", code="B1")
    people = []
    branches = (args.participants + BRANCH_SIZE - 1) // BRANCH_SIZE
    for b in range(branches):
        branch = create_organization(None, parent=committee, kind=OrgKind.BRANCH, name=f"基准支部{b + 1}",
                                     code=f"B1-{b + 1}")  # fmt: skip
        for _ in range(min(BRANCH_SIZE, args.participants - len(people))):
            people.append(create_person(None, person_data(branch)))
    users = User.objects.bulk_create(
        [User(username=f"p{n:04d}", person=person, password="!") for n, person in enumerate(people)]
    )
    tokens = Token.objects.bulk_create([Token(user=user, key=Token.generate_key()) for user in users])
    notes = Notification.objects.bulk_create([Notification(recipient=user, text="基准通知", url="/") for user in users])
    start = timezone.now() - datetime.timedelta(minutes=10)
    activity = services.create_activity(
        None, organization=committee, kind="volunteer", title="基准志愿服务", starts_at=start,
        ends_at=start + datetime.timedelta(hours=3), capacity=len(people),
    )  # fmt: skip
    for person in people:
        services.confirm(None, services.register(None, activity, person))
    log(f"  prepared {len(people)} participants in {time.monotonic() - started:.1f} s")
    return {
        "activity": activity.pk,
        "tokens": [t.key for t in tokens],
        "notifications": [n.pk for n in notes],
    }


def child_check(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.contenttypes.models import ContentType
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from tongxin.activities.models import Registration
    from tongxin.core.models import ChangeLog
    from tongxin.points.models import PointEntry

    checked = Registration.objects.filter(activity_id=args.activity, checked_in_at__isnull=False)
    kind = ContentType.objects.get_for_model(Registration)
    logged = ChangeLog.objects.filter(content_type=kind, after__checked_in_at__isnull=False, before__checked_in_at=None)
    sources = [f"activities.registration:{pk}" for pk in checked.values_list("pk", flat=True)]
    return {
        "checked_in": checked.count(),
        "check_in_log_rows": logged.count(),
        "tasks_waiting": DBTaskResult.objects.filter(status=TaskResultStatus.READY).count(),
        "tasks_failed": DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
        "points_booked": PointEntry.objects.filter(source__in=sources).values("source").distinct().count(),
    }


def drain(args: argparse.Namespace) -> float:
    """Run the task worker until the queue is empty (the points hooks' deliveries); its seconds."""
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": database_url(args)}
    env.pop("TONGXIN_DEBUG", None)
    started = time.perf_counter()
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "-v0"]
    if subprocess.call(command, cwd=ROOT, env=env) != 0:
        raise SystemExit("the task worker failed")
    return time.perf_counter() - started


def run_child(args: argparse.Namespace) -> None:
    setup_django(args)
    sys.stdout = sys.stderr
    job = {"prepare": child_prepare, "check": child_check}[args.child]
    Path(args.out).write_text(json.dumps(job(args)))


def spawn(args: argparse.Namespace, role: str, *extra: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", role, "--out", str(out), "--db", args.db,
               "--pg-url", args.pg_url, "--participants", str(args.participants), *extra]  # fmt: skip
    if QUICK:
        command.append("--quick")
    try:
        if subprocess.call(command, cwd=ROOT) != 0:
            raise SystemExit(f"the {role} process failed")
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------------
# The app under gunicorn, and the load from this process
# ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(args: argparse.Namespace, port: int) -> tuple[subprocess.Popen, Path]:
    env = {**os.environ, **BENCH_ENV, "DATABASE_URL": database_url(args)}
    env.pop("TONGXIN_DEBUG", None)
    log_path = BENCH_DIR / "checkin-app.log"
    # Two workers on PostgreSQL; one on SQLite, whose read-then-write transactions in two processes meet SQLite's
    # lock upgrade ("database is locked") rather than a row lock: SQLite is the development database.
    workers = "2" if args.db == "postgresql" else "1"
    command = [str(Path(sys.executable).with_name("gunicorn")), "tongxin.wsgi:application", "--bind",
               f"127.0.0.1:{port}", "--workers", workers, "--timeout", "60"]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    import httpx

    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log_path}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc, log_path
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not answer /healthz; see {log_path}")
        time.sleep(0.3)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def load(base: str, jobs: list[tuple[str, str, Any]], concurrency: int) -> dict[str, Any]:
    """Send ``jobs`` (path, token, JSON body or a function making it at send time) from ``concurrency`` threads;
    latencies and the wall time."""
    import httpx

    clients = [httpx.Client(base_url=base, timeout=30) for _ in range(concurrency)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def one(index: int) -> None:
        path, token, body = jobs[index]
        body = body() if callable(body) else body
        client = clients[index % concurrency]
        began = time.perf_counter()
        response = client.post(path, json=body, headers={"Authorization": f"Token {token}"})
        latencies.append((time.perf_counter() - began) * 1000)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(len(jobs))))
    wall = time.perf_counter() - began
    for client in clients:
        client.close()
    return {"n": len(jobs), "wall_s": wall, "per_s": len(jobs) / wall, "p50_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 0.95), "statuses": statuses}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--db", choices=("sqlite", "postgresql", "postgres"), default="sqlite" if QUICK else "postgresql"
    )
    parser.add_argument("--pg-url", default=PG_BASE_URL)
    parser.add_argument("--participants", type=int, default=40 if QUICK else 500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="40 participants, goals printed, never failing")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--child", choices=("prepare", "check"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--activity", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db == "postgres":
        args.db = "postgresql"
    if args.child:
        run_child(args)
        return 0

    log(f"check-in benchmark: {args.participants} participants, {args.db}, {args.concurrency} client threads")
    fresh_database(args)
    data = spawn(args, "prepare")
    setup_django(args)  # this process computes the code the organiser's phone shows (the same secret)
    from tongxin.activities import services
    from tongxin.activities.models import Activity

    activity = Activity(pk=data["activity"])
    port = free_port()
    server, _log_path = start_server(args, port)
    try:
        base = f"http://127.0.0.1:{port}"
        tokens = data["tokens"]
        reads = [(f"/api/notifications/{n}/read/", t, {}) for n, t in zip(data["notifications"], tokens, strict=True)]
        trivial = load(base, reads, args.concurrency)
        path = f"/api/activities/{activity.pk}/check-in/"

        def shown_now() -> dict[str, str]:  # what the participant types: the code on the organiser's phone now
            return {"code": services.current_code(activity, services.CHECK_IN)[1]}

        checkin = load(base, [(path, t, shown_now) for t in tokens], args.concurrency)
        again = load(base, [(path, t, shown_now) for t in tokens[: max(1, len(tokens) // 10)]], args.concurrency)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    queued = spawn(args, "check", "--activity", str(activity.pk))
    drained_s = drain(args)
    check = spawn(args, "check", "--activity", str(activity.pk))
    ratio = checkin["per_s"] / trivial["per_s"]
    n = args.participants
    print(f"trivial write   {trivial['per_s']:7.1f}/s  p50 {trivial['p50_ms']:6.1f} ms  p95 {trivial['p95_ms']:6.1f} ms"
          f"  {trivial['statuses']}")  # fmt: skip
    print(f"check-in        {checkin['per_s']:7.1f}/s  p50 {checkin['p50_ms']:6.1f} ms  p95 {checkin['p95_ms']:6.1f} ms"
          f"  {checkin['statuses']}  ({checkin['wall_s']:.1f} s for {n})")  # fmt: skip
    print(f"second check-in {again['per_s']:7.1f}/s  p95 {again['p95_ms']:6.1f} ms  {again['statuses']}")
    print(f"ratio check-in / trivial throughput: {ratio:.2f}")
    print(f"recorded: {check['checked_in']} checked in, {check['check_in_log_rows']} check-in log rows (of {n})")
    print(f"points hooks: {queued['tasks_waiting']} deliveries queued by the requests, delivered by one worker in "
          f"{drained_s:.1f} s; {check['points_booked']} check-ins with points booked, {check['tasks_waiting']} "
          f"waiting, {check['tasks_failed']} failed")  # fmt: skip
    goals = [
        ("p95 under 200 ms", checkin["p95_ms"] < MAX_P95_MS),
        ("at least 50% of the trivial view's throughput", ratio >= MIN_RATIO),
        ("within a minute", checkin["wall_s"] <= 60),
        (f"{n} check-ins recorded, none twice", check["checked_in"] == n and check["check_in_log_rows"] == n),
        ("every delivery done", check["tasks_waiting"] == 0 and check["tasks_failed"] == 0),
    ]
    for name, ok in goals:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    if QUICK:
        return 0
    return 1 if args.strict and not all(ok for _name, ok in goals) else 0


if __name__ == "__main__":
    sys.exit(main())
