"""Study peak benchmark (issue 14): the whole district answers the week's period in the same evening.

In a working copy of the seeded 1× demo district (``<prefix>_study``: the people and accounts of
bench/roster.py's demo, seeded when missing, reused afterwards; the copy ``<prefix>_study_run`` is made
fresh each run and dropped afterwards unless ``--keep-copy``):

1. prepares, through the services: a campaign of the district with a bank of five questions and one period
   open now; a user with an API token for every member of the audience (13,373 at 1×);
2. starts the app under gunicorn (``--workers``, default 2, sync workers, production settings) on loopback;
3. from this process, a bounded asyncio client (``--client``: aiohttp by default, or httpx; ``--concurrency``
   requests in flight, default 8) drives for every member the period's open-and-submit flow:
   ``POST /api/study-attempts/`` (start: the questions in his order) then
   ``POST /api/study-attempts/<id>/submit/`` with answers; one member in ten taps twice (the same submission
   sent again), which must not make a second participation;
4. in the same run, the same number of requests against a trivial view that writes one row
   (``POST /bench/one-row/``, bench/study_peak_urls.py) with the same token authentication, in turns with the
   study flow (``--rounds``, default 4: a quarter of the members, then as many trivial requests as they sent,
   and so on), so that both are measured under the same state of the machine: in runs of the two loads one
   after the other, the trivial view's speed alone moved by half from run to run (docs/scale-out.md);
5. stops the app and checks: participations = members who submitted (0 lost), none twice (0 duplicated), and
   the period's roll-up rows equal a recount from the participations.

Prints submissions per second (a member's start + submit counted once), p50/p95 latency per request, the
trivial view's throughput and the ratio, lost and duplicated participations and roll-up mismatches, and the CPU
milliseconds per request spent by the client, the app's processes and PostgreSQL's backends (Linux's /proc) in
each of the two runs: the client shares the machine with the server, so its share is part of the measure.
Goals (1× on PostgreSQL): the district's submissions in under 3 minutes, at ≥ 50% of the trivial view's
throughput (per request), p95 under 300 ms, 0 lost, 0 duplicated, roll-ups equal to a recount (PASS/FAIL;
``--strict`` exits 1 on a FAIL).

    .venv/bin/python bench/study_peak.py [--db postgresql|sqlite] [--workers 2] [--concurrency 8] [--quick]

``--quick``: the tiny demo district of bench/roster.py's quick mode, rebuilt each time, 40 of its members
driven; the same flow and checks, goals printed, never failing. ``--members N`` drives only N members (a
sample of a large district: the roll-up rows are as deep as the whole run's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from import_roster import setup_django
from roster import BENCH_DIR, DB_PREFIX, PG_BASE_URL, QUICK, ROOT, add_quick_option, ensure_seeded, log
from workcopy import drop_pg_copy, make_pg_copy

SEEDED = f"{DB_PREFIX}_study"
COPY = f"{SEEDED}_run"
SEED = 2027
QUICK_MEMBERS = 40  # --quick: does it still run (make test), not how fast
DOUBLE_TAP = 0.1  # members who send their submission twice
GOAL_SECONDS = 180
GOAL_RATIO = 0.5
GOAL_P95_MS = 300
ENV = {
    "TONGXIN_SECRET_KEY": os.environ.get("TONGXIN_SECRET_KEY", "insecure-test-only-key"),
    "TONGXIN_FIELD_KEYS": os.environ.get("TONGXIN_FIELD_KEYS", "dGhyb3ctYXdheS10ZXN0LWFuZC1iZW5jaC1rZXktMDA="),
    "TONGXIN_LOOKUP_KEY": os.environ.get("TONGXIN_LOOKUP_KEY", "throw-away-test-and-bench-lookup-key"),
    "TONGXIN_ADMIN_2FA": "0",
    "TONGXIN_LOG_LEVEL": "WARNING",  # no access line per request
}


def pg(args: argparse.Namespace) -> bool:
    return args.db == "postgres"


def sqlite_file(name: str) -> Path:
    return BENCH_DIR / f"{name}.sqlite3"


# ---------------------------------------------------------------------------------------------------
# Children: each one Django process on one database
# ---------------------------------------------------------------------------------------------------


def child_seed(args: argparse.Namespace) -> dict[str, Any]:
    """The seeded database (people and accounts of the demo district), made when missing."""
    if pg(args):
        import psycopg
        from workcopy import admin_url

        with psycopg.connect(admin_url(args.pg_url), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SEEDED]).fetchone()
            if exists and (args.fresh or QUICK):
                conn.execute(f'DROP DATABASE "{SEEDED}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{SEEDED}"')
    else:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        if args.fresh or QUICK:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file(SEEDED)}{suffix}").unlink(missing_ok=True)
    setup_django(args, sqlite=sqlite_file(SEEDED), pg_name=SEEDED)
    from django.db import connection

    return {"seed_seconds": ensure_seeded(1, connection.vendor)}


def child_prepare(args: argparse.Namespace) -> dict[str, Any]:
    """In the copy: the campaign, its period open now, a token for every member of the audience."""
    setup_django(args, sqlite=sqlite_file(COPY), pg_name=COPY)
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from tongxin.accounts.models import User
    from tongxin.orgs.models import Organization
    from tongxin.study import services
    from tongxin.study.models import QuestionKind

    root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    assert root is not None
    with transaction.atomic():
        campaign = services.create_campaign(None, organization=root, title="青年大学习 压力测试")
        questions = [
            services.add_question(
                None,
                campaign,
                kind=QuestionKind.SINGLE,
                text=f"第{n}题",
                options=["甲", "乙", "丙"],
                answer=[n % 3],
                explanation="解析",
            )
            for n in range(4)
        ]
        questions.append(services.add_question(None, campaign, kind=QuestionKind.TRUE_FALSE, text="判断", options=[],
                                               answer=[0]))  # fmt: skip
        now = timezone.now()
        period = services.create_period(
            None, campaign, number=1, title="本周", opens_at=now - datetime.timedelta(hours=1),
            closes_at=now + datetime.timedelta(days=2), questions=questions, max_attempts=3,
        )  # fmt: skip
        people = list(services.audience_people(campaign).order_by("pk").values_list("pk", flat=True))
        linked = set(User.objects.filter(person_id__in=people).values_list("person_id", flat=True))
        unusable = make_password(None)
        User.objects.bulk_create(
            [User(username=f"peak{pk}", password=unusable, person_id=pk) for pk in people if pk not in linked],
            batch_size=2000,
        )
        users = dict(User.objects.filter(person_id__in=people).values_list("person_id", "pk"))
        Token.objects.bulk_create([Token(user_id=uid, key=Token.generate_key()) for uid in users.values()],
                                  batch_size=2000, ignore_conflicts=True)  # fmt: skip
        tokens = dict(Token.objects.filter(user_id__in=list(users.values())).values_list("user_id", "key"))
    return {"period": period.pk, "tokens": [tokens[users[pk]] for pk in people]}


def child_check(args: argparse.Namespace) -> dict[str, Any]:
    """After the run: participations, duplicates, and the roll-up rows against a recount."""
    setup_django(args, sqlite=sqlite_file(COPY), pg_name=COPY)
    from collections import defaultdict

    from django.db.models import Count

    from tongxin.orgs.models import path_ids
    from tongxin.study.models import Participation, PeriodStats, StudyPeriod

    period = StudyPeriod.objects.get(pk=args.period)
    rows = list(Participation.objects.filter(period=period).values_list("person_id", "org_path"))
    twice = sum(n - 1 for n in Counter(pk for pk, _path in rows).values() if n > 1)
    recount: dict[int, int] = defaultdict(int)
    per_branch = Participation.objects.filter(period=period).values_list("org_path").annotate(n=Count("id"))
    root_depth = len(path_ids(period.org_path))
    for path, n in per_branch:
        for pk in path_ids(path)[root_depth - 1 :]:
            recount[pk] += n
    kept = dict(PeriodStats.objects.filter(period=period).values_list("organization_id", "participants"))
    mismatches = sorted(pk for pk in set(kept) | set(recount) if kept.get(pk, 0) != recount.get(pk, 0))
    return {"participations": len(rows), "duplicated": twice, "rollup_mismatches": len(mismatches),
            "rollup_rows": len(kept)}  # fmt: skip


def run_child(args: argparse.Namespace) -> None:
    sys.stdout = sys.stderr  # only the JSON file talks to the parent
    job = {"seed": child_seed, "prepare": child_prepare, "check": child_check}[args.child]
    Path(args.out).write_text(json.dumps(job(args), ensure_ascii=False, default=str))


def spawn(args: argparse.Namespace, role: str, *extra: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", role, "--out", str(out), "--db", args.db]
    command += ["--pg-url", args.pg_url, *extra] + (["--fresh"] if args.fresh else []) + (["--quick"] if QUICK else [])
    try:
        code = subprocess.call(command, cwd=ROOT, env={**os.environ, **ENV})
        if code != 0:
            raise SystemExit(f"the {role} process failed (exit {code})")
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def make_copy(args: argparse.Namespace) -> None:
    if pg(args):
        make_pg_copy(args.pg_url, SEEDED, COPY)
    else:
        import sqlite3

        target = sqlite_file(COPY)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(sqlite_file(SEEDED)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)


def drop_copy(args: argparse.Namespace) -> None:
    if args.keep_copy:
        return
    if pg(args):
        drop_pg_copy(args.pg_url, COPY)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file(COPY)}{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------------
# The app under gunicorn
# ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_app(args: argparse.Namespace, port: int) -> tuple[subprocess.Popen, Path]:
    env = {**os.environ, **ENV, "DJANGO_SETTINGS_MODULE": "study_peak_settings"}
    env.pop("TONGXIN_DEBUG", None)
    if pg(args):
        env["DATABASE_URL"] = f"{args.pg_url}/{COPY}"
    else:
        env.pop("DATABASE_URL", None)
        env["TONGXIN_SQLITE_PATH"] = str(sqlite_file(COPY))
    log_path = BENCH_DIR / "study-peak-app.log"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "tongxin.wsgi:application", "--pythonpath", "bench",
        "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--timeout", "120",
        "--graceful-timeout", "10", "--backlog", "2048",
    ]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    import httpx

    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the app exited; see {log_path}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc, log_path
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"the app did not answer /healthz; see {log_path}")
        time.sleep(0.5)


def stop_app(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


# ---------------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def p(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        values = sorted(self.latencies)
        return values[min(len(values) - 1, int(q * len(values)))] * 1000


class HttpxClient:
    """The load generator on httpx (pure Python: its HTTP parser, h11, is the heaviest part of the client)."""

    def __init__(self, port: int, concurrency: int) -> None:
        import httpx

        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60)

    async def post(self, path: str, token: str, body: dict[str, Any]) -> tuple[int, str]:
        response = await self.client.post(path, json=body, headers={"Authorization": f"Token {token}"})
        return response.status_code, response.text

    async def close(self) -> None:
        await self.client.aclose()


class AiohttpClient:
    """The load generator on aiohttp (its HTTP parser compiled): the same requests for less of the machine's CPU,
    which the client shares with the app and PostgreSQL on loopback."""

    def __init__(self, port: int, concurrency: int) -> None:
        import aiohttp

        self.base = f"http://127.0.0.1:{port}"
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=concurrency), timeout=aiohttp.ClientTimeout(total=60)
        )

    async def post(self, path: str, token: str, body: dict[str, Any]) -> tuple[int, str]:
        headers = {"Authorization": f"Token {token}"}
        async with self.session.post(self.base + path, json=body, headers=headers) as response:
            return response.status, await response.text()

    async def close(self) -> None:
        await self.session.close()


CLIENTS: dict[str, type[AiohttpClient | HttpxClient]] = {"aiohttp": AiohttpClient, "httpx": HttpxClient}


async def _post(client: Any, stats: Stats, path: str, token: str, body: dict[str, Any]) -> Any:
    started = time.perf_counter()
    status, text = await client.post(path, token, body)
    stats.latencies.append(time.perf_counter() - started)
    if status >= 400:
        stats.errors.append(f"{path} {status} {text[:160]}")
        return None
    return json.loads(text)


async def member_flow(client: Any, stats: Stats, period: int, token: str, rng: random.Random) -> bool:
    attempt = await _post(client, stats, "/api/study-attempts/", token, {"period": period})
    if attempt is None:
        return False
    answers = {str(q["id"]): [rng.choice(q["options"])["index"]] for q in attempt["questions"]}
    body = {"token": attempt["token"], "answers": answers}
    url = f"/api/study-attempts/{attempt['id']}/submit/"
    done = await _post(client, stats, url, token, body)
    if done is not None and rng.random() < DOUBLE_TAP:
        await _post(client, stats, url, token, body)  # the double tap: answered, not recorded again
    return done is not None


async def drive(kind: str, port: int, concurrency: int, jobs: list[Any]) -> float:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    client = CLIENTS[kind](port, concurrency)
    try:

        async def worker() -> None:
            while not queue.empty():
                job = queue.get_nowait()
                await job(client)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started
    finally:
        await client.close()


# ---------------------------------------------------------------------------------------------------
# Where the machine's CPU went: the client (this process), the app (gunicorn's processes), PostgreSQL
# ---------------------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc; 0 elsewhere or once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of proc(5))


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class CpuMeter:
    """CPU seconds spent during a phase by the client (this process), the app (gunicorn's processes) and the
    PostgreSQL backends connected to the working copy. The app renews its connections (CONN_MAX_AGE), so the
    backends are sampled every half second from a thread and each one's last reading kept: a backend that ends
    during the phase loses at most its last half second."""

    def __init__(self, args: argparse.Namespace, app_pid: int) -> None:
        self.args, self.app_pid = args, app_pid
        self.url = args.pg_url.replace("postgres://", "postgresql://", 1) + "/postgres"

    def _backends(self, conn: Any) -> list[int]:
        return [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [COPY])]

    def run(self, phase: Any) -> tuple[Any, dict[str, float]]:
        import threading

        import psycopg

        # backend → CPU at its first reading (0 for one that connected during the phase), at its last
        seen: dict[int, tuple[float, float]] = {}
        done = threading.Event()

        def sample(conn: Any) -> None:
            first_round = True
            while True:
                for pid in self._backends(conn):
                    now = process_cpu(pid)
                    seen[pid] = (seen[pid][0] if pid in seen else now if first_round else 0.0, now)
                first_round = False
                if done.wait(0.5):
                    return

        def app() -> float:
            return sum(process_cpu(pid) for pid in [self.app_pid, *_children(self.app_pid)])

        client, app_before = time.process_time(), app()
        with psycopg.connect(self.url, autocommit=True) if pg(self.args) else contextlib.nullcontext() as conn:
            sampler = threading.Thread(target=sample, args=(conn,), daemon=True) if conn is not None else None
            if sampler is not None:
                sampler.start()
            try:
                result = phase()
            finally:
                done.set()
                if sampler is not None:
                    sampler.join()
        database = sum(last - first for first, last in seen.values())
        cpu = {"client": time.process_time() - client, "app": app() - app_before, "database": database}
        return result, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgresql", "postgres", "sqlite"], default="postgresql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--client", choices=sorted(CLIENTS), default="aiohttp", help="the load generator's library")
    parser.add_argument("--members", type=int, default=0, help="drive only the first N members (0: all)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="turns of study flow and trivial view (1: the whole study run, then the trivial one)",
    )
    parser.add_argument("--fresh", action="store_true", help="reseed the district")
    parser.add_argument("--keep-copy", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal fails")
    parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--period", type=int, help=argparse.SUPPRESS)
    add_quick_option(parser)
    args = parser.parse_args()
    if args.db == "postgresql":
        args.db = "postgres"  # bench/roster.py's name for it
    if QUICK and not args.members:
        args.members = QUICK_MEMBERS
    if args.child:
        run_child(args)
        return 0

    log(f"study peak: {'quick' if QUICK else '1×'} district on {args.db}, {args.workers} gunicorn workers, "
        f"{args.concurrency} requests in flight")  # fmt: skip
    seeded = spawn(args, "seed")
    if seeded.get("seed_seconds"):
        log(f"  seeded in {seeded['seed_seconds']:.0f} s")
    make_copy(args)
    try:
        plan = spawn(args, "prepare")
        audience = len(plan["tokens"])
        tokens: list[str] = plan["tokens"][: args.members] if args.members else plan["tokens"]
        log(f"  {len(tokens)} members with a token; period {plan['period']} open")
        port = free_port()
        proc, log_path = start_app(args, port)
        try:
            rng = random.Random(SEED)
            study, trivial = Stats(), Stats()
            submitted: list[bool] = []

            def member(token: str):
                async def job(client: Any) -> None:
                    submitted.append(await member_flow(client, study, plan["period"], token, rng))

                return job

            def one_row(token: str):
                async def job(client: Any) -> None:
                    await _post(client, trivial, "/bench/one-row/", token, {})

                return job

            def timed(jobs: list[Any]) -> tuple[float, dict[str, float]]:
                return meter.run(lambda: asyncio.run(drive(args.client, port, args.concurrency, jobs)))

            meter = CpuMeter(args, proc.pid)
            jobs = [member(t) for t in tokens]
            study_seconds = trivial_seconds = 0.0
            study_cpu: Counter[str] = Counter()  # each part's CPU seconds, summed over the turns
            trivial_cpu: Counter[str] = Counter()
            size = -(-len(jobs) // max(args.rounds, 1))
            for first in range(0, len(jobs), size):  # in turns: a slice of the members, then as many trivial requests
                sent = len(study.latencies)
                seconds, cpu = timed(jobs[first : first + size])
                study_seconds += seconds
                study_cpu.update(cpu)
                seconds, cpu = timed([one_row(tokens[i % len(tokens)]) for i in range(sent, len(study.latencies))])
                trivial_seconds += seconds
                trivial_cpu.update(cpu)
            requests = len(study.latencies)
        finally:
            stop_app(proc)
        checked = spawn(args, "check", "--period", str(plan["period"]))
    finally:
        drop_copy(args)

    ok_members = sum(submitted)
    per_second = ok_members / study_seconds if study_seconds else 0.0
    study_rps = requests / study_seconds if study_seconds else 0.0
    trivial_rps = len(trivial.latencies) / trivial_seconds if trivial_seconds else 0.0
    ratio = study_rps / trivial_rps if trivial_rps else 0.0
    lost = ok_members - checked["participations"]
    # With --members N, the whole audience's time at the rate measured on the sample.
    projected = study_seconds * audience / len(tokens) if tokens else 0.0
    results = {
        "audience": audience, "members": len(tokens), "submitted": ok_members, "seconds": round(study_seconds, 1),
        "projected_seconds_for_the_audience": round(projected, 1),
        "submissions_per_second": round(per_second, 1), "requests": requests,
        "requests_per_second": round(study_rps, 1), "p50_ms": round(study.p(0.5), 1), "p95_ms": round(study.p(0.95), 1),
        "trivial_requests_per_second": round(trivial_rps, 1), "trivial_p50_ms": round(trivial.p(0.5), 1),
        "trivial_p95_ms": round(trivial.p(0.95), 1), "ratio": round(ratio, 2), "lost": lost,
        "duplicated": checked["duplicated"], "rollup_mismatches": checked["rollup_mismatches"],
        "errors": len(study.errors) + len(trivial.errors), "client": args.client, "rounds": args.rounds,
        # CPU milliseconds per request of each part (the machine's two cores are shared by the three)
        "cpu_ms_per_request": {part: round(1000 * value / max(requests, 1), 2) for part, value in study_cpu.items()},
        "trivial_cpu_ms_per_request": {part: round(1000 * value / max(len(trivial.latencies), 1), 2)
                                       for part, value in trivial_cpu.items()},
    }  # fmt: skip
    print(json.dumps(results, ensure_ascii=False, indent=2))
    for error in (study.errors + trivial.errors)[:5]:
        log(f"  error: {error}")
    goals = [
        ("the audience's submissions in under 3 minutes", projected < GOAL_SECONDS and ok_members == len(tokens)),
        ("≥ 50% of the trivial view's throughput", ratio >= GOAL_RATIO),
        ("p95 under 300 ms", study.p(0.95) < GOAL_P95_MS),
        ("0 lost, 0 duplicated", lost == 0 and checked["duplicated"] == 0),
        ("roll-ups equal a recount", checked["rollup_mismatches"] == 0),
    ]
    for label, ok in goals:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    print(f"(app log: {log_path})")
    failed = not all(ok for _label, ok in goals)
    return 1 if failed and args.strict and not QUICK else 0


if __name__ == "__main__":
    sys.exit(main())
