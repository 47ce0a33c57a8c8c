"""Recording refused: a meeting dated in the future, someone who is not a member, a member left out, an absence
without reason, a meeting already recorded; nothing is written. Outsiders may not plan or record."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.orglife.models import Attendance, Meeting, MeetingStatus
from tongxin.orglife.services import meetings as services
from tongxin.orglife.tests.meeting_helpers import planned

pytestmark = pytest.mark.usefixtures("english")


def _all_present(tree):
    return {tree.people.a1.pk: ("present", ""), tree.people.a2.pk: ("present", "")}


def _unchanged(meeting: Meeting, logs: int) -> None:
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED and meeting.expected == 0
    assert not Attendance.objects.filter(meeting=meeting).exists()
    assert ChangeLog.objects.count() == logs


def test_a_future_meeting_cannot_be_recorded_as_held(tree, users):
    meeting = planned(users.secretary_a, tree.branch_a, when=timezone.now() + datetime.timedelta(days=1))
    logs = ChangeLog.objects.count()
    with pytest.raises(DomainError, match="future") as refused:
        services.record_meeting(users.secretary_a, meeting, attendance=_all_present(tree))
    assert "starts_at" in refused.value.errors
    _unchanged(meeting, logs)
    with pytest.raises(DomainError, match="future"):  # nor by moving a past one into the future
        services.record_meeting(users.secretary_a, planned(users.secretary_a, tree.branch_a),
                                attendance=_all_present(tree),
                                starts_at=timezone.now() + datetime.timedelta(hours=1))  # fmt: skip


def test_attendance_of_a_non_member_is_refused_by_name_and_nothing_written(tree, users):
    meeting = planned(users.secretary_a, tree.branch_a)
    logs = ChangeLog.objects.count()
    marks = {**_all_present(tree), tree.people.b1.pk: ("present", "")}
    with pytest.raises(DomainError) as refused:
        services.record_meeting(users.secretary_a, meeting, attendance=marks)
    message = " ".join(refused.value.messages)
    assert "Not active members of the organising organisations" in message
    assert f"#{tree.people.b1.pk}" in message  # secretary A may not see b1's name: named by number
    _unchanged(meeting, logs)
    with pytest.raises(DomainError, match=tree.people.b1.name):  # the committee admin sees the name
        services.record_meeting(users.committee_admin, meeting, attendance=marks)


def test_a_member_left_out_is_named(tree, users):
    meeting = planned(users.secretary_a, tree.branch_a)
    with pytest.raises(DomainError, match=f"Mark the attendance of: {tree.people.a2.name}"):
        services.record_meeting(users.secretary_a, meeting, attendance={tree.people.a1.pk: ("present", "")})


def test_absent_needs_a_reason(tree, users):
    meeting = planned(users.secretary_a, tree.branch_a)
    logs = ChangeLog.objects.count()
    marks = {tree.people.a1.pk: ("present", ""), tree.people.a2.pk: ("absent", "  ")}
    with pytest.raises(DomainError, match=f"reason for each absence: {tree.people.a2.name}"):
        services.record_meeting(users.secretary_a, meeting, attendance=marks)
    _unchanged(meeting, logs)
    with pytest.raises(DomainError, match="present, on leave or absent"):
        services.record_meeting(users.secretary_a, meeting, attendance={**marks, tree.people.a2.pk: ("late", "")})


def test_a_meeting_is_recorded_once(tree, users):
    meeting = planned(users.secretary_a, tree.branch_a)
    services.record_meeting(users.secretary_a, meeting, attendance=_all_present(tree))
    with pytest.raises(DomainError, match="already “Held”"):
        services.record_meeting(users.committee_admin, meeting, attendance=_all_present(tree))
    with pytest.raises(DomainError, match="already “Held”"):
        services.cancel_meeting(users.secretary_a, meeting)
    assert Attendance.objects.filter(meeting=meeting).count() == 2


def test_outsiders_may_not_plan_record_or_cancel(tree, users):
    with pytest.raises(PermissionDenied):
        planned(users.outsider, tree.branch_a)
    with pytest.raises(PermissionDenied):
        planned(users.secretary_b, tree.branch_a)
    meeting = planned(users.secretary_a, tree.branch_a)
    for who in (users.outsider, users.secretary_b, users.viewer, users.member):
        with pytest.raises(PermissionDenied):
            services.record_meeting(who, meeting, attendance=_all_present(tree))
        with pytest.raises(PermissionDenied):
            services.cancel_meeting(who, meeting)
    _unchanged(meeting, ChangeLog.objects.count())
