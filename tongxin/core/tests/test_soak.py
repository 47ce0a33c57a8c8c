"""A short soak (PostgreSQL only, about 15 s): two real app processes (gunicorn) on the test database, several
clients reading pages and moving members with transfers through the API at once; afterwards no answer was a
5xx and the roll-ups equal a recomputation. ``make soak`` (bench/soak.py) runs the long version on the
demo district."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from tongxin.orgs.tests.helpers import assert_rollups_exact
from tongxin.people.models import Membership

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="two app processes on one PostgreSQL database"),
]
SECONDS = 8
ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def app_processes(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TONGXIN_SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must be valid there
        "TONGXIN_FIELD_KEYS": ",".join(settings.TONGXIN_FIELD_KEYS),
        "TONGXIN_LOOKUP_KEY": settings.TONGXIN_LOOKUP_KEY,
        "TONGXIN_ADMIN_2FA": "0",
        "TONGXIN_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    env.pop("TONGXIN_DEBUG", None)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    procs, bases = [], []
    for n in range(2):
        port = free_port()
        log = (tmp_path / f"app-{n}.log").open("w")
        command = [gunicorn, "tongxin.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                   "--worker-class", "gthread", "--threads", "3", "--graceful-timeout", "3"]  # fmt: skip
        procs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        for base in bases:
            while True:
                try:
                    if requests.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, "an app process did not start: " + str(list(tmp_path.iterdir()))
                time.sleep(0.3)
        yield bases
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        for proc in procs:
            proc.wait(20)


def session_for(user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def test_two_app_processes_under_mixed_reads_and_writes_keep_the_roll_ups_exact(tree, users, rollups, app_processes):
    statuses: Counter[int] = Counter()
    server_errors: list[str] = []
    writes: Counter[int] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def call(session, method, url, **kwargs):
        response = session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
        with lock:
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                server_errors.append(f"{response.status_code} {method} {url}")
        return response

    def reader(base, session, person_ids):
        pages = ["/people/", "/orgs/", "/inbox/", "/", *(f"/people/{pk}/" for pk in person_ids)]
        n = 0
        while time.monotonic() < deadline:
            call(session, "GET", base + pages[n % len(pages)])
            n += 1

    def mover(base, token, person, branches):
        """Moves ``person`` back and forth between two branches: start (sending side) then accept."""
        api = requests.Session()
        api.headers["Authorization"] = f"Token {token}"
        n = 0
        while time.monotonic() < deadline:
            started = call(api, "POST", base + "/api/transfers/",
                           json={"person": person.pk, "to_org": branches[n % 2].pk, "reason": "other"})  # fmt: skip
            if started.status_code == 201:
                accepted = call(api, "POST", base + f"/api/transfers/{started.json()['id']}/accept-in/", json={})
                with lock:
                    writes[accepted.status_code] += 1
            n += 1
            call(api, "GET", base + "/api/people/")

    one, two = app_processes
    p = tree.people
    district, committee = (Token.objects.create(user=u).key for u in (users.district, users.committee_admin))
    threads = [
        threading.Thread(target=reader, args=(one, session_for(users.district), [p.a1.pk, p.c1.pk])),
        threading.Thread(target=reader, args=(two, session_for(users.secretary_a), [p.a1.pk, p.a2.pk])),
        threading.Thread(target=mover, args=(one, district, p.c1, [tree.branch_d, tree.branch_c])),
        threading.Thread(target=mover, args=(two, committee, p.b1, [tree.branch_a, tree.branch_b])),
        threading.Thread(target=mover, args=(two, district, p.d1, [tree.branch_a, tree.branch_d])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SECONDS + 60)

    assert server_errors == []
    assert sum(statuses.values()) > 50 and writes[200] >= 6, (statuses, writes)
    assert_rollups_exact(rollups)
    open_stays = Counter(Membership.objects.filter(end__isnull=True).values_list("person_id", flat=True))
    assert set(open_stays.values()) == {1}
