"""The roster's "N people found" and the API's ``count`` equal the number of matching people, whether
the figure comes from the roll-up rows (no filter but the subtree) or from a COUNT (any other filter),
and stay right after people join, move and leave."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from tongxin.core.testing import person_data, years_ago
from tongxin.people.models import Person
from tongxin.people.services import create_person, update_person
from tongxin.people.tests.helpers import roster_total

pytestmark = pytest.mark.usefixtures("english")


def search_body(query: str) -> dict[str, str] | None:
    """A query with a search term as the body of POST /api/people/search/ (the list refuses ``?q=``)."""
    params = QueryDict(query)
    return params.dict() if "q" in params else None


def api_count(api, query: str = "") -> int:
    body = search_body(query)
    if body is None:
        response = api.get(f"/api/people/?{query}")
    else:
        response = api.post("/api/people/search/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["count"]


def listed(api, query: str = "") -> int:
    """How many rows the API actually lists over all its pages (a search: its cursors posted back)."""
    body = search_body(query)
    if body is not None:
        total, cursor = 0, ""
        while cursor is not None:
            page = api.post("/api/people/search/", {**body, "cursor": cursor}, format="json").json()
            total += len(page["results"])
            cursor = page["next"]
        return total
    total, url = 0, f"/api/people/?{query}"
    while url:
        page = api.get(url).json()
        total += len(page["results"])
        url = page["next"]
    return total


def people_counts(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "people_person" in q["sql"]]


@pytest.fixture
def more(tree):
    create_person(None, person_data(tree.branch_a, name="加一", birth=years_ago(25)))
    create_person(None, person_data(tree.branch_c, name="加二", birth=years_ago(17)))
    create_person(None, person_data(tree.party_branch, name="加三", political_status="01", birth=years_ago(30)))
    create_person(None, person_data(tree.branch_b, name="走了", status="left"))
    return tree


def test_counts_from_the_rollups_match_the_roster(more, users, client_for, api_for):
    tree = more
    cases = [
        (users.district, "", Person.objects.active().count()),
        (users.district, f"org={tree.committee1.pk}", 4),
        (users.district, f"org={tree.branch_c.pk}", 2),
        (users.district, f"org={tree.party_branch.pk}", 1),
        (users.committee_admin, "", 4),
        (users.secretary_a, "", 3),
        (users.viewer, "", 4),
        (users.outsider, "", 3),
    ]
    assert cases[0][2] == 8
    for user, query, want in cases:
        api = api_for(user)
        with CaptureQueriesContext(connection) as ctx:
            assert api_count(api, query) == want, (user, query)
        assert people_counts(ctx.captured_queries) == [], "no COUNT over the roster without filters"
        assert listed(api, query) == want
        assert roster_total(client_for(user).get(f"/people/?{query}")) == want


def test_counts_with_filters_come_from_a_count(more, users, client_for, api_for):
    tree = more
    cases = [
        ("status=all", 9),
        ("political_status=01", 1),
        ("political_status=03", 7),
        ("age_min=21", 2),
        ("q=加", 3),
        ("q=一&org=" + str(tree.committee1.pk), 3),  # 张甲一, 王乙一, 加一
        ("org_kind=branch", 7),
        ("status=left", 1),
    ]
    api = api_for(users.district)
    client = client_for(users.district)
    for query, want in cases:
        with CaptureQueriesContext(connection) as ctx:
            assert api_count(api, query) == want, query
        assert len(people_counts(ctx.captured_queries)) == 1, query
        assert listed(api, query) == want, query
        assert roster_total(client.get(f"/people/?{query}")) == want, query
    assert api_count(api, "org=999999") == 0
    assert roster_total(client.get("/people/?org=999999")) == 0


def test_a_filter_outside_the_scope_counts_only_what_is_visible(more, users, client_for, api_for):
    tree = more
    api = api_for(users.secretary_a)
    assert api_count(api, f"org={tree.committee1.pk}") == 3
    assert api_count(api, f"org={tree.root.pk}") == 3
    assert api_count(api, f"org={tree.committee2.pk}") == 0
    assert roster_total(client_for(users.secretary_a).get(f"/people/?org={tree.root.pk}")) == 3


def test_counts_follow_joins_moves_and_departures(more, users, client_for, api_for):
    tree = more
    api = api_for(users.district)
    update_person(None, tree.people.a1, {"branch": tree.branch_c})  # committee 1 → committee 2
    update_person(None, tree.people.b1, {"status": "left"})
    create_person(None, person_data(tree.branch_d, name="新加入"))

    assert api_count(api) == Person.objects.active().count() == 8
    assert api_count(api, f"org={tree.committee1.pk}") == 2
    assert api_count(api, f"org={tree.committee2.pk}") == 5
    assert api_count(api, f"org={tree.branch_a.pk}") == 2
    assert api_count(api_for(users.committee_admin)) == 2
    assert api_count(api_for(users.outsider)) == 5
    assert roster_total(client_for(users.district).get(f"/people/?org={tree.committee2.pk}")) == 5
