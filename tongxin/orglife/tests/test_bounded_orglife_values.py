"""Issue 12 §3: meetings planned in year 1 or 9999, checklist deadlines likewise and a 10,000-character lecturer
were written (the lecturer cut to 100 characters); each is now refused, on the page and the API, naming the
field and the rule, with nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.core.models import ChangeLog
from tongxin.core.tests.scope_walk import _meeting_of_branch_a
from tongxin.orglife.models import ChecklistItem, Meeting

YEARS = [pytest.param(1, id="year-1"), pytest.param(9999, id="year-9999")]


def _counts():
    return Meeting.objects.count(), ChecklistItem.objects.count(), ChangeLog.objects.count()


@pytest.mark.parametrize("year", YEARS)
def test_a_meeting_planned_in_an_absurd_year_is_refused_on_the_page(tree, users, client_for, english, year):
    before = _counts()
    url = reverse("orglife:meeting_plan", kwargs={"pk": tree.branch_a.pk})
    response = client_for(users.secretary_a).post(
        url, {"kind": "league_day", "starts_at": f"{year:04d}-06-10T09:00", "topic": "团日"}
    )
    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize("year", YEARS)
def test_a_meeting_planned_in_an_absurd_year_is_refused_by_the_api(tree, users, api_for, english, year):
    before = _counts()
    response = api_for(users.secretary_a).post(
        "/api/meetings/",
        {"organization": tree.branch_a.pk, "kind": "league_day", "starts_at": f"{year:04d}-06-10T09:00:00+08:00",
         "topic": "团日"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400, response.content
    assert "Enter a date between" in str(response.json()["starts_at"])
    assert _counts() == before


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"])
def test_a_moment_with_no_utc_equivalent_is_refused_not_a_server_error(tree, users, api_for, english, starts_at):
    """DRF converts a date and time to UTC before any validator runs: year 1 at midnight in +08:00 (the
    server's zone for a naive value) and the last moment of 9999 in -12:00 overflow there (a 500 once,
    found by schemathesis' boundary dates)."""
    before = _counts()
    response = api_for(users.secretary_a).post(
        "/api/meetings/",
        {"organization": tree.branch_a.pk, "kind": "league_day", "starts_at": starts_at, "topic": "团日"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["starts_at"]  # the field is named (DRF words the 9999 case itself)
    assert _counts() == before


def test_a_meeting_beyond_the_plan_window_is_refused_by_the_service(tree, users, api_for, english):
    """Inside the wide window every form accepts, outside the plan window (today ± 5 years) of a meeting."""
    later = timezone.localdate().year + 8
    response = api_for(users.secretary_a).post(
        "/api/meetings/",
        {"organization": tree.branch_a.pk, "kind": "league_day", "starts_at": f"{later}-06-10T09:00:00+08:00",
         "topic": "团日"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "Enter a date between" in str(response.json()["starts_at"])


@pytest.mark.parametrize("year", YEARS)
def test_a_checklist_deadline_in_an_absurd_year_is_refused_on_the_page(tree, users, client_for, english, year):
    before = _counts()
    url = reverse("orglife:checklists", kwargs={"pk": tree.branch_a.pk})
    response = client_for(users.secretary_a).post(
        url, {"kind": "project", "content": "项目", "owner": "", "deadline": f"{year:04d}-03-01"}
    )
    assert "Enter a date between" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize("year", YEARS)
def test_a_checklist_deadline_in_an_absurd_year_is_refused_by_the_api(tree, users, api_for, english, year):
    before = _counts()
    response = api_for(users.secretary_a).post(
        "/api/checklist-items/",
        {"organization": tree.branch_a.pk, "kind": "project", "content": "项目", "deadline": f"{year:04d}-03-01"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "Enter a date between" in str(response.json()["deadline"])
    assert _counts() == before


def test_a_10000_character_lecturer_is_refused_on_the_page_not_cut(tree, users, client_for, english):
    meeting = _meeting_of_branch_a(tree)
    meeting.kind = "league_lesson"
    meeting.save(update_fields=["kind"])
    before = _counts()
    response = client_for(users.secretary_a).post(
        reverse("orglife:meeting_record", kwargs={"pk": meeting.pk}),
        {
            "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "lecturer": "讲" * 10_000,
            f"status-{tree.people.a1.pk}": "present",
            f"status-{tree.people.a2.pk}": "present",
        },
    )
    assert response.status_code == 400  # the record page answers its errors with 400
    assert "Enter at most 100 characters (this has 10000)" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "planned" and meeting.lecturer == ""
    assert _counts() == before


def test_a_10000_character_lecturer_is_refused_by_the_api(tree, users, api_for, english):
    meeting = _meeting_of_branch_a(tree)
    response = api_for(users.secretary_a).post(
        f"/api/meetings/{meeting.pk}/record/",
        {"lecturer": "讲" * 10_000, "attendance": [{"person": tree.people.a1.pk, "status": "present"},
                                                  {"person": tree.people.a2.pk, "status": "present"}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "lecturer" in response.json()
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_a_host_id_beyond_any_id_is_no_server_error(tree, users, client_for):
    meeting = _meeting_of_branch_a(tree)
    response = client_for(users.secretary_a).post(
        reverse("orglife:meeting_record", kwargs={"pk": meeting.pk}),
        {
            "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "host": "99999999999999999999",
            f"status-{tree.people.a1.pk}": "present",
            f"status-{tree.people.a2.pk}": "present",
        },
    )
    assert response.status_code in (200, 302, 400)


def test_a_meeting_in_the_plan_window_is_planned(tree, users, api_for):
    day = timezone.localdate() + datetime.timedelta(days=30)
    response = api_for(users.secretary_a).post(
        "/api/meetings/",
        {"organization": tree.branch_a.pk, "kind": "league_day", "starts_at": f"{day}T09:00:00+08:00", "topic": "团日"},
        format="json",
    )
    assert response.status_code == 201, response.content
