"""The parameter sweep (issue 12 "Done when"): every GET route, every query parameter it reads, every boundary value.

The routes are scope_walk's ROUTES. A route's parameters are found, not listed: one plain call records every
name the view (its FilterSet, its own reads, DRF's filter backends) asks ``request.GET`` for, and the OpenAPI
schema adds the query parameters of each GET operation. Each parameter is then sent alone with each value of
BOUNDARY (dates, months and whole numbers at and past the edges of what a column or a date can hold, a word,
nothing). No answer may be a server error, and no table may gain or lose a row (the AccessLog aside: an export
records who downloaded it).
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.http import QueryDict
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tongxin.accounts.models import User
from tongxin.core.testing import figures
from tongxin.core.tests.scope_walk import ROUTES, WALKED, _recommendation_of_a1, url_for

BOUNDARY = ["0001-01-01", "9999-12-31", "0001-01", "9999-12", "0", "-1", str(2**31), str(2**63), str(10**20), "abc", ""]
# Tables a GET may write to: the audit of exports and reveals, sessions and the login-attempt records.
WRITTEN_BY_READS = {"core.accesslog", "sessions.session", "axes.accessattempt", "axes.accesslog"}
GET_ROUTES = [found for found in WALKED if "GET" in ROUTES[found.name].methods]
CHUNKS = 4  # the routes in four tests, so pytest-xdist's workers share the sweep


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in WRITTEN_BY_READS and model._meta.managed
    }


@functools.cache
def _schema_params() -> list[tuple[re.Pattern[str], set[str]]]:
    """Each GET operation of the API schema: its path as a pattern and its query parameters."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        found.append((pattern, {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}))
    return found


@pytest.fixture
def recorded(monkeypatch):
    """The names a view reads from a QueryDict (``request.GET`` and ``query_params``), while recording."""
    names: set[str] = set()
    for method in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(QueryDict, method)

        def recording(self, key, *args, _original=original, **kwargs):
            if isinstance(key, str):
                names.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, recording)
    return names


def _client(route, users, api_for):
    user = User.objects.get(username=route.insider)
    if route.api:
        client = api_for(user)
    else:
        client = Client()
        client.force_login(user)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_get_parameter_value_gives_a_server_error_or_writes(chunk, tree, users, api_for, recorded):
    _recommendation_of_a1(tree)
    schema = _schema_params()
    plan: list[tuple[str, object, str, list[str]]] = []
    for found in GET_ROUTES[chunk::CHUNKS]:
        route = ROUTES[found.name]
        url = url_for(found, tree)  # makes the route's target
        client = _client(route, users, api_for)
        recorded.clear()
        response = client.get(url)
        assert response.status_code < 500, f"{found.name}: {response.status_code} without parameters"
        names = set(recorded)
        if route.api:
            names |= {name for pattern, params in schema if pattern.match(url) for name in params}
        names -= {"format"}  # DRF's renderer choice, not a value that reaches a query
        plan.append((found.name, client, url, sorted(names)))

    before = _row_counts()
    calls = 0
    failures: list[str] = []
    for name, client, url, params in plan:
        for param in params:
            for value in BOUNDARY:
                response = client.get(f"{url}?{urlencode({param: value})}")  # type: ignore[attr-defined]
                calls += 1
                if response.status_code >= 500:
                    failures.append(f"{name} ?{param}={value}: {response.status_code}")
    after = _row_counts()
    figures.add("parameter sweep: GET routes", len(plan))
    figures.add("parameter sweep: parameters", sum(len(p) for *_, p in plan))
    figures.add("parameter sweep: calls", calls)
    assert not failures, "\n".join(failures)
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
    assert calls > 200  # the discovery found the parameters (a broken recorder would sweep nothing)
