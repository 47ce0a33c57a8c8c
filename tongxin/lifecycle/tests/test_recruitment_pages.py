"""The recruitment pages and API as the branch secretary and the committee use them; lists do not grow in
queries with their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.core.testing import today
from tongxin.lifecycle.models import Recruitment, RecruitmentStage
from tongxin.lifecycle.services import recruitment as services
from tongxin.lifecycle.tests import recruitment_helpers as h
from tongxin.people.models import Person

pytestmark = pytest.mark.usefixtures("english")


def test_a_secretary_records_an_application_on_the_new_page(tree, users, client_for):
    from tongxin.core.testing import make_id_number, years_ago

    client = client_for(users.secretary_a)
    page = client.get("/lifecycle/recruitment/new/").content.decode()
    assert tree.branch_a.name in page and tree.branch_b.name not in page

    response = client.post(
        "/lifecycle/recruitment/new/",
        {
            "branch": tree.branch_a.pk,
            "name": "王 新",
            "id_number": make_id_number(years_ago(16)),
            "phone": "13900001111",
            "applied_on": today().isoformat(),
        },
    )

    r = Recruitment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lifecycle/recruitment/{r.pk}/"
    assert r.name == "王新" and r.stage == RecruitmentStage.APPLIED


def test_an_under_age_applicant_is_explained_on_the_form(tree, users, client_for):
    from tongxin.core.testing import make_id_number, years_ago

    client = client_for(users.secretary_a)
    page = client.post(
        "/lifecycle/recruitment/new/",
        {
            "branch": tree.branch_a.pk,
            "name": "王小",
            "id_number": make_id_number(years_ago(12)),
            "applied_on": today().isoformat(),
        },
    ).content.decode()

    assert "Joining the League is open from age 14 to 28" in page
    assert not Recruitment.objects.exists()


def test_the_detail_page_shows_only_the_next_step_to_whoever_takes_it(tree, users, client_for):
    r = h.to_stage(tree, users, RecruitmentStage.CANDIDATE)
    url = f"/lifecycle/recruitment/{r.pk}/"

    branch_page = client_for(users.secretary_a).get(url).content.decode()
    assert 'data-testid="step-form"' not in branch_page and "Waiting for the League committee" in branch_page
    assert 'data-testid="timeline"' in branch_page and h.CANDIDATE.isoformat() in branch_page
    assert r.id_number not in branch_page  # masked

    committee_page = client_for(users.committee_admin).get(url).content.decode()
    assert 'data-testid="step-form"' in committee_page and 'value="precheck"' in committee_page
    assert "Record the pre-check" in committee_page


def test_the_steps_are_taken_through_the_page(tree, users, client_for):
    r = h.to_stage(tree, users, RecruitmentStage.ACTIVIST)
    client = client_for(users.secretary_a)
    act = f"/lifecycle/recruitment/{r.pk}/act/"

    client.post(act, {"step": "record_training", "training-hours": "8"})
    response = client.post(act, {"step": "choose_candidate", "step-on": h.CANDIDATE.isoformat()})
    assert response.status_code == 302
    assert Recruitment.objects.get(pk=r.pk).stage == RecruitmentStage.CANDIDATE

    # The branch secretary posting the committee's step: not theirs.
    assert client.post(act, {"step": "precheck", "step-on": h.PRECHECKED.isoformat()}).status_code == 404
    committee = client_for(users.committee_admin)
    committee.post(act, {"step": "precheck", "step-on": h.PRECHECKED.isoformat()})
    assert Recruitment.objects.get(pk=r.pk).stage == RecruitmentStage.PRECHECKED


def test_a_failed_quorum_is_shown_on_the_vote_form_and_nothing_is_written(tree, users, client_for, row_counts):
    r = h.to_stage(tree, users, RecruitmentStage.PRECHECKED)
    client = client_for(users.secretary_a)
    before = h.counts(row_counts)

    page = client.post(
        f"/lifecycle/recruitment/{r.pk}/act/",
        {
            "step": "record_vote",
            "step-on": h.MEETING.isoformat(),
            "step-sponsor_1": tree.people.a1.pk,
            "step-sponsor_2": tree.people.a2.pk,
            "step-present": 1,
            "step-votes_for": 1,
            "step-votes_against": 0,
        },
    ).content.decode()

    assert "More than half of the branch&#x27;s 2 members must be present" in page
    assert h.counts(row_counts) == before and Recruitment.objects.get(pk=r.pk).stage == RecruitmentStage.PRECHECKED


def test_a_step_out_of_order_on_the_page_is_explained(tree, users, client_for):
    r = h.application(tree, users.secretary_a)
    client = client_for(users.secretary_a)
    response = client.post(
        f"/lifecycle/recruitment/{r.pk}/act/", {"step": "record_oath", "step-on": today()}, follow=True
    )
    assert "the next step is “Name the activist”" in response.content.decode()
    assert Recruitment.objects.get(pk=r.pk).stage == RecruitmentStage.APPLIED


def test_withdrawal_through_the_page(tree, users, client_for):
    r = h.application(tree, users.secretary_a)
    client_for(users.secretary_a).post(f"/lifecycle/recruitment/{r.pk}/withdraw/", {"withdraw-reason": "本人撤回"})
    assert Recruitment.objects.get(pk=r.pk).stage == RecruitmentStage.WITHDRAWN


def test_the_list_has_a_tab_per_stage_with_counts_and_a_fixed_number_of_queries(tree, users, client_for):
    client = client_for(users.committee_admin)
    h.application(tree, users.secretary_a, name="甲一")
    with CaptureQueriesContext(connection) as one:
        client.get("/lifecycle/recruitment/?tab=all")
    for name in ("甲二", "甲三", "甲四"):
        h.application(tree, users.secretary_a, name=name)
    h.to_stage(tree, users, RecruitmentStage.VOTED)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/lifecycle/recruitment/?tab=all").content.decode()
    assert len(many.captured_queries) == len(one.captured_queries)
    assert all(name in page for name in ("甲一", "甲四", "王新"))

    waiting = client.get("/lifecycle/recruitment/").content.decode()
    assert "王新" in waiting and "甲一" not in waiting  # the vote waits for the committee's approval
    applied = client.get("/lifecycle/recruitment/?tab=applied").content.decode()
    assert "甲一" in applied and "王新" not in applied


def test_people_without_a_role_get_no_list(tree, users, client_for):
    assert client_for(users.nobody).get("/lifecycle/recruitment/").status_code == 404
    assert client_for(users.member).get("/lifecycle/recruitment/new/").status_code == 404


# --- API ------------------------------------------------------------------------------------------------------


def test_the_api_runs_a_recruitment(tree, users, api_for):
    from tongxin.core.testing import make_id_number, years_ago

    branch, committee = api_for(users.secretary_a), api_for(users.committee_admin)
    created = branch.post(
        "/api/recruitments/",
        {
            "branch": tree.branch_a.pk,
            "name": "王新",
            "id_number": make_id_number(years_ago(17)),
            "applied_on": (h.ACTIVIST - (h.CANDIDATE - h.ACTIVIST)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["next_step"] == "name_activist" and "*" in created.json()["id_number_masked"]

    def post(client, action, data):
        response = client.post(f"/api/recruitments/{pk}/{action}/", data, format="json")
        assert response.status_code == 200, (action, response.json())
        return response.json()

    post(branch, "name-activist", {"on": h.ACTIVIST.isoformat()})
    out_of_order = branch.post(f"/api/recruitments/{pk}/approve/", {"on": today().isoformat()}, format="json")
    assert out_of_order.status_code == 403  # not the branch's step, whatever the stage
    early = branch.post(f"/api/recruitments/{pk}/choose-candidate/", {"on": h.CANDIDATE.isoformat()}, format="json")
    assert early.status_code == 400 and "class hours" in early.json()["hours"][0]
    post(branch, "record-training", {"hours": "8"})
    post(branch, "choose-candidate", {"on": h.CANDIDATE.isoformat()})
    assert (
        branch.post(f"/api/recruitments/{pk}/precheck/", {"on": h.PRECHECKED.isoformat()}, format="json").status_code
        == 403
    )
    post(committee, "precheck", {"on": h.PRECHECKED.isoformat()})
    post(
        branch,
        "record-vote",
        {
            "on": h.MEETING.isoformat(),
            "sponsors": [tree.people.a1.pk, tree.people.a2.pk],
            "present": 2,
            "votes_for": 2,
            "votes_against": 0,
        },
    )
    approved = post(committee, "approve", {"on": h.APPROVED.isoformat()})
    assert approved["stage"] == "approved" and approved["league_number"].startswith(str(h.MEETING.year))
    assert Person.objects.get(pk=approved["person"]).branch == tree.branch_a
    sworn = post(branch, "record-oath", {"on": today().isoformat()})
    assert sworn["stage"] == "sworn" and sworn["next_step"] == ""

    assert [row["id"] for row in branch.get("/api/recruitments/?stage=sworn").json()["results"]] == [pk]
    assert branch.get("/api/recruitments/?stage=applied").json()["results"] == []
    assert api_for(users.outsider).get(f"/api/recruitments/{pk}/").status_code == 404


def test_the_api_refuses_a_sponsor_outside_the_scope_and_a_bad_stage_filter(tree, users, api_for):
    r = h.to_stage(tree, users, RecruitmentStage.PRECHECKED)
    api = api_for(users.secretary_a)
    response = api.post(
        f"/api/recruitments/{r.pk}/record-vote/",
        {
            "on": h.MEETING.isoformat(),
            "sponsors": [tree.people.a1.pk, tree.people.c1.pk],
            "present": 2,
            "votes_for": 2,
            "votes_against": 0,
        },
        format="json",
    )
    assert response.status_code == 400 and "sponsors" in response.json()
    assert api.get("/api/recruitments/?stage=nonsense").status_code == 400
    assert services.NEXT_STEP[Recruitment.objects.get(pk=r.pk).stage] == "record_vote"
