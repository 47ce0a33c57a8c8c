"""The roster page and /api/people/ cost the same number of queries for 10 people and for 120: no N+1."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.core.pagination import encode_cursor
from tongxin.core.testing import person_data, years_ago
from tongxin.people.models import CadrePosition, Person
from tongxin.people.services import appoint_cadre, create_person

pytestmark = pytest.mark.usefixtures("english")


def grow_to(tree, total: int) -> None:
    """Add people (spread over every branch, with a cadre post now and then) until there are ``total``."""
    branches = [tree.branch_a, tree.branch_b, tree.branch_c, tree.branch_d]
    i = Person.objects.count()
    while i < total:
        branch = branches[i % 4]
        person = create_person(None, person_data(branch, name=f"成员{i:03d}", birth=years_ago(17 + i % 9)))
        if i % 10 == 0:
            appoint_cadre(None, person=person, organization=branch, title="member", start=years_ago(1))
        i += 1
    assert Person.objects.count() == total


SEARCH = "/api/people/search/"


def urls(tree) -> list[str]:
    first = Person.objects.order_by("org_path", "name_pinyin", "id").first()
    assert first is not None
    cursor = encode_cursor([first.org_path, first.name_pinyin, first.pk], "after")
    return [
        "/people/",
        "/people/?status=all&sort=name",
        f"/people/?org={tree.committee1.pk}",
        "/people/?q=成员&age_min=16",
        f"/people/?cursor={cursor}",
        "/api/people/",
        "/api/people/?status=all&sort=oldest",
        f"/api/people/?org={tree.committee2.pk}",
        SEARCH,
        f"/api/people/?cursor={cursor}",
    ]


def label(url: str) -> str:
    """The URL without its cursor: an encrypted cursor differs each time it is made."""
    return re.sub(r"cursor=[^&]+", "cursor=…", url)


def measure(client, api, url: str) -> int:
    if url == SEARCH:  # the API's search: the term in the body (POST), never in the URL

        def getter(url):
            return api.post(url, {"q": "cy", "age_min": 16}, format="json")

    else:
        getter = api.get if url.startswith("/api/") else client.get
    getter(url)  # warm up caches (content types, rules, the session)
    with CaptureQueriesContext(connection) as ctx:
        response = getter(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["district", "secretary_a"])
def test_roster_and_api_query_counts_do_not_grow_with_the_roster(role, tree, users, client_for, api_for):
    user = getattr(users, role)
    client, api = client_for(user), api_for(user)

    grow_to(tree, 10)
    small = {label(url): measure(client, api, url) for url in urls(tree)}
    grow_to(tree, 120)
    assert CadrePosition.objects.count() >= 10
    large = {label(url): measure(client, api, url) for url in urls(tree)}

    assert large == small
    # Pages include the navbar: the inbox badge (1 COUNT, plus one per registered pending provider) and, for
    # a root admin, 1 query for the rules link (tongxin/core/tests/test_inbox.py checks those exactly). The
    # largest page still fits under 12 with them, so the bound is unchanged.
    assert max(small.values()) <= 12, small


def test_htmx_partial_query_count_does_not_grow(tree, users, client_for, api_for):
    client = client_for(users.district)

    def partial() -> int:
        client.get("/people/?q=成员", HTTP_HX_REQUEST="true")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/people/?q=成员", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    grow_to(tree, 10)
    small = partial()
    grow_to(tree, 120)
    assert partial() == small
