"""The seven requests of issue 12 §3 that answered 500 from a parameter (the eighth, a NUL in an imported name,
is a write: the normaliser's tests): each now answers the page (a message, the current month) or a 400 in
JSON naming the field, and writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongxin.core import params
from tongxin.core.tests.scope_walk import _meeting_of_branch_a
from tongxin.lifecycle.models import DuesPayment

MONTHS = ["9999-12", "0001-01"]


@pytest.fixture
def admin(users, client_for):
    return client_for(users.committee_admin)


def _says_why(response) -> bool:
    return any("yyyy-mm" in str(message) for message in response.context["messages"])


@pytest.mark.parametrize("month", MONTHS)
def test_meetings_calendar_month_out_of_window(admin, tree, english, month):
    response = admin.get(reverse("orglife:meetings", args=[tree.branch_a.pk]), {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == params.current_month()  # the page answers, this month
    assert _says_why(response)


@pytest.mark.parametrize("month", MONTHS)
def test_dues_summary_month_out_of_window(admin, tree, english, month):
    response = admin.get(reverse("lifecycle:dues_summary", args=[tree.committee1.pk]), {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == params.current_month()
    assert _says_why(response)


@pytest.mark.parametrize("month", MONTHS)
def test_dues_summary_export_month_out_of_window(admin, tree, month):
    response = admin.get(reverse("lifecycle:dues_summary_export", args=[tree.committee1.pk]), {"month": month})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("month", MONTHS)
def test_dues_month_page_out_of_window(admin, tree, month):
    response = admin.get(f"/lifecycle/dues/{tree.branch_a.pk}/{month}/")
    assert response.status_code == 404  # a month outside the window is no page, like 2025-13


@pytest.mark.parametrize("month", MONTHS)
def test_mark_paid_month_out_of_window(users, tree, api_for, english, month):
    body = {"branch": tree.branch_a.pk, "month": month, "person_ids": [tree.people.a1.pk]}
    response = api_for(users.committee_admin).post(reverse("dues-payment-mark-paid"), body, format="json")
    assert response.status_code == 400
    assert "month" in response.json()
    assert not DuesPayment.objects.exists()


def test_meetings_api_starts_after_year_one(users, tree, api_for, english):
    response = api_for(users.committee_admin).get(reverse("meeting-list"), {"starts_after": "0001-01-01"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "starts_after" in response.json()


def test_meeting_record_host_id_outside_the_column(admin, tree, english):
    meeting = _meeting_of_branch_a(tree)
    response = admin.post(
        reverse("orglife:meeting_record", args=[meeting.pk]),
        {"starts_at": "2025-01-10T09:00", "host": "99999999999999999999", f"status-{tree.people.a1.pk}": "present"},
    )
    assert response.status_code in (200, 302, 400)
    meeting.refresh_from_db()
    assert meeting.host_id is None
