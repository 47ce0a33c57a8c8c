"""A volunteer asks for a correction of his hours, with a bounded reason; an organiser of the activity decides it
(accepted with the corrected hours within the activity's length, or rejected), with a reason, never the volunteer
himself; the record shows the correction, verified and supplementary hours apart; the organiser's inbox lists it
and the volunteer is told the answer. Pages and API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tongxin.activities import services
from tongxin.activities.models import CorrectionStatus, HoursCorrection, Registration
from tongxin.activities.tests.helpers import make_activity
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, Notification

pytestmark = pytest.mark.usefixtures("english")


def _confirmed(tree, users, person_user=None):
    activity = make_activity(tree, hours_ago=2, length_hours=3)
    registration = services.register(None, activity, person_user.person if person_user else tree.people.a2)
    services.confirm(users.secretary_a, registration)
    return activity, Registration.objects.get(pk=registration.pk)


def test_asked_accepted_shown_apart_and_told(tree, users):
    _activity, registration = _confirmed(tree, users)
    Registration.objects.filter(pk=registration.pk).update(verified_hours=Decimal("1.00"))
    correction = services.request_correction(users.member, registration, "忘记签退，实际服务到活动结束", "3")
    assert correction.status == CorrectionStatus.PENDING and correction.requested_hours == Decimal("3.00")
    assert [item.count for item in services.pending_corrections(users.secretary_a)] == [1]
    assert services.pending_corrections(users.secretary_b) == []
    decided = services.decide_correction(users.secretary_a, correction, accept=True, reason="负责人核实", hours="2.5")
    assert decided.status == CorrectionStatus.ACCEPTED and decided.decided_hours == Decimal("2.50")
    assert decided.hours_before == Decimal("1.00")
    record = Registration.objects.get(pk=registration.pk)
    assert (record.verified_hours, record.supplementary_hours) == (Decimal("1.00"), Decimal("1.50"))
    assert "负责人核实" in record.supplementary_reason
    assert Notification.objects.filter(recipient=users.member, text__contains="accepted").exists()
    assert ChangeLog.objects.filter(content_type__model="hourscorrection", object_id=str(correction.pk)).count() == 2
    assert services.pending_corrections(users.secretary_a) == []


def test_rejected_with_a_reason_leaves_the_hours(tree, users):
    _activity, registration = _confirmed(tree, users)
    correction = services.request_correction(users.member, registration, "我觉得应该更多")
    with pytest.raises(DomainError, match="reason"):
        services.decide_correction(users.secretary_a, correction, accept=False, reason="  ")
    decided = services.decide_correction(users.secretary_a, correction, accept=False, reason="签到记录无误")
    assert decided.status == CorrectionStatus.REJECTED and decided.decided_hours is None
    assert Registration.objects.get(pk=registration.pk).total_hours == 0
    assert Notification.objects.filter(recipient=users.member, text__contains="签到记录无误").exists()
    with pytest.raises(DomainError, match="already"):
        services.decide_correction(users.secretary_a, correction, accept=True, reason="改主意", hours="1")


def test_hours_beyond_the_activitys_length_or_below_the_verified_are_refused(tree, users):
    _activity, registration = _confirmed(tree, users)
    with pytest.raises(DomainError, match=r"At most the activity's 3\.00 hours"):
        services.request_correction(users.member, registration, "多算一点", "3.5")
    assert not HoursCorrection.objects.exists()
    Registration.objects.filter(pk=registration.pk).update(verified_hours=Decimal("2.00"))
    correction = services.request_correction(users.member, registration, "少记了")
    for hours, message in (
        ("3.01", "At most the activity's"),
        ("1.5", "At least the 2.00 verified hours"),
        ("-1", "as a number"),
        ("abc", "as a number"),
        ("", "Give the corrected hours"),
    ):
        with pytest.raises(DomainError, match=message):
            services.decide_correction(users.secretary_a, correction, accept=True, reason="核实", hours=hours)
    assert HoursCorrection.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING
    assert Registration.objects.get(pk=registration.pk).supplementary_hours == 0


def test_the_reason_is_bounded_and_one_request_waits_at_a_time(tree, users):
    _activity, registration = _confirmed(tree, users)
    with pytest.raises(DomainError):
        services.request_correction(users.member, registration, "长" * (services.CORRECTION_REASON_MAX + 1))
    with pytest.raises(DomainError, match="Say what is wrong"):
        services.request_correction(users.member, registration, " ")
    services.request_correction(users.member, registration, "少记了")
    with pytest.raises(DomainError, match="already asked"):
        services.request_correction(users.member, registration, "再问一次")
    assert HoursCorrection.objects.count() == 1


def test_only_the_volunteer_asks_and_never_decides_his_own(tree, users, selves):
    # the second secretary of branch A is person a1: he asks about his own hours and may not decide them
    _activity, registration = _confirmed(tree, users, selves.secretary)
    with pytest.raises(DomainError, match="Only the volunteer himself"):
        services.request_correction(users.secretary_a, registration, "替他申请")
    correction = services.request_correction(selves.secretary, registration, "忘记签退")
    with pytest.raises(DomainError, match="concerns you personally"):
        services.decide_correction(selves.secretary, correction, accept=True, reason="自己批", hours="3")
    assert Registration.objects.get(pk=registration.pk).supplementary_hours == 0
    assert HoursCorrection.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING
    assert services.pending_corrections(selves.secretary) == []  # not in his own inbox
    with pytest.raises(PermissionDenied):
        services.decide_correction(users.secretary_b, correction, accept=False, reason="越权")
    services.decide_correction(users.secretary_a, correction, accept=True, reason="核实", hours="3")
    assert Registration.objects.get(pk=registration.pk).total_hours == Decimal("3.00")


def test_pages(tree, users, client_for):
    activity, registration = _confirmed(tree, users)
    member = client_for(users.member)
    assert (
        f"/activities/registrations/{registration.pk}/correction/" in member.get("/activities/mine/").content.decode()
    )
    answer = member.post(
        f"/activities/registrations/{registration.pk}/correction/", {"reason": "忘记签退", "hours": "2"}, follow=True
    )
    assert answer.status_code == 200
    correction = HoursCorrection.objects.get()
    organiser = client_for(users.secretary_a)
    assert f"/activities/corrections/{correction.pk}/" in organiser.get(f"/activities/{activity.pk}/").content.decode()
    page = organiser.get(f"/activities/corrections/{correction.pk}/").content.decode()
    assert "data-confirm" in page and "忘记签退" in page
    too_long = organiser.post(
        f"/activities/corrections/{correction.pk}/decide/",
        {"decision": "accept", "hours": "9", "reason": "核实"},
        follow=True,
    )
    assert "At most the activity" in too_long.content.decode()
    organiser.post(
        f"/activities/corrections/{correction.pk}/decide/", {"decision": "accept", "hours": "2", "reason": "核实"}
    )
    assert "0.00 h → 2.00 h" in organiser.get(f"/activities/{activity.pk}/").content.decode()  # the record shows it
    mine = client_for(users.member).get("/activities/mine/").content.decode()  # one client: log the member in again
    assert "0.00 h → 2.00 h" in mine and "Accepted" in mine
    # someone else's registration: the organiser sees the record, no form; a POST is refused, nothing written
    organiser = client_for(users.secretary_a)
    page = organiser.get(f"/activities/registrations/{registration.pk}/correction/").content.decode()
    assert "Only the volunteer himself" in page and 'name="reason"' not in page
    refused = organiser.post(f"/activities/registrations/{registration.pk}/correction/", {"reason": "替他申请"})
    assert "Only the volunteer himself" in refused.content.decode()
    assert HoursCorrection.objects.count() == 1


def test_api(tree, users, api_for, selves):
    _activity, registration = _confirmed(tree, users)
    asked = api_for(users.member).post(
        f"/api/registrations/{registration.pk}/request-correction/", {"reason": "忘记签退", "hours": "9"}, format="json"
    )
    assert asked.status_code == 400 and "At most" in str(asked.json())
    asked = api_for(users.member).post(
        f"/api/registrations/{registration.pk}/request-correction/", {"reason": "忘记签退", "hours": "2"}, format="json"
    )
    assert asked.status_code == 200 and asked.json()["status"] == "pending"
    pk = asked.json()["id"]
    assert [row["id"] for row in api_for(users.member).get("/api/hours-corrections/").json()["results"]] == [pk]
    assert api_for(users.secretary_b).get(f"/api/hours-corrections/{pk}/").status_code == 404
    assert api_for(users.member).post(
        f"/api/hours-corrections/{pk}/decide/", {"accept": True, "hours": "2", "reason": "我自己"}, format="json"
    ).status_code in (403, 404)
    decided = api_for(users.secretary_a).post(
        f"/api/hours-corrections/{pk}/decide/", {"accept": True, "hours": "2", "reason": "核实"}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    assert decided.json()["decided_hours"] == "2.00"
