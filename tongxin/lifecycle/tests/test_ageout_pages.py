"""The age-out pages and API: the list by branch, the confirmation step, the batch, scoping, query counts."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongxin.core.testing import person_data, years_ago
from tongxin.lifecycle.views import ageout as views
from tongxin.people.models import Membership, MembershipStatus, Person
from tongxin.people.services import appoint_cadre, create_person

pytestmark = pytest.mark.usefixtures("english", "rules_in_the_cache")

URL = "/lifecycle/age-out/"
CONFIRM = "/lifecycle/age-out/confirm/"
API = "/api/age-outs/"


def member(branch, name: str, years: int = 30, **fields) -> Person:
    return create_person(None, person_data(branch, name=name, birth=years_ago(years), **fields))


@pytest.fixture
def due(tree):
    """Two members due in branch A (one a party member), one in branch B, one in branch C; and some not due."""
    people = {
        "a": member(tree.branch_a, "甲超龄"),
        "a_party": member(tree.branch_a, "甲党员", 29, political_status="01", party_join_date=years_ago(7)),
        "b": member(tree.branch_b, "乙超龄", 31),
        "c": member(tree.branch_c, "丙超龄", 32),
        "young": member(tree.branch_a, "甲年轻", 27),
        "cadre": member(tree.branch_a, "甲团干", 33),
    }
    appoint_cadre(None, person=people["cadre"], organization=tree.branch_a, title="member", start=years_ago(1))
    return people


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def checkbox_ids(response) -> set[int]:
    return {int(v) for v in re.findall(r'name="person_ids" value="(\d+)"', response.content.decode())}


# --- the list -----------------------------------------------------------------------------------------------


def test_the_list_is_grouped_by_branch_with_birth_date_age_and_political_status(due, users, client_for):
    response = client_for(users.committee_admin).get(URL)
    assert response.status_code == 200
    body = text(response)
    assert "3 members are due." in body
    assert body.index("甲团支部") < body.index("甲超龄") < body.index("乙团支部") < body.index("乙超龄")
    person = due["a_party"]
    assert f"{person.birth_date:%Y-%m-%d}" in body and "CPC member" in body
    assert re.search(r'data-label="Age">29<', response.content.decode())
    for name in ("丙超龄", "甲年轻", "甲团干"):
        assert name not in body
    assert checkbox_ids(response) == {due["a"].pk, due["a_party"].pk, due["b"].pk}
    assert "Select all" in body and "Review everyone listed" in body
    assert 'name="viewport"' in response.content.decode()  # the layout a phone needs


def test_a_secretary_sees_her_branch_only(due, users, client_for, tree):
    client = client_for(users.secretary_a)
    body = text(client.get(URL))
    assert "甲超龄" in body and "甲党员" in body and "乙超龄" not in body
    assert client.get(f"{URL}?org={tree.branch_b.pk}").status_code == 404
    assert client.get(f"{URL}?org={tree.committee1.pk}").status_code == 404
    assert client.get(f"{URL}?org={tree.branch_a.pk}").status_code == 200
    assert client.get(f"{URL}?org=abc").status_code == 404


def test_no_role_is_404_and_a_viewer_cannot_confirm(due, users, client_for):
    for who in (users.nobody, users.member):
        assert client_for(who).get(URL).status_code == 404
        assert client_for(who).post(CONFIRM, {"person_ids": [due["a"].pk]}).status_code == 404
    response = client_for(users.viewer).get(URL)
    assert response.status_code == 200 and "甲超龄" in text(response)
    assert checkbox_ids(response) == set() and "Review the selected members" not in text(response)
    assert client_for(users.viewer).post(CONFIRM, {"person_ids": [due["a"].pk]}).status_code == 404


def test_the_empty_list_says_why(tree, users, client_for):
    member(tree.branch_a, "甲年轻", 27)
    body = text(client_for(users.secretary_a).get(URL))
    assert f"No one here reaches 28 without a league post on {timezone.localdate():%Y-%m-%d}" in body
    assert "Select all" not in body


def test_a_long_list_shows_the_count_per_branch(due, users, client_for, monkeypatch, tree):
    monkeypatch.setattr(views, "LIST_LIMIT", 2)
    response = client_for(users.district).get(URL)
    body = text(response)
    assert "4 members are due: more than the 2 one page lists." in body
    assert checkbox_ids(response) == set()
    links = re.findall(r'href="/lifecycle/age-out/\?org=(\d+)">([^<]+)</a>', response.content.decode())
    assert [name for _pk, name in links] == ["甲团支部", "乙团支部", "丙团支部"]
    assert re.search(r'data-label="Members due" class="text-end">2<', response.content.decode())


@pytest.mark.parametrize(("client_fixture", "url"), [("client_for", URL), ("api_for", API)], ids=["page", "api"])
def test_the_list_costs_the_same_queries_for_3_and_for_30(tree, users, request, client_fixture, url):
    """The page and the API list alike."""
    client = request.getfixturevalue(client_fixture)(users.committee_admin)

    def measure() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        member([tree.branch_a, tree.branch_b][i % 2], f"超龄{i:02d}", 29 + i % 5)
    few = measure()
    for i in range(3, 30):
        member([tree.branch_a, tree.branch_b][i % 2], f"超龄{i:02d}", 29 + i % 5)
    assert measure() == few


# --- confirming -----------------------------------------------------------------------------------------------


def test_review_then_confirm(due, users, client_for, tree):
    client = client_for(users.secretary_a)
    ids = [due["a"].pk, due["a_party"].pk]
    review = client.post(CONFIRM, {"person_ids": ids, "step": "review", "org": tree.branch_a.pk})
    assert review.status_code == 200
    body = text(review)
    assert "2 members leave the League on" in body and "甲超龄" in body and "甲党员" in body
    assert "Confirm: 2 members leave the League" in body
    assert checkbox_ids(review) == set(ids)  # carried as hidden fields
    assert 'name="step" value="confirm"' in review.content.decode()
    assert Person.objects.filter(status=MembershipStatus.AGED_OUT).count() == 0  # nothing yet

    response = client.post(CONFIRM, {"person_ids": ids, "step": "confirm", "org": tree.branch_a.pk}, follow=True)
    assert response.redirect_chain == [(f"{URL}?org={tree.branch_a.pk}", 302)]
    body = text(response)
    assert "2 members have left the League (aged out). The roster keeps their records." in body
    assert "No one here reaches 28" in body
    for person in (due["a"], due["a_party"]):
        person.refresh_from_db()
        assert person.status == MembershipStatus.AGED_OUT
        assert Membership.objects.get(person=person).end_reason == Membership.Reason.AGED_OUT
    # The roster's status filter still shows them.
    roster = text(client.get("/people/?status=aged_out"))
    assert "甲超龄" in roster and "甲党员" in roster


def test_select_all_reviews_everyone_the_user_may_confirm(due, users, client_for):
    response = client_for(users.committee_admin).post(CONFIRM, {"select_all": "1", "step": "review"})
    assert response.status_code == 200
    assert checkbox_ids(response) == {due["a"].pk, due["a_party"].pk, due["b"].pk}
    assert "3 members leave the League" in text(response)


def test_nothing_ticked(due, users, client_for):
    response = client_for(users.secretary_a).post(CONFIRM, {"step": "review"})
    assert response.status_code == 200 and "Tick the members to confirm first." in text(response)
    assert client_for(users.secretary_a).get(CONFIRM).status_code == 302  # a GET goes back to the list


def test_a_refused_batch_is_explained_and_nothing_is_written(due, users, client_for, row_counts):
    client = client_for(users.secretary_a)
    rows = row_counts()
    ids = [due["a"].pk, due["young"].pk, due["cadre"].pk, due["b"].pk]
    response = client.post(CONFIRM, {"person_ids": ids, "step": "confirm"})
    assert response.status_code == 200
    body = text(response)
    assert "Nothing was confirmed." in body
    assert f"Not members of your organisations: #{due['b'].pk}." in body and "乙超龄" not in body
    assert "Younger than 28" in body and "甲年轻 (27)" in body
    assert "Holding a league post, so they stay: 甲团干." in body
    assert row_counts() == rows
    assert checkbox_ids(response) >= {due["a"].pk}
    assert re.search(rf'value="{due["a"].pk}"[^>]*checked', response.content.decode())  # the ticks are kept


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_lists_the_candidates_in_scope(due, users, api_for, tree):
    api = api_for(users.secretary_a)
    data = api.get(API).json()
    assert data["count"] == 2
    assert [(r["name"], r["branch_name"], r["age"], r["political_status"], r["eligible"]) for r in data["results"]] == [
        ("甲超龄", "甲团支部", 30, "03", True),
        ("甲党员", "甲团支部", 29, "01", True),
    ]
    assert api_for(users.committee_admin).get(f"{API}?org={tree.branch_b.pk}").json()["count"] == 1
    assert api.get(f"{API}?org={tree.branch_b.pk}").json()["count"] == 0  # outside her scope: nothing
    assert api.get(f"{API}?org=x").status_code == 400
    assert api_for(users.nobody).get(API).json()["count"] == 0


def test_the_api_detail_says_whether_one_person_is_due(due, users, api_for):
    api = api_for(users.secretary_a)
    assert api.get(f"{API}{due['a'].pk}/").json()["eligible"] is True
    assert api.get(f"{API}{due['young'].pk}/").json()["eligible"] is False
    assert api.get(f"{API}{due['cadre'].pk}/").json()["eligible"] is False
    assert api.get(f"{API}{due['b'].pk}/").status_code == 404


def test_the_api_confirms_a_batch_or_refuses_it_whole(due, users, api_for, row_counts):
    api = api_for(users.secretary_a)
    rows = row_counts()
    refused = api.post(f"{API}confirm/", {"person_ids": [due["a"].pk, due["b"].pk]}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"person_ids": [f"Not members of your organisations: #{due['b'].pk}."]}
    assert row_counts() == rows
    assert api.post(f"{API}confirm/", {"person_ids": []}, format="json").status_code == 400
    done = api.post(f"{API}confirm/", {"person_ids": [due["a"].pk, due["a_party"].pk]}, format="json")
    assert done.status_code == 200 and done.json() == {"confirmed": 2}
    assert api.get(API).json()["count"] == 0
    again = api.post(f"{API}confirm/", {"person_ids": [due["a"].pk]}, format="json")
    assert again.status_code == 400 and "Already confirmed as aged out: 甲超龄." in again.json()["person_ids"]
