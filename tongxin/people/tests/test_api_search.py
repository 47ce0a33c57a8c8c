"""POST /api/people/search/: the roster search for API clients, with the term in the JSON body, never in a URL.

``GET /api/people/?q=`` no longer searches (400 naming the search route); the search is scoped, filtered,
ordered and masked exactly like the list, pages with cursors posted back in the body, needs the CSRF token
with a browser session, and leaves no digit of the term in the request line or the access log.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tongxin.core.api_pagination import KeysetPagination
from tongxin.core.models import AccessLog
from tongxin.core.testing import person_data
from tongxin.people.models import Person
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")

SEARCH = "/api/people/search/"


def search(api, body: dict, status: int = 200) -> dict:
    response = api.post(SEARCH, body, format="json")
    assert response.status_code == status, response.content[:500]
    return response.json()


def found(api, body: dict) -> list[str]:
    page = search(api, body)
    names = [row["name"] for row in page["results"]]
    assert page["count"] == len(names)
    return names


def test_search_by_name_finds_the_person_with_masked_numbers(tree, users, api_for):
    a1 = tree.people.a1
    response = api_for(users.district).post(SEARCH, {"q": a1.name}, format="json")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == a1.pk and row["branch_name"] == tree.branch_a.name
    assert row["id_number_masked"] == a1.masked_id_number and row["phone_masked"] == a1.masked_phone
    body = response.content.decode()
    assert a1.id_number not in body and a1.phone not in body


@pytest.mark.parametrize("digits", [4, 6])
def test_search_by_the_last_digits_of_an_id_number(digits, tree, users, api_for):
    a1 = tree.people.a1
    assert a1.name in found(api_for(users.district), {"q": a1.id_number[-digits:]})


def test_a_whole_id_number_finds_nobody_as_on_the_roster_page(tree, users, api_for):
    # Confirming a full number is the audited reveal's job, not the search's (people.filters.filter_text).
    assert found(api_for(users.district), {"q": tree.people.a1.id_number}) == []


@pytest.mark.parametrize("length", [11, 7, 4])
def test_search_by_a_phone_or_its_last_digits(length, tree, users, api_for):
    b1 = tree.people.b1
    assert b1.name in found(api_for(users.district), {"q": b1.phone[-length:]})
    if length == 11:
        assert found(api_for(users.district), {"q": b1.phone}) == [b1.name]


def test_the_search_takes_the_lists_filters_and_answers_the_same_rows_in_the_same_order(tree, users, api_for):
    create_person(None, person_data(tree.branch_c, name="王乙二", status="left"))
    api = api_for(users.district)
    cases = [
        ({}, ""),
        ({"org": tree.committee1.pk}, f"org={tree.committee1.pk}"),
        ({"status": "all", "sort": "name"}, "status=all&sort=name"),
        ({"org_kind": "branch", "political_status": "03", "age_min": 18, "age_max": 25},
         "org_kind=branch&political_status=03&age_min=18&age_max=25"),
        ({"status": "left"}, "status=left"),
        ({"sort": "oldest", "org": None, "age_min": None, "org_kind": ""}, "sort=oldest"),
    ]  # fmt: skip
    for body, query in cases:
        listed = api.get(f"/api/people/?{query}").json()
        searched = search(api, body)
        assert [r["id"] for r in searched["results"]] == [r["id"] for r in listed["results"]], body
        assert searched["results"] == listed["results"] and searched["count"] == listed["count"]
    assert found(api, {"q": "乙", "status": "all"}) == ["王乙一", "王乙二"]
    assert found(api, {"q": "乙"}) == ["王乙一"]


def test_secretary_b_does_not_find_branch_as_people(tree, users, api_for):
    api = api_for(users.secretary_b)
    a1, b1 = tree.people.a1, tree.people.b1

    assert found(api, {"q": a1.name}) == []
    assert a1.name not in found(api, {"q": a1.id_number[-4:]})
    assert found(api, {"q": a1.phone}) == []
    assert found(api, {"q": b1.name}) == [b1.name]  # their own branch is searched
    refused = api.post(SEARCH, {"q": a1.name, "org": tree.branch_a.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"org": ["No such organisation in your scope."]}


def test_a_viewer_may_search_what_they_may_list_and_nobody_finds_no_one(tree, users, api_for):
    viewer = api_for(users.viewer)  # read-only role over committee 1
    assert found(viewer, {"q": tree.people.a1.name}) == [tree.people.a1.name]
    assert found(viewer, {"q": tree.people.c1.name}) == []  # committee 2
    assert found(api_for(users.nobody), {"q": tree.people.a1.name}) == []
    assert found(api_for(users.member), {"q": "甲"}) == [tree.people.a2.name]  # only themself
    assert api_for(None).post(SEARCH, {"q": "甲"}, format="json").status_code == 401


def test_a_search_beyond_one_page_is_paged_with_cursors_posted_back(tree, users, api_for, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "page_size", 2)
    for i in range(5):
        create_person(None, person_data(tree.branch_a if i % 2 else tree.branch_b, name=f"分页{i}"))
    api = api_for(users.committee_admin)
    body = {"q": "分页", "sort": "name"}
    expected = list(
        Person.objects.filter(name__startswith="分页").order_by("name_pinyin", "id").values_list("pk", flat=True)
    )

    pages, cursor = [], None
    while True:
        page = search(api, {**body, "cursor": cursor} if cursor else body)
        assert page["count"] == 5
        pages.append(page)
        cursor = page["next"]
        if cursor is None:
            break
        assert not cursor.startswith(("http", "/"))  # a cursor to post back, not a link
    assert [len(p["results"]) for p in pages] == [2, 2, 1]
    assert [row["id"] for p in pages for row in p["results"]] == expected
    assert pages[0]["previous"] is None
    back = search(api, {**body, "cursor": pages[2]["previous"]})
    assert back["results"] == pages[1]["results"]
    # Another search with a cursor of this one still pages by position, inside its own matches only.
    other = search(api, {"q": "分页", "cursor": pages[0]["next"]})["results"]
    assert other and all(row["name"].startswith("分页") for row in other)


def test_a_search_term_in_the_query_string_is_refused_with_where_to_send_it(tree, users, api_for):
    api = api_for(users.district)
    response = api.get(f"/api/people/?q={tree.people.a1.name}")

    assert response.status_code == 400
    [message] = response.json()["q"]
    assert "/api/people/search/" in message and "POST" in message
    assert tree.people.a1.name not in response.content.decode()
    # Not on the search either, nor with other filters; an empty q carries nothing and is ignored.
    assert api.post(f"{SEARCH}?q=13900000001", {}, format="json").status_code == 400
    assert api.get(f"/api/people/?status=all&q={tree.people.a1.id_number[-4:]}").status_code == 400
    assert api.get("/api/people/?q=").status_code == 200


def test_the_term_is_nowhere_in_the_request_line_or_the_access_log(tree, users, api_for, caplog):
    phone = tree.people.b1.phone
    api = api_for(users.district)
    accesses = AccessLog.objects.count()
    caplog.set_level(logging.INFO, logger="tongxin.access")

    response = api.post(SEARCH, {"q": phone, "status": "active"}, format="json")

    assert [row["name"] for row in response.json()["results"]] == [tree.people.b1.name]
    request_line = response.request["PATH_INFO"] + "?" + response.request.get("QUERY_STRING", "")
    assert not re.search(r"\d", request_line)
    [line] = [r for r in caplog.records if r.name == "tongxin.access"]
    assert (line.path, line.method) == (SEARCH, "POST")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert phone[-4:] not in logged and "q=" not in logged
    # Masked rows, like the list: no AccessLog entry (that is for numbers shown or exported in full).
    assert AccessLog.objects.count() == accesses


@pytest.fixture
def session_client(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.secretary_a)
    return client


def test_a_session_search_needs_the_csrf_token(tree, session_client):
    body = json.dumps({"q": tree.people.a1.name})

    refused = session_client.post(SEARCH, body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]

    session_client.get(reverse("people:roster"))
    token = session_client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = session_client.post(SEARCH, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    assert [row["name"] for row in accepted.json()["results"]] == [tree.people.a1.name]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"political_status": "99"}, "political_status"),
        ({"age_min": 5000}, "age_min"),
        ({"sort": "nonsense"}, "sort"),
        ({"org": "abc"}, "org"),
        ({"org": 10**30}, "org"),
        ({"q": "x" * 101}, "q"),
        ({"status": "gone"}, "status"),
    ],
)
def test_bad_values_in_the_body_are_refused_with_the_field_named(body, field, tree, users, api_for):
    assert field in search(api_for(users.district), body, status=400)


@pytest.mark.parametrize("cursor", ["%%%", "eyJ4Ijog", "W1siYWZ0ZXIiLCBbMV1dXQ"])
def test_a_tampered_cursor_starts_from_the_first_page(cursor, tree, users, api_for):
    assert len(found(api_for(users.district), {"cursor": cursor})) == 5


def test_a_form_encoded_body_is_refused(tree, users, api_for):
    response = api_for(users.district).post(SEARCH, {"q": tree.people.a1.name})  # multipart, not JSON
    assert response.status_code == 415
