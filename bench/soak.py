"""Soak run (bounded): mixed reads and writes from two app processes on PostgreSQL, then consistency checks.

In a fresh copy of the seeded 1× demo district (bench/roster.py's ``tongxin_bench_1x``, seeded when missing;
the copy ``tongxin_bench_1x_soak`` is dropped afterwards unless ``--keep-copy``):

1. starts TWO app processes (gunicorn, one gthread worker each, production settings, 2FA off for the demo
   accounts: ``TONGXIN_ADMIN_2FA=0``) on two ports;
2. ``--clients`` threads (default 6), spread over both processes, each logged in as one of the demo users
   (district, committee, secretary, member; through the login page, plus an API token for the API), run a
   weighted mix for ``--seconds`` (default 60) or until ``--requests`` in all (default 20,000): the roster,
   a roster search, person pages, the tree, the inbox, meetings, notifications, the API; and writes: a
   complete transfer (start + accept, moving a member between branches, so the roll-ups move), a meeting
   planned, notifications marked read;
3. stops the processes and checks: no 5xx answer and no ERROR in the app logs; the roll-ups (``OrgStats``)
   equal what ``rebuild_rollups`` recomputes from the roster; every completed transfer moved its member.

Prints requests, errors, p50/p95 latency, writes and roll-up mismatches; exits 1 on any error or mismatch.

    .venv/bin/python bench/soak.py [--seconds 60] [--requests 20000] [--clients 6] [--keep-copy] [--quick]

``--quick`` (``make test`` when PostgreSQL answers): the tiny demo district of bench/roster.py's quick mode,
two clients for five seconds on free ports; the same checks, the same verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from import_roster import setup_django
from roster import BENCH_DIR, PG_BASE_URL, ROOT, add_quick_option, db_name, ensure_seeded, log, prepare_postgres
from workcopy import drop_pg_copy, make_pg_copy

SCALE = 1
COPY = db_name(SCALE) + "_soak"
SEED = 2026
USERS = ("district", "committee", "secretary", "member")
# The keys the bench databases are encrypted with: the environment's (``make soak`` and ``make bench`` export
# the same throw-away ones), else those; 2FA off for the demo accounts; JSON logs to scan afterwards.
BENCH_ENV = {
    "TONGXIN_SECRET_KEY": os.environ.get("TONGXIN_SECRET_KEY", "insecure-test-only-key"),
    "TONGXIN_FIELD_KEYS": os.environ.get("TONGXIN_FIELD_KEYS", "dGhyb3ctYXdheS10ZXN0LWFuZC1iZW5jaC1rZXktMDA="),
    "TONGXIN_LOOKUP_KEY": os.environ.get("TONGXIN_LOOKUP_KEY", "throw-away-test-and-bench-lookup-key"),
    "TONGXIN_ADMIN_2FA": "0",
    "TONGXIN_LOG_FORMAT": "json",
}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------------------------------
# Children (Django in their own process): seed, prepare the plan, check afterwards.
# ---------------------------------------------------------------------------------------------------


def child_seed(args: argparse.Namespace) -> dict[str, Any]:
    prepare_postgres(SCALE, args.fresh, args.pg_url)
    setup_django(args, sqlite=Path(), pg_name=db_name(SCALE))
    from django.db import connection

    return {"seed_seconds": ensure_seeded(SCALE, connection.vendor)}


def child_prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Tokens, and for each user what to read and which members to move where (disjoint between users)."""
    setup_django(args, sqlite=Path(), pg_name=COPY)
    from rest_framework.authtoken.models import Token

    from tongxin.accounts.models import User
    from tongxin.orglife.services.meetings import kinds_for
    from tongxin.orgs.models import Organization, OrgKind, OrgStatus
    from tongxin.people.models import MembershipStatus, Person

    rng = random.Random(SEED)
    plan: dict[str, Any] = {"users": {}}
    taken: set[int] = set()
    for username in USERS:
        user = User.objects.get(username=username)
        token, _created = Token.objects.get_or_create(user=user)
        visible = Person.objects.visible_to(user)
        person_ids = list(visible.order_by("?").values_list("pk", flat=True)[:300])
        surnames = sorted({name[0] for name in visible.values_list("name", flat=True)[:500]})
        branches = list(
            Organization.objects.visible_to(user, "change")
            .filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
            .values_list("pk", "path")
        )
        moves: list[tuple[int, int]] = []
        if username in ("district", "committee") and len(branches) > 1:
            branch_ids = [pk for pk, _path in branches]
            movable = (
                Person.objects.visible_to(user, "change")
                .filter(status=MembershipStatus.ACTIVE, branch_id__in=branch_ids)
                .exclude(pk__in=taken)
                .order_by("?")
                .values_list("pk", "branch_id")[:400]
            )
            for pk, branch_id in movable:
                taken.add(pk)
                moves.append((pk, rng.choice([b for b in branch_ids if b != branch_id])))
        meeting_org = None
        if username == "secretary" and branches:
            org = Organization.objects.get(pk=branches[0][0])
            meeting_org = {"id": org.pk, "kinds": [str(k) for k in kinds_for(org)]}
        org_ids = list(Organization.objects.visible_to(user).order_by("?").values_list("pk", flat=True)[:100])
        plan["users"][username] = {
            "token": token.key,
            "person_ids": person_ids,
            "surnames": surnames or ["张"],
            "org_ids": org_ids,
            "moves": moves,
            "meeting_org": meeting_org,
            "has_scope": user.get_scope().has_subtrees,
        }
    return plan


