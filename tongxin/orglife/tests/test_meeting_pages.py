"""Meeting pages and API: the calendar with overdue ones, planning, recording (one row per member), the
meeting's page, cancelling; outsiders get 404; the API lists, plans and records within the scope."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.orglife.models import Attendance, Meeting, MeetingKind, MeetingStatus
from tongxin.orglife.services import meetings as services
from tongxin.orglife.tests.meeting_helpers import past, planned

pytestmark = pytest.mark.usefixtures("english")


def test_calendar_groups_by_day_and_flags_overdue(tree, users, client_for):
    late = planned(users.secretary_a, tree.branch_a, when=past(24 * 40))
    soon = planned(users.secretary_a, tree.branch_a, when=timezone.now() + datetime.timedelta(minutes=30))
    client = client_for(users.secretary_a)
    page = client.get(reverse("orglife:meetings", args=[tree.branch_a.pk])).content.decode()
    assert 'data-testid="overdue"' in page and reverse("orglife:meeting_detail", args=[late.pk]) in page
    calendar = reverse("orglife:meetings", args=[tree.branch_a.pk])
    soon_month = timezone.localtime(soon.starts_at).strftime("%Y-%m")
    page = client.get(f"{calendar}?month={soon_month}").content.decode()
    assert reverse("orglife:meeting_detail", args=[soon.pk]) in page
    month = timezone.localtime(late.starts_at).strftime("%Y-%m")
    page = client.get(f"{calendar}?month={month}").content.decode()
    assert "list-group-item-danger" in page and "Overdue" in page
    org_page = client.get(reverse("orgs:detail", args=[tree.branch_a.pk])).content.decode()
    assert reverse("orglife:meetings", args=[tree.branch_a.pk]) in org_page


def test_plan_record_and_see_it_held_through_the_pages(tree, users, client_for):
    client = client_for(users.secretary_a)
    when = timezone.localtime(past(1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("orglife:meeting_plan", args=[tree.branch_a.pk]),
        {"kind": MeetingKind.LEAGUE_GENERAL, "starts_at": when, "topic": "团员大会", "place": "活动室"},
    )
    meeting = Meeting.objects.get(topic="团员大会")
    assert response.status_code == 302 and response["Location"] == reverse("orglife:meeting_detail", args=[meeting.pk])

    record = reverse("orglife:meeting_record", args=[meeting.pk])
    form = client.get(record).content.decode()
    assert f'name="status-{tree.people.a1.pk}"' in form and f'name="status-{tree.people.a2.pk}"' in form
    assert "checked" in client.get(record + "?all=present").content.decode()

    a1, a2 = tree.people.a1.pk, tree.people.a2.pk
    values = {"starts_at": when, "place": "活动室", "host": str(a1), "recorder": "", "minutes": "<p>记录</p>"}
    refused = client.post(record, {**values, f"status-{a1}": "present", f"status-{a2}": "absent"})
    assert refused.status_code == 400 and "Give the reason for each absence" in refused.content.decode()
    assert not Attendance.objects.exists()
    response = client.post(record, {**values, f"status-{a1}": "present", f"status-{a2}": "absent",
                                     f"reason-{a2}": "生病"})  # fmt: skip
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.expected, meeting.present, meeting.quorum_met) == ("held", 2, 1, False)
    assert meeting.host_id == a1
    page = client.get(reverse("orglife:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Quorum not met" in page and "生病" in page and "<p>记录</p>" in page
    assert client.get(record).status_code == 302  # recorded once: back to the meeting


def test_plan_a_joint_activity_by_codes(tree, users, client_for):
    client = client_for(users.district)
    url = reverse("orglife:meeting_plan", args=[tree.branch_a.pk])
    when = timezone.localtime(past(1)).strftime("%Y-%m-%dT%H:%M")
    data = {"kind": MeetingKind.JOINT_ACTIVITY, "starts_at": when, "topic": "党团共建", "joint_with": "TP"}
    assert client.post(url, data).status_code == 302
    assert set(Meeting.objects.get(topic="党团共建").organizations.all()) == {tree.branch_a, tree.party_branch}
    secretary = client_for(users.secretary_a)
    page = secretary.post(url, {**data, "topic": "越权共建"}).content.decode()
    assert "No organisation you may plan for has the code TP" in page
    assert not Meeting.objects.filter(topic="越权共建").exists()


def test_cancel_a_planned_meeting(tree, users, client_for):
    meeting = planned(users.secretary_a, tree.branch_a)
    client = client_for(users.secretary_a)
    assert client.post(reverse("orglife:meeting_cancel", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_outsiders_get_404(tree, users, client_for):
    meeting = planned(users.secretary_a, tree.branch_a)
    urls = [
        reverse("orglife:meetings", args=[tree.branch_a.pk]),
        reverse("orglife:meeting_plan", args=[tree.branch_a.pk]),
        reverse("orglife:meeting_detail", args=[meeting.pk]),
        reverse("orglife:meeting_record", args=[meeting.pk]),
    ]
    for who in ("outsider", "secretary_b", "member", "nobody"):
        client = client_for(getattr(users, who))
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(reverse("orglife:meeting_cancel", args=[meeting.pk])).status_code == 404
    viewer = client_for(users.viewer)  # sees it, may not record it
    assert viewer.get(reverse("orglife:meeting_detail", args=[meeting.pk])).status_code == 200
    assert viewer.get(reverse("orglife:meeting_record", args=[meeting.pk])).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_api_plans_records_and_shows_attendance(tree, users, api_for, django_assert_max_num_queries):
    api = api_for(users.secretary_a)
    plan = {"organization": tree.branch_a.pk, "kind": "league_general", "starts_at": past(1).isoformat()}
    response = api.post("/api/meetings/", {**plan, "topic": "接口大会"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    a1, a2 = tree.people.a1.pk, tree.people.a2.pk
    bad = api.post(f"/api/meetings/{pk}/record/", {"attendance": [{"person": a1, "status": "present"}]}, format="json")
    assert bad.status_code == 400 and "attendance" in bad.json()
    response = api.post(
        f"/api/meetings/{pk}/record/",
        {"attendance": [{"person": a1, "status": "present"}, {"person": a2, "status": "present"}], "host": a1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["expected"], body["present"], body["quorum_met"]) == ("held", 2, 2, True)
    assert {row["person"] for row in body["attendance"]} == {a1, a2}
    again = api.post(f"/api/meetings/{pk}/record/", {"attendance": []}, format="json")
    assert again.status_code == 400 and "already" in str(again.json())

    for _n in range(5):
        planned(users.secretary_a, tree.branch_a)
    with django_assert_max_num_queries(8):
        listing = api.get(f"/api/meetings/?organization={tree.branch_a.pk}")
    assert listing.json()["count"] == 6
    assert api.get(f"/api/meetings/{pk}/").json()["attendance"][0]["person_name"]


def test_api_is_scoped(tree, users, api_for):
    meeting = planned(users.secretary_a, tree.branch_a)
    for who in ("outsider", "secretary_b", "member", "nobody"):
        api = api_for(getattr(users, who))
        assert api.get(f"/api/meetings/{meeting.pk}/").status_code == 404
        assert api.post(f"/api/meetings/{meeting.pk}/record/", {"attendance": []}, format="json").status_code == 404
        assert meeting.pk not in {row["id"] for row in api.get("/api/meetings/").json()["results"]}
        plan = {"organization": tree.branch_a.pk, "kind": "league_day", "starts_at": past(1).isoformat()}
        response = api.post("/api/meetings/", {**plan, "topic": "越权"}, format="json")
        assert response.status_code == 400 and "organization" in response.json()
    assert not Meeting.objects.filter(topic="越权").exists()
    assert services.overdue(Meeting.objects.all()).count() == 1
