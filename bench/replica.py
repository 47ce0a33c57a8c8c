"""Read replica: lag while a writer works, reads on the replica against the primary, same figures once caught up.

A real streaming replica of a PostgreSQL primary (docs/scale-out.md, "Read replicas"):

1. the primary: the server of ``--pg-url`` (127.0.0.1:5432) when it accepts replication connections; otherwise
   the script says exactly what that server lacks and starts a private primary instead (``initdb`` into a
   temporary directory, port ``--primary-port``, 5433), unless ``--no-private-primary``;
2. its database ``tx_replica_bench``: migrated and seeded with ``manage.py seed_demo`` at scale 1 (on the shared
   server it is kept for the next run, ``--fresh`` reseeds it; a private primary is seeded every run);
3. the replica: ``pg_basebackup -R -X stream`` of the primary into ``/tmp/tx_replica_*``, started with
   ``pg_ctl`` on ``--replica-port`` (5434) as a hot standby, streaming from the primary;
4. for ``--seconds`` (default 30): a writer process moves members between branches through the roster
   service (``people.services.update_person``, each move in its own transaction: roll-ups, stays, audit rows)
   on the primary, while the reader process (DATABASE_URL the primary, DATABASE_REPLICA_URL the replica, the
   settings' router) repeats the read, alternately inside ``reads_from_replica()`` (the replica) and outside
   (the primary), and a sampler polls the lag every 50 ms: bytes of WAL not yet replayed
   (``pg_current_wal_lsn()`` on the primary less ``pg_last_wal_replay_lsn()`` on the replica), the primary's
   own ``pg_stat_replication.replay_lag``, and ``clock_timestamp() - pg_last_xact_replay_timestamp()`` on the
   replica;
5. the writer stops; the replica catches up (its replay LSN reaches the primary's current LSN) and the read's
   figures on the replica are compared with the primary's, and the whole roll-up table (``OrgStats``) too.

The read is one function (``--read``): by default ``top_org_stats`` below, each top organisation (the root and
its children) with its ``OrgStats`` roll-up, a stand-in for the dashboard's overview until tongxin/dashboard
exists; ``--read package.module:function`` plugs in any other read (no arguments, returns figures that can be
compared with ``==`` and written as JSON).

Prints: moves written, lag (median, 95th percentile, max while writing), catch-up time, the read's median on
the replica and on the primary in the same rounds (the ratio: replica / primary, the baseline), the share of
replica reads during writing that differed from the primary's read just before (stale by the lag), and
whether the figures are equal once caught up (exit 1 if not). The replica (and a private primary) is stopped
and its directory removed at the end, also on failure or Ctrl-C.

    .venv/bin/python bench/replica.py [--seconds 30] [--fresh] [--read module:function] [--quick]
    make bench-replica

Runs as root only through ``runuser -u postgres`` (initdb, pg_ctl and the server refuse root).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from roster import PG_BASE_URL, QUICK, QUICK_DEMO, ROOT, add_quick_option, bench_environment, log

DB_NAME = "tx_replica_benchq" if QUICK else "tx_replica_bench"
APP_NAME = "tx_replica_bench"  # the standby's cluster_name: its walreceiver's application_name on the primary
TMP_PREFIX = "tx_replica_"
SEED = 2026
# The keys the bench database is encrypted with: the environment's (``make bench-replica`` exports the same
# throw-away ones as the other benchmarks), else those.
BENCH_ENV = {
    "TONGXIN_SECRET_KEY": os.environ.get("TONGXIN_SECRET_KEY", "insecure-test-only-key"),
    "TONGXIN_FIELD_KEYS": os.environ.get("TONGXIN_FIELD_KEYS", "dGhyb3ctYXdheS10ZXN0LWFuZC1iZW5jaC1rZXktMDA="),
    "TONGXIN_LOOKUP_KEY": os.environ.get("TONGXIN_LOOKUP_KEY", "throw-away-test-and-bench-lookup-key"),
    "TONGXIN_LOG_LEVEL": "WARNING",
}
HBA = "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
# Settings a hot standby must have at least as high as its primary's (PostgreSQL refuses to start otherwise).
STANDBY_AT_LEAST = (
    "max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
    "max_locks_per_transaction",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# The reads: one function each, no arguments, figures comparable with == (plug in others with --read)
# ---------------------------------------------------------------------------------------------------


def top_org_stats() -> list[list[Any]]:
    """Each top organisation (the root and its children) with its roll-up counts, in tree order: the
    figures the dashboard's district overview starts from (a stand-in until tongxin/dashboard exists)."""
    from tongxin.orgs.models import Organization

    rows = Organization.objects.filter(depth__lte=1).select_related("stats").order_by("path")
    return [[o.pk, o.name, o.stats.members_direct, o.stats.members_total, o.stats.children_count] for o in rows]


