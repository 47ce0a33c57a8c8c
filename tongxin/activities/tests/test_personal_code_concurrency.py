"""Races on PostgreSQL (real concurrent connections): two organisers scanning the same member's code at once check
him in once (one audit row); two organisers deciding the same correction of hours at once: one decides, the other
is told it was decided before him, and the record is changed once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tongxin.activities import services
from tongxin.activities.models import CorrectionStatus, HoursCorrection, Registration
from tongxin.activities.tests.helpers import make_activity
from tongxin.core.models import ChangeLog
from tongxin.core.testing import one_winner, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english"),
]


def test_two_organisers_scanning_one_member_at_once_check_him_in_once(tree, users):
    activity = make_activity(tree, hours_ago=1)
    registration = services.confirm(users.secretary_a, services.register(users.member, activity))
    short = services.personal_code(tree.people.a2.pk)[1]
    before = ChangeLog.objects.count()
    results = race(
        lambda: services.check_in_person(users.secretary_a, activity, short),
        lambda: services.check_in_person(users.committee_admin, activity, short),
    )
    assert all(isinstance(r, Registration) for r in results), results
    assert results[0].checked_in_at == results[1].checked_in_at
    assert ChangeLog.objects.count() == before + 1
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None


def test_two_decisions_of_one_correction_at_once_one_wins(tree, users):
    activity = make_activity(tree, hours_ago=1, length_hours=3)
    registration = services.confirm(users.secretary_a, services.register(users.member, activity))
    correction = services.request_correction(users.member, registration, "忘记签退")
    results = race(
        lambda: services.decide_correction(users.secretary_a, correction, accept=True, reason="核实", hours="2"),
        lambda: services.decide_correction(users.committee_admin, correction, accept=False, reason="记录无误"),
    )
    winner, message = one_winner(results, HoursCorrection)
    assert "someone acted on it before you" in message
    stored = HoursCorrection.objects.get(pk=correction.pk)
    assert stored.status == winner.status
    expected = Decimal("2.00") if stored.status == CorrectionStatus.ACCEPTED else Decimal("0.00")
    assert Registration.objects.get(pk=registration.pk).supplementary_hours == expected
