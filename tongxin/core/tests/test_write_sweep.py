"""The write sweep (issue 12, "Done when"): every write route of the table (page forms and API POST/PUT/PATCH,
``scope_walk.ROUTES``, which the OpenAPI cross-check keeps equal to the schema) is sent its valid payload with one
value at a time replaced by an absurd one: dates in year 1 and 9999, months 0001-01 and 9999-12, the numbers
±99999999999999999999, a 10,000-character text, a NUL, a right-to-left override, a number as a name.

Each answer must be no server error, and the absurd value must reach nothing: either nothing at all is written
(every table's row count as before), or, where the replaced value is one the route does not read (the payloads
serve several routes), what was written holds no trace of it (the ChangeLog rows the request added, which every
service writes with the values it stored). The number of requests, and of those refused with nothing written,
go to the figures (``figures.add("write sweep requests")``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from tongxin.core.models import ChangeLog
from tongxin.core.testing import figures
from tongxin.core.tests.scope_walk import PAYLOADS, ROUTES, WALKED, Route, url_for

HUGE = 99999999999999999999
LONG_TEXT = "越" * 10_000
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(.*)$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
NAME_KEYS = {"name", "guardian_name", "lecturer"}
SKIPPED_PAYLOADS = {"empty", "import_upload", "meeting_upload"}  # no value to replace; files: the import fuzzing


def _absurd_values(key: str, value: Any) -> list[tuple[Any, str]]:
    """(absurd value, the trace it would leave in a stored row) for a payload value of this kind."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int):
        return [(HUGE, str(HUGE)), (-HUGE, str(-HUGE))]
    if isinstance(value, list):
        return [([HUGE], str(HUGE))] if all(isinstance(v, int) for v in value) else []
    if isinstance(value, dict):
        return [({k: "x\x00" for k in value} or {"1": "x\x00"}, "\x00")]
    if not isinstance(value, str):
        return []
    date = DATE.match(value)
    if date:
        rest = date.group(4)
        return [(f"0001-01-01{rest}", "0001-01-01"), (f"9999-12-31{rest}", "9999-12-31")]
    if MONTH.match(value):
        return [("0001-01", "0001-01"), ("9999-12", "9999-12")]
    if value.isdecimal():  # an id or a count typed as text
        return [(str(HUGE), str(HUGE)), (str(-HUGE), str(-HUGE))]
    values = [(LONG_TEXT, "越" * 200), ("越\x00权", "\x00"), ("越\u202e权", "\u202e")]
    if key in NAME_KEYS:
        values.append(("12345", '"12345"'))
    return values


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models() if model._meta.managed}


def _traces(since: int) -> str:
    rows = ChangeLog.objects.filter(pk__gt=since).values_list("object_repr", "before", "after")
    return json.dumps(list(rows), ensure_ascii=False)


def _write_routes() -> list[tuple[str, Any, str]]:
    seen: dict[tuple[str, str], Any] = {}
    for found in WALKED:
        route = ROUTES[found.name]
        if "format" in found.params or route.payload in SKIPPED_PAYLOADS or route.payload is None:
            continue
        for method in route.methods:
            if method in ("POST", "PUT", "PATCH"):
                seen.setdefault((found.name, method), found)
    return [(name, found, method) for (name, method), found in sorted(seen.items())]


WRITE_ROUTES = _write_routes()


def _send(client, method: str, url: str, route: Route, data: dict[str, Any]):
    if route.api:
        return client.generic(method, url, data=json.dumps(data), content_type="application/json")
    if method == "POST":
        return client.post(url, data)
    return client.generic(method, url, data=data)


def test_the_sweep_covers_the_write_routes():
    assert len(WRITE_ROUTES) >= 60, len(WRITE_ROUTES)  # pages and API


@pytest.mark.parametrize(("name", "found", "method"), WRITE_ROUTES, ids=[f"{n}-{m}" for n, _f, m in WRITE_ROUTES])
def test_absurd_values_on_every_write_route_give_no_server_error_and_reach_nothing(
    tree, users, api_for, name, found, method
):
    route = ROUTES[name]
    user = getattr(users, route.insider)
    if route.api:
        client = api_for(user)
    else:
        client = Client()
        client.force_login(user)
    url = url_for(found, tree)
    valid = PAYLOADS[route.payload or "empty"](tree)
    problems: list[str] = []
    for key, value in valid.items():
        for absurd, trace in _absurd_values(key, value):
            data = {**PAYLOADS[route.payload or "empty"](tree), key: absurd}
            before, last_log = _counts(), ChangeLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            figures.add("write sweep requests")
            shown = f"{method} {url} {key}={str(absurd)[:24]!r}"
            try:
                response = _send(client, method, url, route, data)
            except Exception as exc:  # the test client re-raises a view's exception: a 500
                problems.append(f"{shown}: {type(exc).__name__}: {str(exc)[:120]}")
                continue
            if response.status_code >= 500:
                problems.append(f"{shown}: {response.status_code}")
            elif _counts() == before:
                figures.add("write sweep requests refused with nothing written")
            elif trace in _traces(last_log):
                problems.append(f"{shown}: written ({response.status_code})")
    assert not problems, "\n".join(problems)