READS: dict[str, Callable[[], Any]] = {"top_org_stats": top_org_stats}


def load_read(spec: str) -> Callable[[], Any]:
    if spec in READS:
        return READS[spec]
    module, _colon, name = spec.partition(":")
    if not name:
        raise SystemExit(f"--read {spec!r}: a name of {sorted(READS)} or package.module:function")
    return getattr(importlib.import_module(module), name)


def all_rollups() -> list[tuple[int, int, int, int]]:
    from tongxin.orgs.models import OrgStats

    return list(
        OrgStats.objects.order_by("organization_id").values_list(
            "organization_id", "members_direct", "members_total", "children_count"
        )
    )


# ---------------------------------------------------------------------------------------------------
# PostgreSQL servers: the binaries, running them as the postgres user, the replication check
# ---------------------------------------------------------------------------------------------------


def pg_bindir() -> Path:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        found = Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
        if (found / "pg_ctl").exists():
            return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not candidates:
        raise SystemExit("no PostgreSQL server binaries: neither `pg_config --bindir` nor /usr/lib/postgresql/*/bin")
    return candidates[-1].parent


def as_server_user(command: list[str]) -> list[str]:
    """initdb, pg_ctl and the server refuse to run as root: as root, run them as the postgres user."""
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser") is None:
        raise SystemExit("running as root needs runuser (util-linux) to start PostgreSQL as the postgres user")
    return ["runuser", "-u", "postgres", "--", *command]


def server_owned_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    path.chmod(0o700)
    return path


def conninfo(url: str, dbname: str = "postgres") -> str:
    return url.replace("postgres://", "postgresql://", 1).rstrip("/") + f"/{dbname}"


