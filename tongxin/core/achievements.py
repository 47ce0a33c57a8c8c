"""Points hooks: what a feature app offers the points app (a study period done, volunteer hours, a wish
fulfilled, an honour), without either importing the other.

The producer declares its kinds in its ``AppConfig.ready()`` and offers each achievement from the service
that records it, inside that service's transaction; the consumer (the points app) registers a receiver.
With no receiver registered an offer does nothing, so a producer works on its own::

    # study/apps.py
    register_achievement_kind("study.period_done", _("Study period completed"), unit=_("period"))
    # study/services.py, in submit_attempt's transaction
    offer(Achievement("study.period_done", person_id=p.person_id, org_path=p.org_path,
                      occurred_on=p.completed_at.date(), source=f"study.participation:{p.pk}"))
    # an annulled record takes its achievement back
    withdraw("study.period_done", source=f"study.participation:{p.pk}")

``source`` names the record the achievement comes from; it is the receiver's key for idempotence: offering
the same source twice (a retried submission, a corrected record) replaces, never adds.

Delivery is queued (``TONGXIN_ACHIEVEMENTS_QUEUED``, on by default): an offer or a withdrawal writes one task row
(``core.tasks.deliver_achievements``) in the producer's transaction, so it is delivered if and only if the
producer's write commits, and the producer's request pays one INSERT instead of the receiver's work (the points
ledger reads its rules, locks and books: about ten queries, most of a check-in's time). The worker
(``manage.py db_worker``, which ``make run`` starts) delivers the tasks in the order they were written; run one
worker process on the default queue so that an offer and a later withdrawal of the same source stay in order.
A delivery that fails stays in the task table as failed; ``manage.py recompute_points`` rebuilds the ledger's
roll-ups. The test suite's task backend runs a task when it is enqueued, inside the producer's transaction: the
same order and the same rollback as an inline call. ``delivered_inline()`` delivers in the caller's
transaction instead (the demo seed, which reads the points it made); ``delivered_in_bulk()`` too, and lets a
receiver keep what its batches move in common (the points ledger's monthly scores and tally) until the block ends
(the demo seed's load: one write of each monthly score per step instead of one per batch).
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.functional import Promise

Label = str | Promise


@dataclass(frozen=True)
class AchievementKind:
    key: str  # "<app>.<what>", e.g. "activities.volunteer_hours"
    label: Label
    unit: Label  # what ``quantity`` counts: a period, an hour, a wish


@dataclass(frozen=True)
class Achievement:
    kind: str
    person_id: int
    org_path: str  # the person's branch when it happened (where the points are reviewed)
    occurred_on: datetime.date
    source: str  # "<app>.<model>:<pk>": the record it comes from
    quantity: Decimal = Decimal(1)


Receiver = Callable[[Achievement], None]
Withdrawal = Callable[[str, str], None]  # (kind, source)
BatchReceiver = Callable[[list[Achievement]], None]
Settle = Callable[[bool], None]  # the end of a delivered_in_bulk() block: True to write what was kept, False to drop it

_KINDS: dict[str, AchievementKind] = {}
_RECEIVERS: dict[str, tuple[Receiver, Withdrawal]] = {}
_BATCH_RECEIVERS: dict[str, BatchReceiver] = {}
_SETTLERS: dict[str, Settle] = {}


def register_achievement_kind(key: str, label: Label, *, unit: Label) -> AchievementKind:
    kind = AchievementKind(key, label, unit)
    _KINDS[key] = kind
    return kind


def achievement_kinds() -> list[AchievementKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.key)


def register_receiver(
    name: str,
    receive: Receiver,
    withdraw: Withdrawal,
    *,
    receive_many: BatchReceiver | None = None,
    settle: Settle | None = None,
) -> None:
    """The consumer's entry (the points app): called by the delivery task in its own transaction (see the
    module's docstring), and only for a producer's write that committed. ``receive_many`` (optional) takes a
    whole batch (:func:`offer_many`) in a fixed number of queries; ``settle`` (optional) is called at the end
    of each :func:`delivered_in_bulk` block (see there)."""
    _RECEIVERS[name] = (receive, withdraw)
    if receive_many is not None:
        _BATCH_RECEIVERS[name] = receive_many
    else:
        _BATCH_RECEIVERS.pop(name, None)
    if settle is not None:
        _SETTLERS[name] = settle
    else:
        _SETTLERS.pop(name, None)


def unregister_receiver(name: str) -> None:
    _RECEIVERS.pop(name, None)
    _BATCH_RECEIVERS.pop(name, None)
    _SETTLERS.pop(name, None)


def offer(achievement: Achievement) -> None:
    if achievement.kind not in _KINDS:
        raise LookupError(f"achievement kind {achievement.kind!r} is not registered")
    _dispatch([["offer", _encode(achievement)]])


def offer_many(achievements: list[Achievement]) -> None:
    """Offer a batch at once (a meeting's attendance: one per member), so a producer whose write is a bulk
    INSERT stays at a fixed number of queries: a receiver with ``receive_many`` takes the batch, another
    gets the achievements one by one."""
    unknown = sorted({a.kind for a in achievements} - set(_KINDS))
    if unknown:
        raise LookupError(f"achievement kinds {unknown!r} are not registered")
    if not achievements:
        return
    _dispatch([["many", [_encode(a) for a in achievements]]])


def withdraw(kind: str, *, source: str) -> None:
    if kind not in _KINDS:
        raise LookupError(f"achievement kind {kind!r} is not registered")
    _dispatch([["withdraw", kind, source]])


# --- delivery -------------------------------------------------------------------------------------------------

_inline = threading.local()


@contextlib.contextmanager
def delivered_inline() -> Iterator[None]:
    """Deliver offers and withdrawals in the caller's transaction while inside (not through the task queue)."""
    before = getattr(_inline, "on", False)
    _inline.on = True
    try:
        yield
    finally:
        _inline.on = before


@contextlib.contextmanager
def delivered_in_bulk() -> Iterator[None]:
    """:func:`delivered_inline`, for a load (``seed_demo``'s steps): inside, a receiver may keep what its batches
    move in common (the points ledger's monthly scores and tally) and write it once, when the block ends (its
    ``settle(True)``); if the block raises, ``settle(False)`` drops what was kept (the caller's transaction then
    rolls back the rest). While inside, :func:`in_bulk` is true. Belongs inside the load's transaction."""
    before = getattr(_inline, "bulk", False)
    _inline.bulk = True
    try:
        with delivered_inline():
            yield
    except BaseException:
        for settle in list(_SETTLERS.values()):
            settle(False)
        raise
    else:
        for settle in list(_SETTLERS.values()):
            settle(True)
    finally:
        _inline.bulk = before


def in_bulk() -> bool:
    """Inside :func:`delivered_in_bulk` (a receiver may defer what its batches move in common)."""
    return getattr(_inline, "bulk", False)


def _encode(achievement: Achievement) -> dict[str, Any]:
    # Field by field rather than dataclasses.asdict, which deep-copies each value: 4 of the 1× seed's 33 s
    # of points (51,662 achievements offered in batches).
    return {
        "kind": achievement.kind,
        "person_id": achievement.person_id,
        "org_path": achievement.org_path,
        "occurred_on": achievement.occurred_on.isoformat(),
        "source": achievement.source,
        "quantity": str(achievement.quantity),
    }


def _decode(data: dict[str, Any]) -> Achievement:
    return Achievement(
        kind=data["kind"],
        person_id=int(data["person_id"]),
        org_path=data["org_path"],
        occurred_on=datetime.date.fromisoformat(data["occurred_on"]),
        source=data["source"],
        quantity=Decimal(data["quantity"]),
    )


def _dispatch(operations: list[list[Any]]) -> None:
    if not _RECEIVERS:
        return  # nobody listens: nothing to queue
    if getattr(_inline, "on", False) or not getattr(settings, "TONGXIN_ACHIEVEMENTS_QUEUED", True):
        deliver(operations)
        return
    from tongxin.core.tasks import deliver_achievements  # noqa: PLC0415 - late: the tasks import the import engine

    deliver_achievements.enqueue(operations)


def deliver(operations: list[list[Any]]) -> None:
    """Hand the operations (as queued: ``["offer", data]``, ``["many", [data…]]``, ``["withdraw", kind, source]``)
    to every receiver, in order."""
    for operation in operations:
        what = operation[0]
        if what == "offer":
            achievement = _decode(operation[1])
            for receive, _withdraw in list(_RECEIVERS.values()):
                receive(achievement)
        elif what == "many":
            batch = [_decode(item) for item in operation[1]]
            for name, (receive, _withdraw) in list(_RECEIVERS.items()):
                receive_many = _BATCH_RECEIVERS.get(name)
                if receive_many is not None:
                    receive_many(list(batch))
                else:
                    for achievement in batch:
                        receive(achievement)
        elif what == "withdraw":
            for _receive, take_back in list(_RECEIVERS.values()):
                take_back(operation[1], operation[2])
        else:
            raise ValueError(f"unknown achievement operation {what!r}")
