"""The demo seed's activities: a member checked in by his personal code, one correction of hours accepted by the
secretary (not by the volunteer) and one waiting in her inbox.

Checked on the demo district that tongxin/core/tests/test_demo_parts.py seeds once for every app's checks.
"""

from __future__ import annotations

from tongxin.accounts.models import User
from tongxin.activities import services
from tongxin.activities.models import CorrectionStatus, HoursCorrection


def demo_seeds_corrections_one_pending_one_decided(client):
    secretary = User.objects.get(username="secretary")
    corrections = {c.status: c for c in HoursCorrection.objects.all()}
    assert set(corrections) == {CorrectionStatus.ACCEPTED, CorrectionStatus.PENDING}
    accepted = corrections[CorrectionStatus.ACCEPTED]
    assert accepted.decided_by_id == secretary.pk and accepted.person_id != secretary.person_id
    assert accepted.registration.total_hours == accepted.decided_hours
    assert [item.count for item in services.pending_corrections(secretary)] == [1]
