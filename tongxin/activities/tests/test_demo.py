"""The demo seed's activities: a member checked in by his personal code, one correction of hours accepted by the
secretary (not by the volunteer) and one waiting in her inbox."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from tongxin.accounts.models import User
from tongxin.activities import services
from tongxin.activities.models import CorrectionStatus, HoursCorrection


def test_the_demo_seeds_corrections_one_pending_one_decided(db):
    call_command("seed_demo", stdout=StringIO())
    secretary = User.objects.get(username="secretary")
    corrections = {c.status: c for c in HoursCorrection.objects.all()}
    assert set(corrections) == {CorrectionStatus.ACCEPTED, CorrectionStatus.PENDING}
    accepted = corrections[CorrectionStatus.ACCEPTED]
    assert accepted.decided_by_id == secretary.pk and accepted.person_id != secretary.person_id
    assert accepted.registration.total_hours == accepted.decided_hours
    assert [item.count for item in services.pending_corrections(secretary)] == [1]