def child_check(args: argparse.Namespace) -> dict[str, Any]:
    """Roll-ups against a recomputation (rolled back), and the completed transfers against the roster."""
    setup_django(args, sqlite=Path(), pg_name=COPY)
    from django.db import transaction

    from tongxin.lifecycle.models import Transfer, TransferStatus
    from tongxin.orgs.models import OrgStats
    from tongxin.orgs.services import rebuild_rollups
    from tongxin.people.models import Membership
    from tongxin.people.queries import direct_member_counts

    def read() -> dict[int, tuple[int, int, int]]:
        rows = OrgStats.objects.values_list("organization_id", "members_direct", "members_total", "children_count")
        return {pk: (d, t, c) for pk, d, t, c in rows}

    kept = read()
    with transaction.atomic():
        rebuild_rollups(direct_member_counts)
        rebuilt = read()
        transaction.set_rollback(True)
    mismatched = sorted(pk for pk in set(kept) | set(rebuilt) if kept.get(pk) != rebuilt.get(pk))
    done = Transfer.objects.filter(status=TransferStatus.COMPLETED, started_at__gte=args.since_iso)
    misplaced = [t.pk for t in done.select_related("person") if t.person.branch_id != t.to_branch_id]
    open_stays = Counter(Membership.objects.filter(end__isnull=True).values_list("person_id", flat=True))
    return {
        "orgs": len(kept),
        "rollup_mismatches": len(mismatched),
        "mismatched_orgs": mismatched[:20],
        "transfers_completed": done.count(),
        "transfers_misplaced": misplaced[:20],
        "people_with_two_open_stays": sum(1 for n in open_stays.values() if n > 1),
    }


def run_child(args: argparse.Namespace) -> None:
    sys.stdout = sys.stderr  # only the JSON file talks to the parent
    job = {"seed": child_seed, "prepare": child_prepare, "check": child_check}[args.child]
    Path(args.out).write_text(json.dumps(job(args), ensure_ascii=False, default=str))


