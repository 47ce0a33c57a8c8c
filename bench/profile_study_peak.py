"""In-process profile of the study peak's requests (issue 14), next to bench/study_peak.py: the same requests
(start, submit, a double tap in ten; the trivial one-row view) through Django's test client with the project's
settings and middleware, counted and profiled per request, without gunicorn, HTTP or the client's load.

    TONGXIN_LOG_LEVEL=WARNING TONGXIN_PROFILE_N=200 pytest -q -s bench/profile_study_peak.py [DATABASE_URL=postgres://…/h_x]
    (TONGXIN_PROFILE=0: CPU milliseconds per request without cProfile, no statistics written;
     TONGXIN_PROFILE_SQL=1: the statements of the first request of each kind printed too)

Prints, per request of each kind: statements, CPU milliseconds (process time) and function calls, and writes
the cProfile statistics to var/bench/profile-{start,submit,trivial}.pstats (read them with
``python -m pstats``). Load-independent evidence: statements and calls; CPU times are as noisy as the machine.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

sys.path.insert(0, str(Path(__file__).resolve().parent))

pytestmark = [pytest.mark.django_db(transaction=True)]

N = int(os.environ.get("TONGXIN_PROFILE_N", "200"))
PROFILE = os.environ.get("TONGXIN_PROFILE", "1") != "0"  # 0: the CPU per request without cProfile's overhead
SHOW_SQL = os.environ.get("TONGXIN_PROFILE_SQL") == "1"
OUT = Path(__file__).resolve().parent.parent / "var" / "bench"


def _members(tree, n):
    from rest_framework.authtoken.models import Token

    from tongxin.accounts.models import User
    from tongxin.core.testing import person_data
    from tongxin.people.services import create_person

    tokens = []
    for i in range(n):
        person = create_person(None, person_data(tree.branch_a, name=f"成员{i}"))
        user = User.objects.create(username=f"peak{i}", password="!", person=person)
        tokens.append(Token.objects.create(user=user).key)
    return tokens


def _run(label, calls):
    """Run ``calls`` (each a function doing one request) under cProfile: statements, CPU ms, calls per request."""
    profile = cProfile.Profile()
    if SHOW_SQL:
        with CaptureQueriesContext(connection) as first:
            calls[0]()
        print(f"{label}, the statements of one request:")
        for query in first:
            print(f"  {query['sql'][:300]}")
        calls = calls[1:]
    with CaptureQueriesContext(connection) as queries:
        cpu = time.process_time()
        if PROFILE:
            profile.enable()
        for call in calls:
            call()
        profile.disable()
        cpu = time.process_time() - cpu
    if not PROFILE:
        print(f"{label}: {len(calls)} requests, {len(queries) / len(calls):.2f} statements, "
              f"{1000 * cpu / len(calls):.2f} ms CPU per request (not profiled)")  # fmt: skip
        return None
    OUT.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(OUT / f"profile-{label}.pstats")
    stats = pstats.Stats(profile)
    n = len(calls)
    print(f"{label}: {n} requests, {len(queries) / n:.2f} statements, {1000 * cpu / n:.2f} ms CPU (profiled), "
          f"{stats.total_calls / n:.0f} function calls per request")  # fmt: skip
    return stats


class _As:
    """The shared client posting with one member's token."""

    def __init__(self, client, key):
        self.client, self.auth = client, f"Token {key}"

    def post(self, url, data, format):
        return self.client.post(url, data, format=format, HTTP_AUTHORIZATION=self.auth)


def test_profile(tree, settings):
    from rest_framework.test import APIClient

    from tongxin.study.tests.helpers import open_period

    settings.ROOT_URLCONF = "study_peak_urls"
    settings.TASKS = {"default": {"BACKEND": "tongxin.core.task_backend.DatabaseBackend"}}  # production's
    tokens = _members(tree, N + 10)
    period = open_period(tree, max_attempts=3)
    rng = random.Random(1)
    # One client (one handler: the middleware chain loaded once, as in a gunicorn worker), a token per member.
    client = APIClient()
    clients = [_As(client, key) for key in tokens]

    def start(api):
        return lambda: started.append(api.post("/api/study-attempts/", {"period": period.pk}, format="json"))

    started: list = []
    for api in clients[N:]:  # warm-up: the first requests of a process (URL resolving, caches)
        start(api)()
        api.post("/bench/one-row/", {}, format="json")
    started.clear()
    _run("start", [start(api) for api in clients[:N]])
    assert all(r.status_code == 201 for r in started), started[0].content

    submits = []
    for api, response in zip(clients[:N], started, strict=True):
        body = response.json()
        answers = {str(q["id"]): [q["options"][0]["index"]] for q in body["questions"]}
        data = {"token": body["token"], "answers": answers}
        url = f"/api/study-attempts/{body['id']}/submit/"
        submits.append(lambda api=api, url=url, data=data: api.post(url, data, format="json"))
        if rng.random() < 0.1:
            submits.append(lambda api=api, url=url, data=data: api.post(url, data, format="json"))
    _run("submit", submits)
    trivial = [lambda api=api: api.post("/bench/one-row/", {}, format="json") for api in clients[:N]]
    _run("trivial", trivial)
