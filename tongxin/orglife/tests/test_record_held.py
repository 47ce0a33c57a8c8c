"""Issue 13: a meeting held yesterday that nobody planned is recorded directly, in one form (page) or one call
(API): planned and recorded in one transaction, every rule of both steps applied, nothing saved when one fails."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from tongxin.core.models import ChangeLog
from tongxin.orglife.models import Meeting, MeetingStatus

pytestmark = pytest.mark.django_db

FORMAT = "%Y-%m-%dT%H:%M"


def yesterday() -> datetime.datetime:
    return timezone.localtime() - datetime.timedelta(days=1)


def form(tree, when: datetime.datetime | None = None, **extra):
    data = {
        "kind": "league_day",
        "topic": "昨天的主题团日",
        "starts_at": (when or yesterday()).strftime(FORMAT),
        "place": "团委会议室",
        f"status-{tree.people.a1.pk}": "present",
        f"status-{tree.people.a2.pk}": "leave",
        f"reason-{tree.people.a2.pk}": "出差",
    }
    data.update(extra)
    return data


def test_a_secretary_records_yesterdays_meeting_in_one_form(client_for, users, tree):
    client = client_for(users.secretary_a)
    url = reverse("orglife:meeting_record_held", args=[tree.branch_a.pk])
    page = client.get(url).content.decode()
    assert tree.people.a1.name in page and tree.people.a2.name in page and 'name="topic"' in page
    response = client.post(url, form(tree))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orglife:meeting_detail", args=[meeting.pk])
    assert meeting.status == MeetingStatus.HELD and meeting.topic == "昨天的主题团日"
    assert (meeting.expected, meeting.present) == (2, 1)
    logged = ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Meeting), object_id=str(meeting.pk)
    )
    assert sorted(logged.values_list("action", flat=True)) == ["create", "update"]  # planned, then recorded


def test_nothing_is_saved_when_the_record_is_refused(client_for, users, tree):
    client = client_for(users.secretary_a)
    url = reverse("orglife:meeting_record_held", args=[tree.branch_a.pk])
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    response = client.post(url, form(tree, tomorrow))
    assert response.status_code == 400 and "会议时间尚未到" in response.content.decode()
    unmarked = form(tree)
    del unmarked[f"status-{tree.people.a2.pk}"]
    response = client.post(url, unmarked)
    assert response.status_code == 400 and tree.people.a2.name in response.content.decode()
    assert not Meeting.objects.exists()  # not even a planned one: both steps or neither


def test_the_plan_window_applies(client_for, users, tree):
    response = client_for(users.secretary_a).post(
        reverse("orglife:meeting_record_held", args=[tree.branch_a.pk]), form(tree, datetime.datetime(1990, 1, 1, 9))
    )
    assert response.status_code == 400 and not Meeting.objects.exists()


def test_another_branch_is_404(client_for, users, tree):
    url = reverse("orglife:meeting_record_held", args=[tree.branch_a.pk])
    assert client_for(users.secretary_b).get(url).status_code == 404
    assert client_for(users.secretary_b).post(url, form(tree)).status_code == 404
    assert client_for(users.member).get(url).status_code == 404
    assert not Meeting.objects.exists()


def test_the_calendar_and_the_workbench_offer_it(client_for, users, tree):
    client = client_for(users.secretary_a)
    url = reverse("orglife:meeting_record_held", args=[tree.branch_a.pk])
    assert f'href="{url}"' in client.get(reverse("orglife:meetings", args=[tree.branch_a.pk])).content.decode()
    assert f'href="{url}"' in client.get(reverse("core:home")).content.decode()


def test_the_api_records_a_held_meeting_in_one_call(api_for, users, tree):
    body = {
        "organization": tree.branch_a.pk,
        "kind": "league_day",
        "topic": "昨天的主题团日",
        "starts_at": yesterday().isoformat(),
        "attendance": [
            {"person": tree.people.a1.pk, "status": "present"},
            {"person": tree.people.a2.pk, "status": "absent", "reason": "生病"},
        ],
        "host": tree.people.a1.pk,
    }
    api = api_for(users.secretary_a)
    response = api.post("/api/meetings/record-held/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.data["status"] == "held" and len(response.data["attendance"]) == 2
    assert Meeting.objects.get().host_id == tree.people.a1.pk
    future = {**body, "starts_at": (timezone.localtime() + datetime.timedelta(days=1)).isoformat()}
    assert api.post("/api/meetings/record-held/", future, format="json").status_code == 400
    assert api_for(users.secretary_b).post("/api/meetings/record-held/", body, format="json").status_code == 400
    assert Meeting.objects.count() == 1
