"""Two people recording the same meeting at once (real concurrent connections, PostgreSQL only): exactly one
succeeds, the other is told it was already recorded, and the attendance is written once."""

from __future__ import annotations

import pytest

from tongxin.core.exceptions import DomainError
from tongxin.core.testing import one_winner, race
from tongxin.orglife.models import Attendance, Meeting, MeetingStatus
from tongxin.orglife.services import meetings as services
from tongxin.orglife.tests.meeting_helpers import planned

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english"),
]


def _record(tree, actor, meeting, a2_attendance):
    """Recording ``meeting`` by ``actor``, ready to call: a1 present, a2 as given."""
    attendance = {tree.people.a1.pk: ("present", ""), tree.people.a2.pk: a2_attendance}
    return lambda: services.record_meeting(actor, meeting, attendance=attendance)


def test_two_recordings_at_once_write_the_attendance_once(tree, users):
    meeting = planned(users.secretary_a, tree.branch_a)

    results = race(
        _record(tree, users.secretary_a, meeting, ("present", "")),
        _record(tree, users.committee_admin, meeting, ("leave", "出差")),
    )

    _winner, refusal = one_winner(results, Meeting)
    assert "already “Held”; someone acted on it before you" in refusal
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD
    assert Attendance.objects.filter(meeting=meeting).count() == 2


def test_recording_and_cancelling_at_once(tree, users):
    meeting = planned(users.secretary_a, tree.branch_a)

    results = race(
        _record(tree, users.secretary_a, meeting, ("present", "")),
        lambda: services.cancel_meeting(users.committee_admin, meeting),
    )

    assert sum(isinstance(r, Meeting) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    final = Meeting.objects.get(pk=meeting.pk)
    assert Attendance.objects.filter(meeting=meeting).count() == (2 if final.status == MeetingStatus.HELD else 0)
