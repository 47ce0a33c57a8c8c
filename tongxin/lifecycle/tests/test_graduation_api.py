"""Graduation through the API, as on the batch page: a branch's graduates sent on in one batch, all or nothing;
the batches and the graduates left in a flow branch too long listed within the caller's scope."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tongxin.lifecycle.models import GraduationBatch, GraduationDestination, Transfer, TransferStatus
from tongxin.lifecycle.services import transfers
from tongxin.lifecycle.services.graduation import Assignment, send_graduates

pytestmark = pytest.mark.usefixtures("english")
URL = "/api/graduation-batches/"
OVERDUE = "/api/graduation-batches/overdue/"
JULY = datetime.date(2026, 7, 1)


def _body(tree, *lines):
    return {"branch": tree.branch_a.pk, "graduation_date": JULY.isoformat(), "assignments": list(lines)}


def test_a_secretary_sends_her_graduates_in_one_batch(tree, users, api_for):
    a1, a2 = tree.people.a1, tree.people.a2
    response = api_for(users.secretary_a).post(URL, _body(
        tree,
        {"person": a1.pk, "destination": "employer", "to_org": tree.branch_c.pk},
        {"person": a2.pk, "destination": "outside", "external": "海外留学"},
    ), format="json")  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    batch = GraduationBatch.objects.get()
    assert body["id"] == batch.pk and body["branch"] == tree.branch_a.pk and body["graduation_date"] == "2026-07-01"
    by_person = {row["person"]: row for row in body["transfers"]}
    assert by_person[a1.pk]["status"] == TransferStatus.PENDING_IN
    assert by_person[a1.pk]["graduation_destination"] == GraduationDestination.EMPLOYER
    assert by_person[a2.pk]["status"] == TransferStatus.COMPLETED
    assert by_person[a2.pk]["external_destination"] == "海外留学"


def test_one_bad_line_refuses_the_whole_batch_naming_the_graduate(tree, users, api_for, row_counts):
    before = row_counts()
    response = api_for(users.secretary_a).post(URL, _body(
        tree,
        {"person": tree.people.a1.pk, "destination": "employer", "to_org": tree.branch_c.pk},
        {"person": tree.people.a2.pk, "destination": "community"},
    ), format="json")  # fmt: skip

    assert response.status_code == 400
    assert "李甲二: choose the receiving organisation" in " ".join(response.json()["assignments"])
    assert row_counts() == before


def test_another_branchs_members_or_branch_are_refused(tree, users, api_for, row_counts):
    before = row_counts()
    line = {"person": tree.people.a1.pk, "destination": "employer", "to_org": tree.branch_c.pk}
    # secretary B names branch A: not a branch of hers
    response = api_for(users.secretary_b).post(URL, _body(tree, line), format="json")
    assert response.status_code == 400 and "branch" in response.json()
    # her own branch, with a member of branch A
    body = {**_body(tree, line), "branch": tree.branch_b.pk}
    response = api_for(users.secretary_b).post(URL, body, format="json")
    assert response.status_code == 400 and "assignments" in response.json()
    assert row_counts() == before


def test_the_outsider_sees_no_batch_and_cannot_send(tree, users, api_for, row_counts):
    send_graduates(users.secretary_a, branch=tree.branch_a, graduation_date=JULY,
                   assignments=[Assignment(tree.people.a1, GraduationDestination.EMPLOYER, tree.branch_b)])  # fmt: skip
    outsider = api_for(users.outsider)

    assert outsider.get(URL).json()["results"] == []
    batch = GraduationBatch.objects.get()
    assert outsider.get(f"{URL}{batch.pk}/").status_code == 404
    assert api_for(users.secretary_b).get(f"{URL}{batch.pk}/").status_code == 404  # the sibling branch
    detail = api_for(users.secretary_a).get(f"{URL}{batch.pk}/").json()
    assert [row["person"] for row in detail["transfers"]] == [tree.people.a1.pk]
    before = row_counts()
    line = {"person": tree.people.a1.pk, "destination": "outside", "external": "越权"}
    assert outsider.post(URL, _body(tree, line), format="json").status_code == 400
    assert row_counts() == before

    listed = api_for(users.committee_admin).get(URL).json()["results"]
    assert [row["branch_name"] for row in listed] == [tree.branch_a.name]


def test_graduates_left_in_a_flow_branch_are_listed_within_the_scope(tree, users, api_for):
    line = Assignment(tree.people.a1, GraduationDestination.FLOW, tree.branch_b)
    batch = send_graduates(users.secretary_a, branch=tree.branch_a, graduation_date=JULY, assignments=[line])
    transfer = batch.transfers.get()
    transfers.accept_in(users.secretary_b, transfer)
    assert api_for(users.secretary_b).get(OVERDUE).json()["results"] == []  # just arrived

    Transfer.objects.filter(pk=transfer.pk).update(in_accepted_at=timezone.now() - datetime.timedelta(days=200))
    rows = api_for(users.secretary_b).get(OVERDUE).json()["results"]
    assert [(row["id"], row["graduation_destination"]) for row in rows] == [(transfer.pk, "flow")]
    assert api_for(users.outsider).get(OVERDUE).json()["results"] == []
    assert api_for(users.member).get(OVERDUE).json()["results"] == []


def test_anonymous_callers_are_refused(tree, api_for):
    assert api_for(None).get(URL).status_code == 401
    assert api_for(None).get(OVERDUE).status_code == 401