def spawn(args: argparse.Namespace, role: str, *extra: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", role, "--out", str(out)]
    command += ["--pg-url", args.pg_url, *extra] + (["--fresh"] if args.fresh else [])
    try:
        code = subprocess.call(command, cwd=ROOT, env={**os.environ, **BENCH_ENV})
        if code != 0:
            raise SystemExit(f"the {role} process failed (exit {code})")
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------------
# The app processes
# ---------------------------------------------------------------------------------------------------


def start_servers(args: argparse.Namespace) -> list[tuple[subprocess.Popen, Path, int]]:
    env = {
        **os.environ, **BENCH_ENV,
        "DATABASE_URL": f"{args.pg_url}/{COPY}",
        "DJANGO_SETTINGS_MODULE": "tongxin.settings",
        "TONGXIN_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }  # fmt: skip
    env.pop("TONGXIN_DEBUG", None)
    servers = []
    for n in range(2):
        port = args.port + n
        log_path = BENCH_DIR / f"soak-app-{n + 1}.log"
        stream = log_path.open("w")
        command = [
            str(Path(sys.executable).with_name("gunicorn")), "tongxin.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread",
            "--threads", str(args.threads), "--timeout", "120", "--graceful-timeout", "10",
        ]  # fmt: skip
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stream, stderr=subprocess.STDOUT)
        servers.append((proc, log_path, port))
    import requests

    deadline = time.monotonic() + 60
    for proc, log_path, port in servers:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the app process on port {port} exited; see {log_path}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the app process on port {port} did not answer /healthz; see {log_path}")
            time.sleep(0.5)
    return servers


def stop_servers(servers: list[tuple[subprocess.Popen, Path, int]]) -> None:
    for proc, _log, _port in servers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc, _log, _port in servers:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def scan_logs(servers: list[tuple[subprocess.Popen, Path, int]]) -> dict[str, Any]:
    """Access lines and ERROR records in the app logs (JSON lines; gunicorn's own lines are plain text)."""
    access, errors, ids = 0, [], set()
    for _proc, log_path, _port in servers:
        for line in log_path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                if "[ERROR]" in line or "Traceback" in line:
                    errors.append(line[:300])
                continue
            record = json.loads(line)
            if record.get("logger") == "tongxin.access":
                access += 1
                ids.add(record.get("request_id"))
            if record.get("level") in ("ERROR", "CRITICAL"):
                errors.append(f"{record.get('logger')}: {record.get('message')}"[:300])
    return {"access_lines": access, "distinct_request_ids": len(ids), "error_records": errors}


# ---------------------------------------------------------------------------------------------------
# The clients
# ---------------------------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.by_kind: Counter[str] = Counter()
        self.status: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.refused: Counter[str] = Counter()
        self.writes: Counter[str] = Counter()
        self.failures: list[str] = []
        self.total = 0

    def take(self, limit: int) -> bool:
        with self.lock:
            if self.total >= limit:
                return False
            self.total += 1
            return True

    def record(self, kind: str, method: str, url: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_kind[kind] += 1
            self.status[status] += 1
            if status >= 500:
                self.server_errors.append(f"{status} {method} {url}")
            elif status >= 400:
                self.refused[f"{kind} {status}"] += 1


class Client:
    """One demo user: a browser session (logged in through the login page) and an API token."""

    def __init__(self, base: str, username: str, plan: dict[str, Any], stats: Stats, rng: random.Random) -> None:
        import requests

        self.base, self.username, self.plan, self.stats, self.rng = base, username, plan, stats, rng
        self.web = requests.Session()
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Token {plan['token']}"
        self.moves = list(plan["moves"])
        self.meetings: list[int] = []

    def call(self, kind: str, session: Any, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        started = time.perf_counter()
        try:
            response = session.request(method, self.base + path, timeout=60, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            with self.stats.lock:
                self.stats.failures.append(f"{method} {path}: {exc}")
            return None
        self.stats.record(kind, method, path, response.status_code, time.perf_counter() - started)
        if "/accounts/login/" in response.headers.get("Location", ""):  # the session was lost: the soak is void
            with self.stats.lock:
                self.stats.failures.append(f"{method} {path}: sent to the login page")
        return response

    def login(self) -> None:
        page = self.web.get(self.base + "/accounts/login/", timeout=30)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        data = {"username": self.username, "password": "tongxin-demo", "csrfmiddlewaretoken": match[1] if match else ""}
        response = self.web.post(self.base + "/accounts/login/", data=data, timeout=30, allow_redirects=False,
                                 headers={"Referer": self.base + "/accounts/login/"})  # fmt: skip
        if response.status_code != 302 or "/accounts/login/" in response.headers.get("Location", ""):
            raise SystemExit(f"{self.username} could not log in ({response.status_code})")

    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.web.cookies.get("csrftoken", ""), "Referer": self.base + "/"}

    # --- the mix -------------------------------------------------------------------------------------------

    def step(self) -> None:
        actions = [(10, self.person), (3, self.home), (3, self.inbox), (3, self.api_notifications)]
        if self.plan["has_scope"]:  # a member without a role sees only themselves: no roster, no tree
            actions += [(10, self.roster), (5, self.search), (4, self.tree), (4, self.org), (4, self.api_people),
                        (3, self.meetings_api)]  # fmt: skip
        if self.moves:
            actions.append((6, self.transfer))
        if self.plan["meeting_org"]:
            actions.append((3, self.plan_meeting))
        actions.append((1, self.read_all))
        weights = [w for w, _f in actions]
        self.rng.choices([f for _w, f in actions], weights)[0]()

    def roster(self) -> None:
        self.call("roster", self.web, "GET", "/people/")

    def search(self) -> None:
        self.call("search", self.web, "GET", "/people/", params={"q": self.rng.choice(self.plan["surnames"])})

    def person(self) -> None:
        if self.plan["person_ids"]:
            self.call("person", self.web, "GET", f"/people/{self.rng.choice(self.plan['person_ids'])}/")

    def tree(self) -> None:
        self.call("tree", self.web, "GET", "/orgs/")

    def org(self) -> None:
        if self.plan["org_ids"]:
            self.call("org", self.web, "GET", f"/orgs/{self.rng.choice(self.plan['org_ids'])}/")

    def home(self) -> None:
        self.call("home", self.web, "GET", "/")

    def inbox(self) -> None:
        self.call("inbox", self.web, "GET", "/inbox/")

    def api_people(self) -> None:
        self.call("api people", self.api, "GET", "/api/people/", params={"page": self.rng.randint(1, 3)})

    def api_notifications(self) -> None:
        self.call("api notifications", self.api, "GET", "/api/notifications/")

    def meetings_api(self) -> None:
        response = self.call("api meetings", self.api, "GET", "/api/meetings/")
        if response is not None and response.status_code == 200 and self.meetings:
            self.call("meeting", self.web, "GET", f"/orglife/meetings/{self.rng.choice(self.meetings)}/")

    def read_all(self) -> None:
        response = self.call("read all", self.web, "POST", "/inbox/read-all/", headers=self.csrf())
        if response is not None and response.status_code < 400:
            with self.stats.lock:
                self.stats.writes["notifications read"] += 1

    def transfer(self) -> None:
        person, branch = self.moves.pop()
        started = self.call("transfer start", self.api, "POST", "/api/transfers/",
                            json={"person": person, "to_org": branch, "reason": "other"})  # fmt: skip
        if started is None or started.status_code != 201:
            return
        transfer = started.json()
        with self.stats.lock:
            self.stats.writes["transfers started"] += 1
        if transfer["status"] == "pending_out":
            self.call("transfer approve", self.api, "POST", f"/api/transfers/{transfer['id']}/approve-out/", json={})
        accepted = self.call("transfer accept", self.api, "POST", f"/api/transfers/{transfer['id']}/accept-in/",
                             json={})  # fmt: skip
        if accepted is not None and accepted.status_code == 200:
            with self.stats.lock:
                self.stats.writes["transfers completed"] += 1

    def plan_meeting(self) -> None:
        org = self.plan["meeting_org"]
        when = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 86400 * self.rng.randint(1, 60)))
        data = {"organization": org["id"], "kind": self.rng.choice(org["kinds"]), "starts_at": when, "topic": "学习会"}
        response = self.call("meeting plan", self.api, "POST", "/api/meetings/", json=data)
        if response is not None and response.status_code == 201:
            self.meetings.append(response.json()["id"])
            with self.stats.lock:
                self.stats.writes["meetings planned"] += 1


def drive(args: argparse.Namespace, plan: dict[str, Any], ports: list[int]) -> tuple[Stats, float]:
    stats = Stats()
    clients = []
    for n in range(args.clients):
        username = USERS[n % len(USERS)]
        user_plan = dict(plan["users"][username])
        # Users with several threads split their members to move, so two threads never move the same one.
        share = [t for t in range(args.clients) if USERS[t % len(USERS)] == username]
        user_plan["moves"] = user_plan["moves"][share.index(n) :: len(share)]
        client = Client(f"http://127.0.0.1:{ports[n % len(ports)]}", username, user_plan, stats,
                        random.Random(SEED + n))  # fmt: skip
        client.login()
        clients.append(client)
    deadline = time.monotonic() + args.seconds
    started = time.perf_counter()

    def run(client: Client) -> None:
        while time.monotonic() < deadline and stats.take(args.requests):
            try:
                client.step()
            except Exception as exc:  # a bug in the driver or an unexpected answer: counted, not fatal
                with stats.lock:
                    stats.failures.append(f"{client.username}: {exc!r}")

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stats, time.perf_counter() - started


# ---------------------------------------------------------------------------------------------------
# Parent
# ---------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=20_000, help="stop after this many requests in all")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--threads", type=int, default=4, help="threads of each app process")
    parser.add_argument("--port", type=int, default=8761, help="the first app process's port (the second: +1)")
    parser.add_argument("--pg-url", default=PG_BASE_URL)
    parser.add_argument("--fresh", action="store_true", help="reseed the 1× database")
    parser.add_argument("--keep-copy", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--since-iso", help=argparse.SUPPRESS)
    parser.add_argument("--db", default="postgres", help=argparse.SUPPRESS)  # setup_django reads it
    add_quick_option(parser)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return 0
    if args.quick:
        import socket

        with socket.socket() as s:  # two free ports in a row are likely above a free one
            s.bind(("127.0.0.1", 0))
            args.port = s.getsockname()[1]
        args.seconds, args.requests, args.clients, args.threads, args.fresh = 5, 400, 2, 2, True

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    log(f"soak: seeding {db_name(SCALE)} when missing")
    spawn(args, "seed")
    log(f"soak: copying it to {COPY}")
    make_pg_copy(args.pg_url, db_name(SCALE), COPY)
    since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    servers: list[tuple[subprocess.Popen, Path, int]] = []
    try:
        plan = spawn(args, "prepare")
        log("soak: starting two app processes")
        servers = start_servers(args)
        log(f"soak: {args.clients} clients for {args.seconds:.0f} s (at most {args.requests} requests)")
        stats, elapsed = drive(args, plan, [port for _p, _l, port in servers])
        stop_servers(servers)
        logs = scan_logs(servers)
        check = spawn(args, "check", "--since-iso", since)
    finally:
        stop_servers(servers)
        if not args.keep_copy:
            drop_pg_copy(args.pg_url, COPY)

    ms = [s * 1000 for s in stats.latencies]
    errors = len(stats.server_errors) + len(stats.failures) + len(logs["error_records"])
    print(f"\nSoak on PostgreSQL ({COPY}), two app processes, {args.clients} clients, {elapsed:.0f} s")
    print(f"  requests        {len(ms)} ({len(ms) / elapsed:.1f}/s); by kind: "
          + ", ".join(f"{k} {n}" for k, n in stats.by_kind.most_common()))  # fmt: skip
    print(f"  latency         p50 {percentile(ms, 0.5):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
          f"max {max(ms, default=0):.0f} ms, mean {statistics.fmean(ms) if ms else 0:.0f} ms")  # fmt: skip
    print("  statuses        " + ", ".join(f"{code}: {n}" for code, n in sorted(stats.status.items())))
    print("  writes          " + (", ".join(f"{k} {n}" for k, n in sorted(stats.writes.items())) or "none"))
    print("  refused (4xx)   " + (", ".join(f"{k}: {n}" for k, n in sorted(stats.refused.items())) or "none"))
    print(f"  5xx answers     {len(stats.server_errors)}")
    print(f"  client failures {len(stats.failures)}")
    print(f"  app log         {logs['access_lines']} access lines, {logs['distinct_request_ids']} request ids, "
          f"{len(logs['error_records'])} ERROR records")  # fmt: skip
    print(f"  roll-ups        {check['rollup_mismatches']} mismatches over {check['orgs']} organisations")
    print(f"  transfers       {check['transfers_completed']} completed, {len(check['transfers_misplaced'])} misplaced; "
          f"{check['people_with_two_open_stays']} people with two open stays")  # fmt: skip
    for line in (stats.server_errors + stats.failures + logs["error_records"])[:20]:
        print(f"    ! {line}")
    bad = errors or check["rollup_mismatches"] or check["transfers_misplaced"] or check["people_with_two_open_stays"]
    print("  verdict         " + ("FAIL" if bad else "PASS"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
