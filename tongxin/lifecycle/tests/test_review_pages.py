"""The review pages and API as the branch secretary and the committee use them."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.core.rules import clear_cache
from tongxin.lifecycle.models import AnnualReview, ReviewEntry, ReviewGrade, ReviewStatus
from tongxin.lifecycle.services import review as services
from tongxin.lifecycle.tests.review_helpers import Q, U, add_members, open_graded, this_year

pytestmark = pytest.mark.usefixtures("english")


def test_the_secretary_opens_grades_and_submits_on_the_pages(tree, users, client_for):
    client = client_for(users.secretary_a)
    page = client.get(f"/lifecycle/reviews/?org={tree.branch_a.pk}").content.decode()
    assert 'data-testid="open"' in page and "2 active league members" in page

    response = client.post("/lifecycle/reviews/open/", {"branch": tree.branch_a.pk, "year": this_year()})
    review = AnnualReview.objects.get()
    assert response["Location"] == f"/lifecycle/reviews/{review.pk}/"
    # The branch's row of the progress table now leads to the review.
    assert client.get(f"/lifecycle/reviews/?org={tree.branch_a.pk}")["Location"] == f"/lifecycle/reviews/{review.pk}/"

    page = client.get(f"/lifecycle/reviews/{review.pk}/").content.decode()
    assert f'name="grade_{tree.people.a1.pk}"' in page and 'data-testid="set-all"' in page
    client.post(f"/lifecycle/reviews/{review.pk}/grade/", {"set_all": "qualified"})
    assert set(review.entries.values_list("grade", flat=True)) == {"qualified"}

    # A change of one select, sent by htmx, answers with the counts recomputed on the server.
    partial = client.post(
        f"/lifecycle/reviews/{review.pk}/grade/", {f"grade_{tree.people.a1.pk}": "excellent"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="review-counts"' in partial and "<html" not in partial
    assert "Excellent: 1 of at most 0" in partial and "Too many" in partial
    assert ReviewEntry.objects.get(review=review, person=tree.people.a1).grade == ReviewGrade.EXCELLENT

    response = client.post(
        f"/lifecycle/reviews/{review.pk}/submit/",
        {"meeting_on": timezone.localdate().isoformat(), "members_present": 2},
        follow=True,
    )
    assert "At most 30% of the members reviewed may be graded Excellent" in response.content.decode()
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.DRAFT

    client.post(f"/lifecycle/reviews/{review.pk}/grade/", {f"grade_{tree.people.a1.pk}": "qualified"})
    client.post(
        f"/lifecycle/reviews/{review.pk}/submit/",
        {"meeting_on": timezone.localdate().isoformat(), "members_present": 2},
    )
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED
    page = client.get(f"/lifecycle/reviews/{review.pk}/").content.decode()
    assert 'data-testid="approve"' not in page and "waiting for the approval" in page
    assert client.post(f"/lifecycle/reviews/{review.pk}/approve/").status_code == 404
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED


def test_the_committee_approves_and_the_branch_registers(tree, users, client_for):
    review = open_graded(users.secretary_a, tree.branch_a, [Q, U])
    services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=2)
    committee = client_for(users.committee_admin)
    progress = committee.get(f"/lifecycle/reviews/?org={tree.committee1.pk}").content.decode()
    assert 'data-testid="waiting"' in progress and tree.branch_a.name in progress
    page = committee.get(f"/lifecycle/reviews/{review.pk}/").content.decode()
    assert 'data-testid="approve"' in page and 'data-testid="return"' in page
    committee.post(f"/lifecycle/reviews/{review.pk}/approve/")
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.APPROVED

    secretary = client_for(users.secretary_a)
    page = secretary.get(f"/lifecycle/reviews/{review.pk}/").content.decode()
    assert 'data-testid="register"' in page
    secretary.post(f"/lifecycle/reviews/{review.pk}/register/", {"on": timezone.localdate().isoformat()})
    entries = {e.grade: e for e in ReviewEntry.objects.filter(review=review)}
    assert entries["qualified"].registered_on == timezone.localdate()
    assert entries["unqualified"].deferred_until == services.add_months(timezone.localdate(), 3)

    until = services.add_months(timezone.localdate(), 5)
    secretary.post(
        f"/lifecycle/reviews/{review.pk}/defer/", {"entry": entries["unqualified"].pk, "until": until.isoformat()}
    )
    assert ReviewEntry.objects.get(pk=entries["unqualified"].pk).deferred_until == until


def test_the_progress_table_drills_down_and_exports(tree, users, client_for):
    review = open_graded(users.secretary_a, tree.branch_a, [Q, Q])
    client = client_for(users.district)
    page = client.get(f"/lifecycle/reviews/?org={tree.root.pk}&year={this_year()}").content.decode()
    assert f'href="/lifecycle/reviews/?org={tree.committee1.pk}&amp;year={this_year()}"' in page
    assert tree.party_branch.name not in page
    page = client.get(f"/lifecycle/reviews/?org={tree.committee1.pk}&year={this_year()}").content.decode()
    assert f"?org={tree.branch_a.pk}&amp;year={this_year()}" in page

    response = client.get(f"/lifecycle/reviews/export/?org={tree.root.pk}&year={this_year()}")
    assert response["Content-Disposition"].startswith("attachment")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)
    table = rows.to_python()
    assert table[0][:3] == ["Organisation", "Members", "Branches"]
    by_name = {row[0]: row for row in table[1:]}
    assert by_name[tree.committee1.name][3] == 1  # reviews opened
    assert by_name["Total"][1] == 5
    assert review.pk


def test_the_review_page_costs_the_same_queries_for_3_and_30_members(tree, users, client_for):
    add_members(tree.branch_a, 1)
    add_members(tree.branch_b, 28)
    small = services.open_review(users.committee_admin, branch=tree.branch_a, year=this_year())
    large = services.open_review(users.committee_admin, branch=tree.branch_b, year=this_year())
    clear_cache()  # rules are cached in the process for a second: from here on they come from the shared cache
    client = client_for(users.committee_admin)
    client.get(f"/lifecycle/reviews/{small.pk}/")
    counts = []
    for review in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/lifecycle/reviews/{review.pk}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_api_walks_the_same_workflow(tree, users, api_for):
    secretary, committee = api_for(users.secretary_a), api_for(users.committee_admin)
    response = secretary.post("/api/reviews/", {"branch": tree.branch_a.pk, "year": this_year()}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["members"] == 2 and response.json()["ungraded"] == 2

    body = {"grades": {str(tree.people.a1.pk): "qualified", str(tree.people.a2.pk): "unqualified"}}
    assert secretary.post(f"/api/reviews/{pk}/grade/", body, format="json").json()["ungraded"] == 0
    response = secretary.post(
        f"/api/reviews/{pk}/submit/",
        {"meeting_on": timezone.localdate().isoformat(), "members_present": 1},
        format="json",
    )
    assert response.status_code == 400 and "two thirds" in response.json()["members_present"][0]
    response = secretary.post(
        f"/api/reviews/{pk}/submit/",
        {"meeting_on": timezone.localdate().isoformat(), "members_present": 2},
        format="json",
    )
    assert response.json()["status"] == "submitted"
    assert secretary.post(f"/api/reviews/{pk}/approve/").status_code == 403
    assert committee.post(f"/api/reviews/{pk}/approve/").json()["status"] == "approved"
    response = secretary.post(f"/api/reviews/{pk}/register/", {}, format="json")
    assert response.json() == {"registered": 1, "deferred": 1}

    listing = committee.get(f"/api/reviews/?year={this_year()}").json()
    assert [row["id"] for row in listing["results"]] == [pk]
    detail = committee.get(f"/api/reviews/{pk}/").json()
    assert {e["person"]: e["grade"] for e in detail["entries"]} == {
        tree.people.a1.pk: "qualified",
        tree.people.a2.pk: "unqualified",
    }
    assert api_for(users.outsider).get(f"/api/reviews/{pk}/").status_code == 404
    assert api_for(users.outsider).get("/api/reviews/").json()["count"] == 0
