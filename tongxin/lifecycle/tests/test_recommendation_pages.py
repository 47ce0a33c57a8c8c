"""Party recommendation pages and API: proposing from the member's page, the next step's form for whoever takes
it, the list by status in a fixed number of queries, and the whole way through the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.core.testing import person_data, years_ago
from tongxin.lifecycle.models import PartyRecommendation, RecommendationStatus
from tongxin.lifecycle.services import recommendation as services
from tongxin.lifecycle.tests import recommendation_helpers as h
from tongxin.people.models import Person
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")


def test_the_person_page_links_to_the_proposal_for_those_who_may_propose(tree, users, client_for):
    url = f"/people/{tree.people.a2.pk}/"
    assert 'data-testid="recommend-link"' in client_for(users.secretary_a).get(url).content.decode()
    assert 'data-testid="recommend-link"' not in client_for(users.member).get(url).content.decode()  # their own
    assert 'data-testid="recommend-link"' not in client_for(users.viewer).get(url).content.decode()


def test_a_secretary_proposes_from_the_page(tree, users, client_for, branch_of_five):
    client = client_for(users.secretary_a)
    url = f"/lifecycle/recommendations/person/{tree.people.a1.pk}/"
    page = client.get(url).content.decode()
    assert "5 active members, 1 recommendation places a year, 0 taken this year" in page
    assert 'data-testid="eligibility"' not in page

    response = client.post(url, {"party_application_on": h.APPLIED.isoformat()})

    rec = PartyRecommendation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lifecycle/recommendations/{rec.pk}/"


def test_an_ineligible_member_is_explained_before_and_on_posting(tree, users, client_for, branch_of_five):
    young = create_person(
        None, person_data(tree.branch_a, name="甲少", birth=years_ago(17), league_join_date=years_ago(3))
    )
    client = client_for(users.secretary_a)
    url = f"/lifecycle/recommendations/person/{young.pk}/"
    assert "from age 18" in client.get(url).content.decode()
    page = client.post(url, {"party_application_on": h.APPLIED.isoformat()}).content.decode()
    assert "from age 18" in page and not PartyRecommendation.objects.exists()


def test_the_next_step_form_is_shown_to_whoever_takes_it(tree, users, client_for, branch_of_five):
    rec = h.propose(users, tree.people.a1)
    url = f"/lifecycle/recommendations/{rec.pk}/"
    secretary, committee = client_for(users.secretary_a), None
    assert 'value="record_vote"' in secretary.get(url).content.decode()

    page = secretary.post(
        f"{url}act/",
        {
            "step": "record_vote",
            "step-on": h.MEETING.isoformat(),
            "step-voters_expected": 5,
            "step-votes_for": 2,
            "step-votes_against": 0,
        },
    ).content.decode()
    assert "More than half of the 5 expected voters" in page
    secretary.post(
        f"{url}act/",
        {
            "step": "record_vote",
            "step-on": h.MEETING.isoformat(),
            "step-voters_expected": 5,
            "step-votes_for": 3,
            "step-votes_against": 0,
        },
    )
    assert PartyRecommendation.objects.get(pk=rec.pk).status == RecommendationStatus.VOTED
    assert 'data-testid="waiting-note"' in secretary.get(url).content.decode()
    assert secretary.post(f"{url}act/", {"step": "approve", "step-on": h.APPROVED.isoformat()}).status_code == 404

    committee = client_for(users.committee_admin)
    committee.post(f"{url}act/", {"step": "approve", "step-on": h.APPROVED.isoformat()})
    page = committee.get(url).content.decode()
    assert tree.party_branch.name in page and 'value="hand_over"' in page
    committee.post(f"{url}act/", {"step": "hand_over", "step-on": h.HANDED.isoformat()})
    committee.post(f"{url}act/", {"step": "record_outcome", "step-admitted": "yes", "step-on": h.DECIDED.isoformat()})
    assert PartyRecommendation.objects.get(pk=rec.pk).status == RecommendationStatus.ADMITTED
    assert Person.objects.get(pk=tree.people.a1.pk).political_status == "02"


def test_withdrawal_through_the_page(tree, users, client_for, branch_of_five):
    rec = h.propose(users, tree.people.a1)
    client_for(users.secretary_a).post(f"/lifecycle/recommendations/{rec.pk}/withdraw/")
    assert PartyRecommendation.objects.get(pk=rec.pk).status == RecommendationStatus.WITHDRAWN


def test_the_list_counts_by_status_in_a_fixed_number_of_queries(tree, users, client_for, branch_of_five):
    from tongxin.core.models import RuleValue
    from tongxin.core.rules import clear_cache

    RuleValue.objects.create(key="recommendation_branch_quota", value="1")
    clear_cache()
    client = client_for(users.committee_admin)
    h.propose(users, tree.people.a1)
    with CaptureQueriesContext(connection) as one:
        client.get("/lifecycle/recommendations/?tab=all")
    rec = h.propose(users, tree.people.a2)
    services.record_vote(users.secretary_a, rec, on=h.MEETING, voters_expected=5, votes_for=3, votes_against=0)
    with CaptureQueriesContext(connection) as two:
        page = client.get("/lifecycle/recommendations/?tab=all").content.decode()
    clear_cache()
    assert len(two.captured_queries) == len(one.captured_queries)
    assert tree.people.a1.name in page and tree.people.a2.name in page
    waiting = client.get("/lifecycle/recommendations/").content.decode()
    assert tree.people.a2.name in waiting and tree.people.a1.name not in waiting


def test_the_api_runs_a_recommendation(tree, users, api_for, branch_of_five):
    branch, committee = api_for(users.secretary_a), api_for(users.committee_admin)
    created = branch.post(
        "/api/recommendations/",
        {"person": tree.people.a1.pk, "party_application_on": h.APPLIED.isoformat()},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]

    def post(client, action, data, status=200):
        response = client.post(f"/api/recommendations/{pk}/{action}/", data, format="json")
        assert response.status_code == status, (action, response.json())
        return response.json()

    post(committee, "approve", {"on": h.APPROVED.isoformat()}, status=400)  # the ballot comes first
    post(branch, "record-vote", {"on": h.MEETING.isoformat(), "voters_expected": 5, "votes_for": 3, "votes_against": 0})
    post(branch, "approve", {"on": h.APPROVED.isoformat()}, status=403)
    post(committee, "approve", {"on": h.APPROVED.isoformat()})
    handed = post(committee, "hand-over", {"on": h.HANDED.isoformat()})
    assert handed["party_org"] == tree.party_branch.pk and handed["next_step"] == "record_outcome"
    done = post(committee, "record-outcome", {"admitted": False, "on": h.DECIDED.isoformat()})
    assert done["status"] == "not_admitted"

    second = branch.post(
        "/api/recommendations/",
        {"person": tree.people.a2.pk, "party_application_on": h.APPLIED.isoformat()},
        format="json",
    )
    assert second.status_code == 400 and "so 1 places, and 1 are taken" in second.json()["person"][0]
    assert api_for(users.outsider).get(f"/api/recommendations/{pk}/").status_code == 404
    assert (
        api_for(users.outsider)
        .post(
            "/api/recommendations/",
            {"person": tree.people.a2.pk, "party_application_on": h.APPLIED.isoformat()},
            format="json",
        )
        .status_code
        == 400
    )
