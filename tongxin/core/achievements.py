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
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

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

_KINDS: dict[str, AchievementKind] = {}
_RECEIVERS: dict[str, tuple[Receiver, Withdrawal]] = {}
_BATCH_RECEIVERS: dict[str, BatchReceiver] = {}


def register_achievement_kind(key: str, label: Label, *, unit: Label) -> AchievementKind:
    kind = AchievementKind(key, label, unit)
    _KINDS[key] = kind
    return kind


def achievement_kinds() -> list[AchievementKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.key)


def register_receiver(
    name: str, receive: Receiver, withdraw: Withdrawal, *, receive_many: BatchReceiver | None = None
) -> None:
    """The consumer's entry (the points app): called in the producer's transaction, so a failure rolls the
    producer's write back too, and nothing is offered for a write that did not happen. ``receive_many``
    (optional) takes a whole batch (:func:`offer_many`) in a fixed number of queries."""
    _RECEIVERS[name] = (receive, withdraw)
    if receive_many is not None:
        _BATCH_RECEIVERS[name] = receive_many
    else:
        _BATCH_RECEIVERS.pop(name, None)


def unregister_receiver(name: str) -> None:
    _RECEIVERS.pop(name, None)
    _BATCH_RECEIVERS.pop(name, None)


def offer(achievement: Achievement) -> None:
    if achievement.kind not in _KINDS:
        raise LookupError(f"achievement kind {achievement.kind!r} is not registered")
    for receive, _withdraw in list(_RECEIVERS.values()):
        receive(achievement)


def offer_many(achievements: list[Achievement]) -> None:
    """Offer a batch at once (a meeting's attendance: one per member), so a producer whose write is a bulk
    INSERT stays at a fixed number of queries: a receiver with ``receive_many`` takes the batch, another
    gets the achievements one by one."""
    unknown = sorted({a.kind for a in achievements} - set(_KINDS))
    if unknown:
        raise LookupError(f"achievement kinds {unknown!r} are not registered")
    if not achievements:
        return
    for name, (receive, _withdraw) in list(_RECEIVERS.items()):
        batch = _BATCH_RECEIVERS.get(name)
        if batch is not None:
            batch(list(achievements))
        else:
            for achievement in achievements:
                receive(achievement)


def withdraw(kind: str, *, source: str) -> None:
    if kind not in _KINDS:
        raise LookupError(f"achievement kind {kind!r} is not registered")
    for _receive, take_back in list(_RECEIVERS.values()):
        take_back(kind, source)
