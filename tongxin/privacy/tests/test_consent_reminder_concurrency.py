"""Two runs of the reminder job at once (real concurrent connections, PostgreSQL only): the second waits for
the first and finds its reminder, so the secretary gets one, not two."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tongxin.core.models import Notification
from tongxin.privacy.services import ReminderRun, remind_missing_consent
from tongxin.privacy.tests.helpers import minor

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


def test_two_runs_at_once_write_one_reminder_per_branch(tree, users):
    minor(tree.branch_a, 12)
    minor(tree.branch_b, 13)
    start = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(index: int) -> None:
        try:
            start.wait(10)
            results[index] = remind_missing_consent()
        except Exception as exc:  # reported to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(isinstance(r, ReminderRun) for r in results), results
    assert sorted(r.created for r in results if isinstance(r, ReminderRun)) == [0, 2]
    for user in (users.secretary_a, users.secretary_b):
        assert Notification.objects.filter(recipient=user).count() == 1
