"""The points hooks (core.achievements): an offer reaches every registered receiver, an unknown kind is a
programming error, and a producer works with no receiver at all."""

import datetime

import pytest

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


def test_offer_and_withdraw_reach_the_receiver(kind):
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


def test_no_receiver_is_fine_and_unknown_kind_is_refused(kind):
    achievements.offer(Achievement(kind, 1, "00000001", datetime.date(2026, 12, 1), "x:1"))
    with pytest.raises(LookupError):
        achievements.offer(Achievement("test.unknown", 1, "00000001", datetime.date(2026, 12, 1), "x:1"))
    with pytest.raises(LookupError):
        achievements.withdraw("test.unknown", source="x:1")
