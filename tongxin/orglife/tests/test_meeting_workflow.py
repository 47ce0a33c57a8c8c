"""Plan → record → held: counts, the quorum flag both ways, joint activities, minutes, the overdue list, and
the query count of recording (constant in the number of members)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongxin.core.models import ChangeLog, Notification
from tongxin.core.testing import person_data
from tongxin.orglife.models import Attendance, Meeting, MeetingKind, MeetingStatus
from tongxin.orglife.services import meetings as services
from tongxin.orglife.tests.meeting_helpers import party_member, past, planned
from tongxin.people.services import appoint_cadre, create_person

pytestmark = pytest.mark.usefixtures("english")


def test_plan_then_record_a_general_meeting_with_quorum(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    meeting = planned(users.secretary_a, tree.branch_a, MeetingKind.LEAGUE_GENERAL)
    assert meeting.status == MeetingStatus.PLANNED
    assert list(meeting.organizations.all()) == [tree.branch_a]

    held = services.record_meeting(
        users.secretary_a, meeting, attendance={a1.pk: ("present", ""), a2.pk: ("present", "")}, host=a1,
        recorder=a2, minutes="<p>议程</p>", place="团委会议室",
    )  # fmt: skip
    held.refresh_from_db()
    assert (held.status, held.expected, held.present, held.quorum_met) == ("held", 2, 2, True)
    assert (held.host, held.recorder, held.place) == (a1, a2, "团委会议室")
    assert set(Attendance.objects.filter(meeting=held).values_list("person_id", "status")) == {
        (a1.pk, "present"),
        (a2.pk, "present"),
    }
    assert ChangeLog.objects.filter(object_id=str(held.pk), action="update").exists()


def test_general_meeting_with_half_present_misses_the_quorum(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    meeting = planned(users.secretary_a, tree.branch_a, MeetingKind.LEAGUE_GENERAL)
    held = services.record_meeting(
        users.secretary_a, meeting, attendance={a1.pk: ("present", ""), a2.pk: ("leave", "出差")}
    )
    assert (held.expected, held.present, held.quorum_met) == (2, 1, False)
    assert Attendance.objects.get(meeting=held, person=a2).reason == "出差"


def test_committee_meeting_quorum_counts_the_current_committee(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    appoint_cadre(None, person=a1, organization=tree.branch_a, title="secretary", start=datetime.date(2024, 1, 1))
    met = services.record_meeting(
        users.secretary_a, planned(users.secretary_a, tree.branch_a, MeetingKind.LEAGUE_COMMITTEE),
        attendance={a1.pk: ("present", ""), a2.pk: ("absent", "未请假")},
    )  # fmt: skip
    assert met.quorum_met is True
    missed = services.record_meeting(
        users.secretary_a, planned(users.secretary_a, tree.branch_a, MeetingKind.LEAGUE_COMMITTEE),
        attendance={a1.pk: ("leave", "病假"), a2.pk: ("present", "")},
    )  # fmt: skip
    assert (missed.present, missed.quorum_met) == (1, False)


def test_other_kinds_have_no_quorum_flag(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    held = services.record_meeting(users.secretary_a, planned(users.secretary_a, tree.branch_a),
                                   attendance={a1.pk: ("present", ""), a2.pk: ("present", "")})  # fmt: skip
    assert held.quorum_met is None


def test_a_lesson_names_its_lecturer(tree, users, english):
    from tongxin.core.exceptions import DomainError

    a1, a2 = tree.people.a1, tree.people.a2
    meeting = planned(users.secretary_a, tree.branch_a, MeetingKind.LEAGUE_LESSON)
    marks = {a1.pk: ("present", ""), a2.pk: ("present", "")}
    with pytest.raises(DomainError, match="lecturer"):
        services.record_meeting(users.secretary_a, meeting, attendance=marks)
    held = services.record_meeting(users.secretary_a, meeting, attendance=marks, lecturer="王老师")
    assert held.lecturer == "王老师"


def test_kinds_must_suit_the_organisation(tree, users):
    from tongxin.core.exceptions import DomainError

    with pytest.raises(DomainError, match="league organisations hold league meetings"):
        planned(users.secretary_a, tree.branch_a, MeetingKind.PARTY_DAY)
    with pytest.raises(DomainError, match="league organisations hold league meetings"):
        planned(users.district, tree.party_branch, MeetingKind.LEAGUE_DAY)
    assert planned(users.district, tree.party_branch, MeetingKind.PARTY_DAY).kind == "party_day"
    with pytest.raises(DomainError, match="joint activity"):
        planned(users.secretary_a, tree.branch_a, MeetingKind.JOINT_ACTIVITY)
    with pytest.raises(DomainError, match="joint activity"):
        planned(users.district, tree.branch_a, MeetingKind.LEAGUE_DAY, organizations=[tree.party_branch])
    assert not Meeting.objects.filter(organization=tree.branch_a).exists()


def test_joint_activity_of_branch_a_and_the_party_branch(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    p1 = party_member(tree)
    with pytest.raises(PermissionDenied) as refused:  # secretary A may not plan for the party branch
        planned(users.secretary_a, tree.branch_a, MeetingKind.JOINT_ACTIVITY, organizations=[tree.party_branch])
    assert type(refused.value).__name__ == "PermissionDenied"

    meeting = planned(users.district, tree.branch_a, MeetingKind.JOINT_ACTIVITY, organizations=[tree.party_branch])
    assert set(meeting.organizations.all()) == {tree.branch_a, tree.party_branch}
    assert services.of_organization(Meeting.objects.all(), tree.party_branch).get() == meeting
    held = services.record_meeting(
        users.secretary_a, meeting,
        attendance={a1.pk: ("present", ""), a2.pk: ("absent", "加班"), p1.pk: ("present", "")},
    )  # fmt: skip
    assert (held.expected, held.present, held.quorum_met) == (3, 2, None)
    assert Attendance.objects.get(meeting=held, person=p1).org_path == tree.party_branch.path


def test_joint_activity_notifies_the_other_organisation(tree, users):
    from tongxin.accounts.models import Role, RoleAssignment, User

    party_secretary = User.objects.create(username="party_secretary")
    RoleAssignment.objects.create(user=party_secretary, organization=tree.party_branch, role=Role.SECRETARY)
    planned(users.district, tree.branch_a, MeetingKind.JOINT_ACTIVITY, organizations=[tree.party_branch])
    assert Notification.objects.filter(recipient=party_secretary).count() == 1


def test_minutes_are_sanitised(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    minutes = (
        '<p onclick="x()">会议<strong>决定</strong></p><script>alert(1)</script><ul><li>一</li></ul>'
        '<a href="javascript:alert(1)">坏链接</a><img src=x onerror=alert(1)><style>p{}</style>'
    )
    held = services.record_meeting(users.secretary_a, planned(users.secretary_a, tree.branch_a),
                                   attendance={a1.pk: ("present", ""), a2.pk: ("present", "")},
                                   minutes=minutes)  # fmt: skip
    held.refresh_from_db()
    assert "<script" not in held.minutes and "alert" not in held.minutes
    assert "onclick" not in held.minutes and "<img" not in held.minutes and "<style" not in held.minutes
    assert "<p>会议<strong>决定</strong></p>" in held.minutes and "<li>一</li>" in held.minutes


def test_overdue_lists_planned_meetings_whose_time_has_passed(tree, users):
    late = planned(users.secretary_a, tree.branch_a, when=past(48))
    planned(users.secretary_a, tree.branch_a, when=timezone.now() + datetime.timedelta(days=3))
    done = planned(users.secretary_a, tree.branch_a, when=past(24))
    services.record_meeting(users.secretary_a, done, attendance={tree.people.a1.pk: ("present", ""),
                                                                 tree.people.a2.pk: ("present", "")})  # fmt: skip
    gone = planned(users.secretary_a, tree.branch_a, when=past(30))
    services.cancel_meeting(users.secretary_a, gone)
    assert list(services.overdue(Meeting.objects.all())) == [late]
    assert list(services.overdue(Meeting.objects.all(), now=past(72))) == []


def test_recording_takes_the_same_queries_for_few_and_many_members(tree, users):
    def queries_for(meeting) -> int:
        members = services.members_of([tree.branch_a.pk])
        marks = {pk: ("present", "") for pk in members.values_list("pk", flat=True)}
        with CaptureQueriesContext(connection) as captured:
            services.record_meeting(users.secretary_a, meeting, attendance=marks)
        return len(captured)

    few = queries_for(planned(users.secretary_a, tree.branch_a))
    for n in range(25):
        create_person(None, person_data(tree.branch_a, name=f"甲新人{n}"))
    many = queries_for(planned(users.secretary_a, tree.branch_a))
    assert many == few
    assert Attendance.objects.filter(meeting__organization=tree.branch_a).count() == 2 + 27


def test_a_joint_activity_is_seen_from_every_organisation_holding_it(tree, users, client_for):
    from tongxin.accounts.models import Role, RoleAssignment, User

    party_secretary = User.objects.create(username="party_secretary")
    RoleAssignment.objects.create(user=party_secretary, organization=tree.party_branch, role=Role.SECRETARY)
    joint = planned(users.district, tree.branch_a, MeetingKind.JOINT_ACTIVITY, organizations=[tree.party_branch])
    own = planned(users.district, tree.branch_a, MeetingKind.LEAGUE_DAY)

    assert set(Meeting.objects.visible_to(party_secretary)) == {joint}
    assert client_for(party_secretary).get(f"/orglife/meetings/{joint.pk}/").status_code == 200
    assert client_for(party_secretary).get(f"/orglife/meetings/{own.pk}/").status_code == 404
    assert set(Meeting.objects.visible_to(users.secretary_b)) == set()  # nor from a sibling branch
