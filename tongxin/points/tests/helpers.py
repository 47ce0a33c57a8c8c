"""Shared helpers of the points tests (a test module imports no other test module)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tongxin.core.achievements import Achievement, achievement_kinds, offer, register_achievement_kind
from tongxin.points.defaults import install_now
from tongxin.points.models import MonthlyScore, Rule, RuleSet

# The kinds of producers not landed on this branch (study, activities, venues), declared here as they will
# declare them, so the default rules that name them can be exercised.
for _key in ("study.period_done", "activities.volunteer_hours", "activities.participation",
             "activities.wish_fulfilled", "venues.honour"):  # fmt: skip
    if _key not in {kind.key for kind in achievement_kinds()}:
        register_achievement_kind(_key, _key, unit="unit")


def defaults() -> None:
    install_now()


def league_rule(key: str) -> Rule:
    return Rule.objects.get(rule_set__org_path="", rule_set__audience="league", key=key)


def league_set() -> RuleSet:
    return RuleSet.objects.get(org_path="", audience="league")


def give(person, source: str, *, kind: str = "orglife.attended", day: datetime.date | None = None,
         quantity: Decimal | int = 1) -> None:  # fmt: skip
    offer(Achievement(kind, person_id=person.pk, org_path=person.org_path,
                      occurred_on=day or datetime.date.today(), source=source, quantity=Decimal(quantity)))  # fmt: skip


def score(person, month: datetime.date) -> Decimal:
    row = MonthlyScore.objects.filter(person=person, month=month.replace(day=1)).first()
    return row.points if row else Decimal(0)
