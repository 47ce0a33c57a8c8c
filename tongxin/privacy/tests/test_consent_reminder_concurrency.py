"""Two runs of the reminder job at once (real concurrent connections, PostgreSQL only): the second waits for
the first and finds its reminder, so the secretary gets one, not two."""

from __future__ import annotations

import pytest

from tongxin.core.models import Notification
from tongxin.core.testing import race
from tongxin.privacy.services import ReminderRun, remind_missing_consent
from tongxin.privacy.tests.helpers import minor

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs concurrent connections"),
]


def test_two_runs_at_once_write_one_reminder_per_branch(tree, users):
    minor(tree.branch_a, 12)
    minor(tree.branch_b, 13)
    results = race(remind_missing_consent, remind_missing_consent, timeout=30)
    assert all(isinstance(r, ReminderRun) for r in results), results
    assert sorted(r.created for r in results if isinstance(r, ReminderRun)) == [0, 2]
    for user in (users.secretary_a, users.secretary_b):
        assert Notification.objects.filter(recipient=user).count() == 1
