"""The points hooks (core.achievements): an offer reaches every registered receiver, in order, through the task
queue (delivered only if the producer commits, by the worker); an unknown kind is a programming error, and a
producer works with no receiver at all."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from tongxin.core import achievements
from tongxin.core.achievements import Achievement


@pytest.fixture
def kind(monkeypatch):
    # Only this test's receiver: the points app's (registered in its ready()) would write to the database.
    monkeypatch.setattr(achievements, "_RECEIVERS", {})
    monkeypatch.setattr(achievements, "_BATCH_RECEIVERS", {})
    achievements.register_achievement_kind("test.done", "done", unit="item")
    yield "test.done"
    achievements._KINDS.pop("test.done", None)


@pytest.mark.django_db
def test_offer_and_withdraw_reach_the_receiver_in_order(kind):
    got: list[object] = []
    achievements.register_receiver("test", got.append, lambda k, source: got.append((k, source)))
    try:
        offered = Achievement(
            kind, person_id=1, org_path="00000001", occurred_on=datetime.date(2026, 12, 1), source="x:1"
        )
        achievements.offer(offered)
        achievements.withdraw(kind, source="x:1")
    finally:
        achievements.unregister_receiver("test")
    assert got == [offered, (kind, "x:1")]


@pytest.mark.django_db(transaction=True)
def test_a_queued_offer_reaches_the_receiver_only_through_the_worker_and_only_if_the_producer_commits(kind, queued):
    from django_tasks_db.models import DBTaskResult

    got: list[object] = []
    achievements.register_receiver("test", got.append, lambda k, source: got.append((k, source)))
    try:
        offered = Achievement(kind, 7, "00000001", datetime.date(2026, 12, 1), "x:7", quantity=Decimal("2.5"))
        with pytest.raises(RuntimeError), transaction.atomic():  # a producer that fails after offering
            achievements.offer(offered)
            raise RuntimeError
        assert DBTaskResult.objects.count() == 0  # rolled back with it: nothing will be delivered
        with transaction.atomic():
            achievements.offer(offered)
            achievements.withdraw(kind, source="x:7")
        assert got == []  # the request did not deliver
        rows = list(DBTaskResult.objects.order_by("enqueued_at"))
        assert len(rows) == 2
        for row in rows:  # what the worker does with each, in its order
            row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        assert got == [offered, (kind, "x:7")]
        with achievements.delivered_inline():
            achievements.offer(offered)
        assert got[-1] == offered and DBTaskResult.objects.count() == 2
    finally:
        achievements.unregister_receiver("test")


def test_no_receiver_is_fine_and_unknown_kind_is_refused(kind):
    achievements.offer(Achievement(kind, 1, "00000001", datetime.date(2026, 12, 1), "x:1"))
    with pytest.raises(LookupError):
        achievements.offer(Achievement("test.unknown", 1, "00000001", datetime.date(2026, 12, 1), "x:1"))
    with pytest.raises(LookupError):
        achievements.withdraw("test.unknown", source="x:1")
