"""Digits that are not ASCII digits never make a page or the API fail (found by schemathesis: ``?period=m3²``).

Python's ``str.isdigit()`` is true for superscripts and circled digits ("²", "①") that ``int()`` refuses, so a
parameter checked with ``isdigit()`` and then converted answered 500. Every route of the walk's table is
called by the district admin (who reaches everything) with such values in every query parameter the views
read and in every field of its payload: each answer must be an ordinary one (a page, a redirect, 400, 404).
"""

from __future__ import annotations

import json

import pytest

from tongxin.core.testing import figures
from tongxin.core.tests.scope_walk import PAYLOADS, ROUTES, WALKED, client_as, url_for

ODD = "²"
QUERY = {key: ODD for key in ("org", "year", "period", "page", "after", "upto", "sort", "status", "kind", "months",
                              "tab", "cursor", "branch", "person", "undo")}  # fmt: skip
QUERY["month"] = "2025-0²"


def odd(value):
    if isinstance(value, list):
        return [ODD for _item in value]
    if isinstance(value, dict):
        return {ODD: ODD}
    return ODD


CASES = [pytest.param(found, id=found.id) for found in WALKED if "format" not in found.params]


@pytest.mark.parametrize("found", CASES)
def test_odd_digits_get_an_ordinary_answer(tree, users, api_for, found):
    route = ROUTES[found.name]
    url = url_for(found, tree)
    client = client_as(users.district, route, api_for)
    problems = []
    if "GET" in route.methods:
        response = client.get(url, QUERY)
        figures.add("odd-digit requests")
        if response.status_code >= 500:
            problems.append(f"GET {url} -> {response.status_code}")
    for method in route.methods:
        if method == "GET":
            continue
        data = {key: odd(value) for key, value in PAYLOADS[route.payload or "empty"](tree).items()}
        data |= {f"status-{ODD}": "present", f"grade_{ODD}": "excellent", "ids": [ODD], "person_ids": [ODD]}
        if route.api:
            response = client.generic(method, url, json.dumps(data), content_type="application/json")
        else:
            response = client.post(url + "?" + "&".join(f"{k}={v}" for k, v in QUERY.items()), data)
        figures.add("odd-digit requests")
        if response.status_code >= 500:
            problems.append(f"{method} {url} -> {response.status_code}")
    assert not problems, problems