def host_port(url: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5432


def replication_refusal(url: str) -> str | None:
    """Why the server of ``url`` cannot have a streaming replica (None: it can), in words saying what to do."""
    import psycopg

    host, port = host_port(url)
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        wal_level, senders, used, hba_file = conn.execute(
            "SELECT current_setting('wal_level'), current_setting('max_wal_senders')::int,"
            " (SELECT count(*) FROM pg_stat_replication), current_setting('hba_file')"
        ).fetchone()  # type: ignore[misc]
    problems = []
    if wal_level not in ("replica", "logical"):
        problems.append(
            f"wal_level is {wal_level}: `ALTER SYSTEM SET wal_level = replica` and a server RESTART (not done here)"
        )
    if senders - used < 1:
        problems.append(
            f"max_wal_senders is {senders} with {used} in use: `ALTER SYSTEM SET max_wal_senders = {used + 2}` "
            "and a server RESTART (not done here)"
        )
    try:
        psycopg.connect(conninfo(url), replication="true", connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1]
        problems.append(
            f"it refuses replication connections ({reason}): add the line `host replication postgres {host}/32 trust` "
            f"to {hba_file} (the all-databases lines do not cover replication), then `SELECT pg_reload_conf()` "
            "(a reload, no restart)"
        )
    if not problems:
        return None
    return f"The server on {host}:{port} cannot feed a streaming replica:\n    - " + "\n    - ".join(problems)


class Servers:
    """The servers and directories this run starts and makes; ``close()`` stops and removes them all."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.started: list[Path] = []  # data directories of running servers
        self.dirs: list[Path] = []

    def run(self, *command: str, timeout: float = 600) -> None:
        argv = as_server_user([str(self.bindir / command[0]), *command[1:]])
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, cwd="/tmp")
        if result.returncode != 0:
            raise SystemExit(f"{command[0]} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")

    def directory(self) -> Path:
        path = server_owned_dir()
        self.dirs.append(path)
        return path

    def start(self, data: Path) -> None:
        self.started.append(data)  # first: a start that times out may still leave a server to stop
        self.run("pg_ctl", "-D", str(data), "-l", str(data.parent / "server.log"), "-w", "-t", "120", "start")

    def close(self) -> None:
        for data in reversed(self.started):
            argv = as_server_user([str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
            if subprocess.run(argv, capture_output=True, timeout=120, check=False, cwd="/tmp").returncode != 0:
                log(f"  pg_ctl stop failed for {data}: killing its postmaster")
                with contextlib.suppress(OSError, ValueError):
                    pid = int((data / "postmaster.pid").read_text().split()[0])
                    os.kill(pid, signal.SIGKILL)
        self.started.clear()
        for path in self.dirs:
            shutil.rmtree(path, ignore_errors=True)
            log(f"  removed {path}")
        self.dirs.clear()


def write_conf(data: Path, port: int, socket_dir: Path, extra: dict[str, Any]) -> None:
    """The server's own postgresql.conf and pg_hba.conf in its data directory (a Debian cluster keeps them
    in /etc: a base backup of it has none)."""
    settings = {
        "port": port,
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{socket_dir}'",
        "shared_buffers": "'64MB'",
        "jit": "off",
        **extra,
    }
    text = "".join(f"{key} = {value}\n" for key, value in settings.items())
    for name, content in (
        ("postgresql.conf", text),
        ("pg_hba.conf", HBA),
        ("pg_ident.conf", ""),
    ):  # fmt: skip
        path = data / name
        path.write_text(content)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")


def start_private_primary(servers: Servers, port: int) -> str:
    base = servers.directory()
    data = base / "primary"
    log(f"  initdb {data} (port {port})")
    servers.run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    write_conf(data, port, base, {"wal_level": "replica", "max_wal_senders": 5, "max_connections": 50})
    servers.start(data)
    return f"postgres://postgres@127.0.0.1:{port}"


def start_replica(servers: Servers, primary_url: str, port: int) -> tuple[str, Path]:
    """A base backup of the primary, started as a hot standby streaming from it; its URL and directory."""
    import psycopg

    host, primary_port = host_port(primary_url)
    with psycopg.connect(conninfo(primary_url), autocommit=True) as conn:
        at_least = {
            name: conn.execute("SELECT current_setting(%s)", [name]).fetchone()[0]  # type: ignore[index]
            for name in STANDBY_AT_LEAST
        }
    base = servers.directory()
    data = base / "data"
    log(f"  pg_basebackup -R from {host}:{primary_port} into {data}")
    started = time.monotonic()
    servers.run("pg_basebackup", "-h", host, "-p", str(primary_port), "-U", "postgres", "-D", str(data),
                "-R", "-X", "stream", "-c", "fast", "--no-sync")  # fmt: skip
    backup_seconds = time.monotonic() - started
    write_conf(data, port, base, {"hot_standby": "on", "cluster_name": f"'{APP_NAME}'", **at_least})
    servers.start(data)
    url = f"postgres://postgres@127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        with psycopg.connect(conninfo(primary_url), autocommit=True) as conn:
            row = conn.execute(
                "SELECT state FROM pg_stat_replication WHERE application_name = %s", [APP_NAME]
            ).fetchone()
        if row and row[0] == "streaming":
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"the replica did not start streaming within 120 s; see {base / 'server.log'}")
        time.sleep(0.5)
    size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
    log(f"  replica streaming on port {port} (base backup {size / 1e6:.0f} MB in {backup_seconds:.1f} s)")
    return url, base


# ---------------------------------------------------------------------------------------------------
# Children (Django in their own process): seed, write, read
# ---------------------------------------------------------------------------------------------------


def django_setup(primary: str, replica: str | None = None) -> None:
    os.environ["DATABASE_URL"] = f"{primary}/{DB_NAME}"
    if replica:
        os.environ["DATABASE_REPLICA_URL"] = f"{replica}/{DB_NAME}"
    else:
        os.environ.pop("DATABASE_REPLICA_URL", None)
    bench_environment()
    sys.path.insert(0, str(ROOT))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def child_seed(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(conninfo(args.primary), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone() is not None
        if exists and args.fresh:
            conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
            exists = False
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    django_setup(args.primary)
    from django.core.management import call_command
    from django.db import connection

    from tongxin.orgs.models import Organization

    call_command("migrate", verbosity=0, interactive=False)
    if Organization.objects.exists():
        return {"seed_seconds": None, "organisations": Organization.objects.count()}
    if QUICK:
        from tongxin.people import demo

        for name, value in QUICK_DEMO.items():
            setattr(demo, name, value)
    log(f"  seeding {DB_NAME} (seed_demo --scale 1)…")
    started = time.monotonic()
    call_command("seed_demo", scale=1, seed=SEED, stdout=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seed_seconds": time.monotonic() - started, "organisations": Organization.objects.count()}


def child_writer(args: argparse.Namespace) -> dict[str, Any]:
    """Move members between branches through the roster service until the stop file appears."""
    django_setup(args.primary)
    from django.db import transaction

    from tongxin.accounts.models import User
    from tongxin.orgs.models import Organization, OrgKind, OrgStatus
    from tongxin.people.models import Membership, MembershipStatus, Person
    from tongxin.people.services import update_person

    rng = random.Random(SEED + int(time.time()))
    user = User.objects.get(username="district")
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE))
    members = list(
        Person.objects.filter(status=MembershipStatus.ACTIVE, branch__kind=OrgKind.BRANCH).values_list("pk", flat=True)
    )
    stop, ready = Path(args.stop_file), Path(args.ready_file)
    pause = 1 / args.writes_per_second if args.writes_per_second else 0.0
    moves, ms = 0, []
    while not stop.exists():
        person = Person.objects.select_related("branch").get(pk=rng.choice(members))
        target = rng.choice([b for b in branches if b.pk != person.branch_id])
        started = time.perf_counter()
        with transaction.atomic():
            update_person(user, person, {"branch": target}, reason=Membership.Reason.TRANSFER)
        ms.append((time.perf_counter() - started) * 1000)
        moves += 1
        if moves == 1:
            ready.touch()  # the first move is committed: the lag is measured from here
        if pause:
            time.sleep(pause)
    return {"moves": moves, "move_ms": ms}


def lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


class LagSampler(threading.Thread):
    """Polls the replica's lag every ``interval`` seconds until stopped (raw psycopg, outside Django)."""

    def __init__(self, primary: str, replica: str, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.primary, self.replica, self.interval = primary, replica, interval
        self.samples: list[dict[str, float | None]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        import psycopg

        with (
            psycopg.connect(conninfo(self.primary, DB_NAME), autocommit=True) as primary,
            psycopg.connect(conninfo(self.replica, DB_NAME), autocommit=True) as replica,
        ):
            while not self.halt.is_set():
                head, replay_lag = primary.execute(
                    "SELECT pg_current_wal_lsn()::text, (SELECT extract(epoch FROM replay_lag) FROM pg_stat_replication"
                    " WHERE application_name = %s)",
                    [APP_NAME],
                ).fetchone()  # type: ignore[misc]
                replayed, since_commit = replica.execute(
                    "SELECT pg_last_wal_replay_lsn()::text,"
                    " extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
                ).fetchone()  # type: ignore[misc]
                self.samples.append({
                    "bytes": max(0, lsn(head) - lsn(replayed)),
                    "replay_lag_ms": float(replay_lag) * 1000 if replay_lag is not None else None,
                    "since_replayed_commit_ms": float(since_commit) * 1000 if since_commit is not None else None,
                })  # fmt: skip
                self.halt.wait(self.interval)


def wait_caught_up(primary: str, replica: str, timeout: float = 120) -> float:
    """Seconds until the replica has replayed everything the primary had written when asked."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(conninfo(primary, DB_NAME), autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0]  # type: ignore[index]
    with psycopg.connect(conninfo(replica, DB_NAME), autocommit=True) as conn:
        while True:
            behind = conn.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", [target]).fetchone()[0]  # type: ignore[index]
            if behind <= 0:
                return time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"the replica is still {behind} bytes behind after {timeout:.0f} s")
            time.sleep(0.01)


def child_read(args: argparse.Namespace) -> dict[str, Any]:
    """The reads, the writer alongside, the lag, then the comparison once caught up."""
    django_setup(args.primary, args.replica)
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from tongxin.core.dbrouting import REPLICA, reads_from_replica

    read = load_read(args.read)

    def on_replica() -> Any:
        with reads_from_replica():
            return read()

    # The router sends the marked read to the replica, and only it.
    with CaptureQueriesContext(connections[REPLICA]) as there, CaptureQueriesContext(connections["default"]) as here:
        on_replica()
    routed = {"replica_queries": len(there.captured_queries), "primary_queries": len(here.captured_queries)}
    for _ in range(3):  # warm both connections and caches
        on_replica()
        read()

    def timed(func: Callable[[], Any]) -> tuple[float, Any]:
        started = time.perf_counter()
        value = func()
        return (time.perf_counter() - started) * 1000, value

    def rounds(seconds: float, until: Callable[[], bool] | None = None) -> dict[str, Any]:
        replica_ms, primary_ms, stale = [], [], 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until and until()):
            primary_time, primary_value = timed(read)
            replica_time, replica_value = timed(on_replica)
            primary_ms.append(primary_time)
            replica_ms.append(replica_time)
            stale += replica_value != primary_value
        return {"replica_ms": replica_ms, "primary_ms": primary_ms, "stale": stale}

    idle = rounds(args.idle_seconds)  # before writing: the two servers unloaded

    workdir = Path(tempfile.mkdtemp(prefix=TMP_PREFIX))
    stop, ready, out = workdir / "stop", workdir / "ready", workdir / "writer.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "writer", "--primary", args.primary,
               "--stop-file", str(stop), "--ready-file", str(ready), "--out", str(out),
               "--writes-per-second", str(args.writes_per_second)] + (["--quick"] if QUICK else [])  # fmt: skip
    writer = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **BENCH_ENV})
    sampler = LagSampler(args.primary, args.replica)
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            if writer.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the writer process did not start")
            time.sleep(0.1)
        sampler.start()
        writing = rounds(args.seconds, until=lambda: writer.poll() is not None)
        stop.touch()
        sampler.halt.set()  # the lag while writing, not the quiet after
        sampler.join(10)
        if writer.wait(120) != 0:
            raise SystemExit(f"the writer process failed (exit {writer.returncode})")
        written = json.loads(out.read_text())
        catch_up = wait_caught_up(args.primary, args.replica)
        with reads_from_replica():
            replica_value, replica_rollups = read(), all_rollups()
        primary_value, primary_rollups = read(), all_rollups()
    finally:
        if writer.poll() is None:
            writer.kill()
        sampler.halt.set()
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "read": args.read,
        "routed": routed,
        "idle": idle,
        "writing": writing,
        "written": written,
        "lag": sampler.samples,
        "catch_up_seconds": catch_up,
        "equal": replica_value == primary_value,
        "rollups_equal": replica_rollups == primary_rollups,
        "rollup_rows": len(primary_rollups),
        "rows": len(primary_value) if hasattr(primary_value, "__len__") else None,
    }


def answer_parent(args: argparse.Namespace) -> None:
    sys.stdout = sys.stderr  # only the JSON file talks to the parent
    job = {"seed": child_seed, "writer": child_writer, "read": child_read}[args.child]
    Path(args.out).write_text(json.dumps(job(args), ensure_ascii=False, default=str))


def spawn(role: str, args: argparse.Namespace, *extra: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", role, "--out", str(out), *extra]
    command += ["--quick"] if QUICK else []
    try:
        code = subprocess.call(command, cwd=ROOT, env={**os.environ, **BENCH_ENV})
        if code != 0:
            raise SystemExit(f"the {role} process failed (exit {code})")
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------------
# The parent
# ---------------------------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figures(values: list[float | None], unit: str, digits: int = 1) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "no samples"
    return (
        f"median {statistics.median(present):.{digits}f} {unit}, p95 {quantile(present, 0.95):.{digits}f} {unit},"
        f" max {max(present):.{digits}f} {unit}  ({len(present)} samples)"
    )


def report(where: str, seeded: dict[str, Any], result: dict[str, Any], args: argparse.Namespace) -> bool:
    print(f"\n=== Read replica ({where})")
    if seeded.get("seed_seconds") is not None:
        print(f"  seeded {DB_NAME}: {seeded['organisations']} organisations in {seeded['seed_seconds']:.0f} s")
    routed = result["routed"]
    sent = f"{routed['replica_queries']} queries to the replica, {routed['primary_queries']} to the primary"
    print(f"  read: {result['read']} ({result['rows']} rows); inside reads_from_replica() it sent {sent}")
    written = result["written"]
    rate = written["moves"] / args.seconds if args.seconds else float("nan")
    move_ms = statistics.median(written["move_ms"] or [float("nan")])
    print(f"\n  writer: {written['moves']} member moves (update_person, one transaction each) in {args.seconds:.0f} s,"
          f" {rate:.0f}/s; a move took median {move_ms:.1f} ms")  # fmt: skip
    lag = result["lag"]
    print("  replication lag while writing:")
    print(
        f"    WAL not yet replayed (primary LSN - replica replay LSN): {figures([s['bytes'] for s in lag], 'bytes', 0)}"
    )
    print(
        f"    replay_lag (pg_stat_replication on the primary):      {figures([s['replay_lag_ms'] for s in lag], 'ms')}"
    )
    print(f"    now - last replayed commit (on the replica; includes the gap between two commits): "
          f"{figures([s['since_replayed_commit_ms'] for s in lag], 'ms')}")  # fmt: skip
    print(f"    caught up {result['catch_up_seconds'] * 1000:.1f} ms after the writer stopped")

    print("\n  the read, median of the rounds (replica / primary = the ratio to the baseline, the primary):")
    for phase in ("idle", "writing"):
        data = result[phase]
        rep, pri = data["replica_ms"], data["primary_ms"]
        if not rep:
            continue
        ratio = statistics.median(rep) / statistics.median(pri)
        stale = f"; replica read differed from the primary's just before: {data['stale']}" if phase == "writing" else ""
        medians = f"replica {statistics.median(rep):.2f} ms, primary {statistics.median(pri):.2f} ms"
        print(f"    {phase:8} {len(rep):5} rounds: {medians}, ratio {ratio:.2f}"
              f" (min {min(rep):.2f} / {min(pri):.2f} ms){stale}")  # fmt: skip
    same = result["equal"] and result["rollups_equal"]
    read_same = "EQUAL" if result["equal"] else "DIFFER FROM"
    rollups_same = "equal" if result["rollups_equal"] else "DIFFER"
    print(f"\n  once caught up: the read's figures on the replica {read_same} the primary's;"
          f" all {result['rollup_rows']} OrgStats rows {rollups_same}")  # fmt: skip
    return bool(same and routed["replica_queries"] > 0 and routed["primary_queries"] == 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", default=os.environ.get("TONGXIN_BENCH_PG", PG_BASE_URL), help="the primary")
    parser.add_argument(
        "--no-private-primary", action="store_true",
        help="fail when --pg-url cannot feed a replica instead of starting a private primary",
    )  # fmt: skip
    parser.add_argument("--primary-port", type=int, default=5433, help="the private primary's port")
    parser.add_argument("--replica-port", type=int, default=5434)
    parser.add_argument("--seconds", type=float, default=30, help="how long the writer writes")
    parser.add_argument("--idle-seconds", type=float, default=5, help="rounds of the read before writing")
    parser.add_argument("--writes-per-second", type=float, default=0, help="the writer's pace (0: as fast as it can)")
    parser.add_argument("--read", default="top_org_stats", help="the read: a name or package.module:function")
    parser.add_argument("--fresh", action="store_true", help=f"reseed {DB_NAME} on the shared server")
    parser.add_argument("--child", choices=["seed", "writer", "read"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--primary", help=argparse.SUPPRESS)
    parser.add_argument("--replica", help=argparse.SUPPRESS)
    parser.add_argument("--stop-file", help=argparse.SUPPRESS)
    parser.add_argument("--ready-file", help=argparse.SUPPRESS)
    add_quick_option(parser)
    args = parser.parse_args()
    if args.child:
        answer_parent(args)
        return 0
    if args.quick:
        args.seconds, args.idle_seconds = 3, 1

    def stop_on_signal(signum: int, _frame: Any) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    started = time.monotonic()
    servers = Servers(pg_bindir())
    try:
        primary = args.pg_url.rstrip("/")
        where = f"primary {':'.join(map(str, host_port(primary)))}"
        refusal = replication_refusal(primary)
        if refusal:
            print(refusal)
            if args.no_private_primary:
                return 2
            print(f"  So this run starts a private primary on port {args.primary_port} (initdb in /tmp) instead.")
            primary = start_private_primary(servers, args.primary_port)
            where = f"private primary 127.0.0.1:{args.primary_port}"
        seeded = spawn("seed", args, "--primary", primary, *(["--fresh"] if args.fresh else []))
        replica, _base = start_replica(servers, primary, args.replica_port)
        where += f", replica 127.0.0.1:{args.replica_port}"
        passed = [
            "--primary", primary, "--replica", replica, "--read", args.read, "--seconds", str(args.seconds),
            "--idle-seconds", str(args.idle_seconds), "--writes-per-second", str(args.writes_per_second),
        ]  # fmt: skip
        result = spawn("read", args, *passed)
        ok = report(where, seeded, result, args)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        servers.close()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{time.monotonic() - started:.0f} s in all; load average at the end {load} on {os.cpu_count()} CPUs")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
