"""Lapse cases (自行脱团): the branch proposes a member of the lapse list, the committee above approves or rejects.

Approval ends the member's stay with the reason "lapsed", so the annual report's "lapsed" column counts him and
its rows still add up; nobody decides on his own lapse or approves his own proposal; a member the list does not
show is refused by name; a rejection leaves him active; outsiders get 404; the same through the API."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongxin.accounts.models import User
from tongxin.core.models import ChangeLog, Notification
from tongxin.core.testing import person_data, refused_unchanged, today
from tongxin.dashboard.report import queries as report
from tongxin.lifecycle.models import LapseCase, LapseStatus
from tongxin.lifecycle.services import lapse as services
from tongxin.lifecycle.services.dues import current_month, mark_paid
from tongxin.orgs.models import OrgStats
from tongxin.people.models import Membership, MembershipStatus, Person
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")

OWN_CASE = "This concerns you personally: another person responsible must approve it."


def _propose(users, person, note="连续六个月未缴纳团费、未参加组织生活"):
    return services.propose(users.secretary_a, person=person, meeting_on=today(), note=note)


def _fresh(user):
    return User.objects.get(pk=user.pk)  # the role rows as a new request reads them


def _members_of(org) -> int:
    return OrgStats.objects.get(organization=org).members_total


def _report_row(org, name):
    figures = report.annual_report(org, today().year)
    return next(row for row in figures["members"]["rows"] if row["name"] == name), figures["members"]


def _adds_up(row) -> bool:
    return row["start"] + sum(row[k] for k in report.IN_KEYS) - sum(row[k] for k in report.OUT_KEYS) == row["end"]


def test_approval_ends_the_stay_as_lapsed_and_the_annual_report_counts_it(tree, users):
    a1 = tree.people.a1
    before_a, before_c1 = _members_of(tree.branch_a), _members_of(tree.committee1)
    Notification.objects.all().delete()

    case = _propose(users, a1)

    assert (case.status, case.meeting_on, case.org_path) == (LapseStatus.PROPOSED, today(), tree.branch_a.path)
    assert Person.objects.get(pk=a1.pk).status == MembershipStatus.ACTIVE  # nothing changes before the approval
    # the committee above is asked, and sees the case waiting in its inbox; the branch does not
    assert list(Notification.objects.values_list("recipient", flat=True)) == [users.committee_admin.pk]
    items = services.pending_lapse_cases(_fresh(users.committee_admin))
    assert [(str(item.label), item.count) for item in items] == [("Lapse cases to approve", 1)]
    assert services.pending_lapse_cases(_fresh(users.secretary_a))[0].count == 0

    case = services.approve(users.committee_admin, case)

    assert (case.status, case.decided_on, case.decided_by) == (LapseStatus.APPROVED, today(), users.committee_admin)
    a1 = Person.objects.get(pk=a1.pk)
    assert (a1.status, a1.branch_id) == (MembershipStatus.LEFT, tree.branch_a.pk)
    stay = Membership.objects.get(person=a1)
    assert (stay.end, stay.end_reason) == (today(), Membership.Reason.LAPSED)
    assert (_members_of(tree.branch_a), _members_of(tree.committee1)) == (before_a - 1, before_c1 - 1)
    trail = ChangeLog.objects.filter(content_type=ContentType.objects.get_for_model(LapseCase), object_id=str(case.pk))
    assert list(trail.order_by("id").values_list("action", flat=True)) == ["create", "update"]
    assert services.pending_lapse_cases(_fresh(users.committee_admin))[0].count == 0

    # The annual report of this year: branch A's row counts him in "lapsed" (not "left"), and every row adds up.
    row, members = _report_row(tree.committee1, "甲团支部")
    assert (row["lapsed"], row["left"], row["end"]) == (1, 0, 1)
    assert members["total"]["lapsed"] == 1
    assert all(_adds_up(r) for r in [*members["rows"], members["total"]])


def test_nobody_decides_on_his_own_lapse(tree, users, selves, row_counts):
    """A committee admin who is the member himself is refused; another admin of the committee approves."""
    case = _propose(users, tree.people.a1)
    User.objects.filter(person=tree.people.a1).update(person=None)  # a person has one user: now the admin's
    selves.committee_admin.person = tree.people.a1
    selves.committee_admin.save(update_fields=["person"])

    for step in (lambda: services.approve(selves.committee_admin, case),
                 lambda: services.reject(selves.committee_admin, case, reason="本人不同意")):  # fmt: skip
        refused_unchanged(row_counts, step, OWN_CASE)
    assert LapseCase.objects.get(pk=case.pk).status == LapseStatus.PROPOSED

    assert services.approve(users.committee_admin, case).status == LapseStatus.APPROVED


def test_nobody_approves_his_own_proposal(tree, users, row_counts):
    case = services.propose(users.committee_admin, person=tree.people.a1, meeting_on=today())

    refused_unchanged(row_counts, lambda: services.approve(users.committee_admin, case), "You proposed this lapse")

    assert services.approve(users.district, case).status == LapseStatus.APPROVED


def test_a_secretary_does_not_propose_her_own_lapse(tree, users, selves, row_counts):
    refused_unchanged(row_counts, lambda: services.propose(selves.secretary, person=tree.people.a1, meeting_on=today()),
                      OWN_CASE)  # fmt: skip
    assert not LapseCase.objects.exists()


def test_a_member_not_on_the_list_is_refused_by_name(tree, users, row_counts, api_for):
    a1 = tree.people.a1
    mark_paid(None, branch=tree.branch_a, kind="league", month=current_month(), person_ids=[a1.pk], paid_on=today())

    error = refused_unchanged(row_counts, lambda: _propose(users, a1), "is not on the lapse list")
    assert a1.name in " ".join(error.messages)
    response = api_for(users.secretary_a).post(
        "/api/lapse-cases/", {"person": a1.pk, "meeting_on": today().isoformat()}, format="json"
    )
    assert response.status_code == 400 and f"{a1.name} is not on the lapse list" in response.content.decode()
    assert not LapseCase.objects.exists()


def test_one_open_case_per_member_and_a_future_meeting_refused(tree, users, row_counts):
    import datetime

    a1 = tree.people.a1
    refused_unchanged(
        row_counts,
        lambda: services.propose(users.secretary_a, person=a1, meeting_on=today() + datetime.timedelta(days=1)),
        "is in the future",
    )
    _propose(users, a1)
    refused_unchanged(row_counts, lambda: _propose(users, a1), "already has a lapse case waiting")


def test_a_member_who_takes_part_again_before_the_approval_is_not_approved(tree, users, row_counts):
    a1 = tree.people.a1
    case = _propose(users, a1)
    mark_paid(None, branch=tree.branch_a, kind="league", month=current_month(), person_ids=[a1.pk], paid_on=today())

    refused_unchanged(row_counts, lambda: services.approve(users.committee_admin, case), "no longer on the lapse list")
    assert Person.objects.get(pk=a1.pk).status == MembershipStatus.ACTIVE


def test_rejection_leaves_the_member_active(tree, users, row_counts):
    a1 = tree.people.a1
    case = _propose(users, a1)
    refused_unchanged(row_counts, lambda: services.reject(users.committee_admin, case, reason=" "), "Say why")
    Notification.objects.all().delete()

    case = services.reject(users.committee_admin, case, reason="该团员已外出务工，支部尚未联系")

    assert (case.status, case.rejection_reason) == (LapseStatus.REJECTED, "该团员已外出务工，支部尚未联系")
    a1 = Person.objects.get(pk=a1.pk)
    assert a1.status == MembershipStatus.ACTIVE
    assert Membership.objects.get(person=a1).end is None
    assert list(Notification.objects.values_list("recipient", flat=True)) == [users.secretary_a.pk]
    # decided: no second decision, and the branch may propose him again later
    again = lambda: services.approve(users.committee_admin, case)  # noqa: E731
    refused_unchanged(row_counts, again, "already “Not approved by the committee”")
    assert _propose(users, a1).status == LapseStatus.PROPOSED


def test_the_branch_itself_does_not_decide(tree, users, client_for, api_for, row_counts):
    case = _propose(users, tree.people.a1)
    before = row_counts()

    assert api_for(users.secretary_a).post(f"/api/lapse-cases/{case.pk}/approve/", {}, format="json").status_code == 403
    assert client_for(users.secretary_a).post(f"/lifecycle/lapse/{case.pk}/approve/").status_code == 404
    page = client_for(users.secretary_a).get(f"/lifecycle/lapse/{case.pk}/").content.decode()
    assert 'data-testid="approve"' not in page and 'data-testid="waiting-note"' in page
    assert row_counts() == before
    assert LapseCase.objects.get(pk=case.pk).status == LapseStatus.PROPOSED


def test_out_of_scope_is_404(tree, users, client_for, api_for, row_counts):
    case = _propose(users, tree.people.a1)
    before = row_counts()
    for user in (users.outsider, users.secretary_b, users.member):
        client, api = client_for(user), api_for(user)
        assert client.get(f"/lifecycle/lapse/{case.pk}/").status_code == 404
        assert client.post(f"/lifecycle/lapse/{case.pk}/approve/").status_code == 404
        assert client.post(f"/lifecycle/lapse/{case.pk}/reject/", {"reason": "越权"}).status_code == 404
        assert client.get(f"/lifecycle/lapse/person/{tree.people.a2.pk}/").status_code == 404
        assert api.get(f"/api/lapse-cases/{case.pk}/").status_code == 404
        assert api.post(f"/api/lapse-cases/{case.pk}/approve/", {}, format="json").status_code == 404
    assert client_for(users.outsider).get("/lifecycle/lapse/?tab=all").content.decode().count(tree.people.a1.name) == 0
    assert api_for(users.outsider).get("/api/lapse-cases/").json()["results"] == []
    assert row_counts() == before
    assert LapseCase.objects.get(pk=case.pk).status == LapseStatus.PROPOSED


def test_from_the_lapse_list_to_the_approval_on_the_pages(tree, users, client_for):
    a1 = tree.people.a1
    secretary = client_for(users.secretary_a)
    listing = secretary.get(reverse("orglife:lapse")).content.decode()
    assert reverse("lifecycle:lapse_propose", args=[a1.pk]) in listing and 'data-testid="lapse-cases-link"' in listing

    url = reverse("lifecycle:lapse_propose", args=[a1.pk])
    assert 'data-testid="lapse-not-listed"' not in secretary.get(url).content.decode()
    response = secretary.post(url, {"meeting_on": today().isoformat(), "note": "支部大会表决通过"})

    case = LapseCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lifecycle/lapse/{case.pk}/"
    listing = secretary.get(reverse("orglife:lapse")).content.decode()
    assert f"/lifecycle/lapse/{case.pk}/" in listing and url not in listing  # proposed: the case, not the form again

    committee = client_for(users.committee_admin)
    home = committee.get(reverse("core:home")).content.decode()
    assert "Lapse cases to approve" in home
    page = committee.get(f"/lifecycle/lapse/{case.pk}/").content.decode()
    assert 'data-testid="approve"' in page and 'name="_ask"' in page  # asks first, with or without JavaScript
    assert a1.name in committee.get("/lifecycle/lapse/?tab=waiting").content.decode()

    unconfirmed = committee.post(f"/lifecycle/lapse/{case.pk}/approve/", {"_ask": "Approve the lapse?"})
    assert unconfirmed.status_code == 200 and LapseCase.objects.get().status == LapseStatus.PROPOSED
    committee.post(f"/lifecycle/lapse/{case.pk}/approve/", {"_ask": "Approve the lapse?", "_confirmed": "1"})

    assert LapseCase.objects.get().status == LapseStatus.APPROVED
    assert Person.objects.get(pk=a1.pk).status == MembershipStatus.LEFT


def test_the_propose_page_explains_a_member_not_on_the_list(tree, users, client_for):
    a2 = tree.people.a2
    mark_paid(None, branch=tree.branch_a, kind="league", month=current_month(), person_ids=[a2.pk], paid_on=today())
    url = reverse("lifecycle:lapse_propose", args=[a2.pk])
    page = client_for(users.secretary_a).get(url).content.decode()
    assert 'data-testid="lapse-not-listed"' in page and f"{a2.name} is not on the lapse list" in page
    page = client_for(users.secretary_a).post(url, {"meeting_on": today().isoformat()}).content.decode()
    assert f"{a2.name} is not on the lapse list" in page and not LapseCase.objects.exists()


def test_the_whole_way_through_the_api(tree, users, api_for):
    a1, a2 = tree.people.a1, tree.people.a2
    branch, committee = api_for(users.secretary_a), api_for(users.committee_admin)

    created = branch.post("/api/lapse-cases/", {"person": a1.pk, "meeting_on": today().isoformat(),
                                                "note": "支部大会决定"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["person_name"], body["status"], body["note"]) == (a1.name, "proposed", "支部大会决定")
    other = branch.post("/api/lapse-cases/", {"person": a2.pk, "meeting_on": today().isoformat()}, format="json")
    assert other.status_code == 201

    waiting = committee.get("/api/lapse-cases/?waiting=1").json()["results"]
    assert {row["id"] for row in waiting} == {body["id"], other.json()["id"]}
    assert branch.get("/api/lapse-cases/?waiting=1").json()["results"] == []  # the branch does not decide
    assert committee.get("/api/lapse-cases/?status=nonsense").status_code == 400

    approved = committee.post(f"/api/lapse-cases/{body['id']}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["decided_on"] == today().isoformat()
    assert Membership.objects.get(person=a1).end_reason == "lapsed"

    no_reason = committee.post(f"/api/lapse-cases/{other.json()['id']}/reject/", {}, format="json")
    assert no_reason.status_code == 400
    rejected = committee.post(f"/api/lapse-cases/{other.json()['id']}/reject/", {"reason": "已联系上"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["rejection_reason"] == "已联系上"
    assert Person.objects.get(pk=a2.pk).status == MembershipStatus.ACTIVE
    assert [row["status"] for row in committee.get("/api/lapse-cases/").json()["results"]] == ["rejected", "approved"]


def test_the_lists_read_a_fixed_number_of_queries(tree, users, client_for, api_for):
    """The cases page, the API list and the lapse list with its buttons cost the same for one case as for four."""
    client, api = client_for(users.committee_admin), api_for(users.committee_admin)
    urls = ["/lifecycle/lapse/?tab=all", "/api/lapse-cases/", reverse("orglife:lapse")]

    def queries() -> list[int]:
        counts = []
        for url in urls:
            caller = api if url.startswith("/api/") else client
            caller.get(url)  # the caches warm (rules, the navbar badge a new notification emptied), as in a server
            with CaptureQueriesContext(connection) as ctx:
                assert caller.get(url).status_code == 200
            counts.append(len(ctx.captured_queries))
        return counts

    _propose(users, tree.people.a1)
    one = queries()
    for name in ("甲三", "甲四", "甲五"):
        _propose(users, create_person(None, person_data(tree.branch_a, name=name, league_join_date=None)))
    four = queries()

    assert four == one
    assert all(name in client.get(urls[0]).content.decode() for name in ("甲三", "甲四", "甲五"))
