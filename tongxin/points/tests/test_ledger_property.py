"""Property: after any sequence of offers, withdrawals, claims with their reviews, rule changes (of the
defaults, or of committee 1's own copy once it made one), locked months and recorded corrections of them, the
roll-ups kept by the services equal the roll-ups recomputed from the ledger, and no source has two live entries
under one rule. (Never loosen the strategy; pin a failure with @example.)"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tongxin.core.achievements import Achievement, delivered_in_bulk, offer, offer_many, withdraw
from tongxin.core.exceptions import DomainError
from tongxin.orgs import tallies
from tongxin.points.models import CycleStatus, MonthCycle, PointEntry, Rule
from tongxin.points.services import cycle, ledger, rules
from tongxin.points.tests.helpers import defaults, league_rule

KINDS = ["orglife.attended", "orglife.absent_unexcused", "activities.volunteer_hours", "study.period_done"]
RULE_KEYS = ["meeting", "absence", "volunteer", "study"]

offers = st.tuples(st.just("offer"), st.integers(0, 2), st.sampled_from(KINDS), st.integers(0, 4),
                   st.integers(-2, 0), st.integers(1, 5))  # fmt: skip
withdrawals = st.tuples(st.just("withdraw"), st.sampled_from(KINDS), st.integers(0, 4))
claims = st.tuples(st.just("claim"), st.integers(0, 1), st.sampled_from(["accepted", "adjusted", "rejected"]),
                   st.integers(1, 3))  # fmt: skip
changes = st.tuples(st.just("change"), st.sampled_from(RULE_KEYS), st.integers(-2, 0), st.integers(-3, 3),
                    st.booleans())  # fmt: skip
batches = st.tuples(st.just("batch"), st.lists(offers, min_size=1, max_size=6))  # a meeting's attendance at once
locks = st.tuples(st.just("lock"), st.integers(0, 1), st.integers(-2, -1))
owns = st.tuples(st.just("own"))  # committee 1 copies the defaults for its subtree (branch A)
own_changes = st.tuples(st.just("own_change"), st.sampled_from(RULE_KEYS), st.integers(-2, 0), st.integers(-3, 3),
                        st.booleans())  # fmt: skip
# the secretary of branch A corrects the n-th live entry of a locked month: reversed (None) or adjusted
corrections = st.tuples(st.just("correct"), st.integers(0, 5), st.one_of(st.none(), st.integers(-3, 3)))
steps = st.lists(st.one_of(offers, batches, withdrawals, claims, changes, locks, owns, own_changes, corrections),
                 min_size=1, max_size=25)  # fmt: skip


def month_at(offset: int) -> datetime.date:
    month = timezone.localdate().replace(day=1)
    for _ in range(-offset):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def achievement(step, people) -> Achievement:
    _, who, kind, source, months, quantity = step
    person = people[who]
    day = month_at(months) + datetime.timedelta(days=9)
    return Achievement(kind, person_id=person.pk, org_path=person.org_path, source=f"{kind}:{source}:{person.pk}",
                       occurred_on=day, quantity=Decimal(quantity))  # fmt: skip


def run(step, tree, users) -> None:
    people = [tree.people.a1, tree.people.a2, tree.people.c1]
    branches = [tree.branch_a, tree.branch_c]
    name = step[0]
    if name == "offer":
        offer(achievement(step, people))
    elif name == "batch":
        offer_many([achievement(one, people) for one in step[1]])
    elif name == "withdraw":
        _, kind, source = step
        for person in people:
            withdraw(kind, source=f"{kind}:{source}:{person.pk}")
    elif name == "claim":
        _, who, decision, points = step
        person = people[who]
        # a2 claims an item members claim; for a1 the system files an item secretaries claim
        actor, key = (users.member, "pioneer") if who == 1 else (None, "duty")
        rule_set = ledger.rule_set_for(person.org_path, "league")  # committee 1's own, once made
        assert rule_set is not None
        rule = rule_set.rules.get(key=key)
        claim = cycle.submit_claim(actor, person=person, rule=rule, evidence="带头完成任务")
        adjusted = Decimal(points) / 2 if decision == "adjusted" else None
        cycle.review_claim(users.secretary_a, claim, decision=decision, points=adjusted, reason="核实")
    elif name == "change":
        _, key, months, points, active = step
        rules.change_rule(None, league_rule(key), valid_from=month_at(months), points=Decimal(points), active=active)
    elif name == "own":
        rules.make_own(None, tree.committee1)
    elif name == "own_change":
        _, key, months, points, active = step
        own_rule = Rule.objects.filter(rule_set__org_path=tree.committee1.path, key=key).first()
        if own_rule is None:
            raise DomainError("rule", "committee 1 has no rules of its own yet")
        rules.change_rule(None, own_rule, valid_from=month_at(months), points=Decimal(points), active=active)
    elif name == "correct":
        _, index, points = step
        locked = set(MonthCycle.objects.filter(status=CycleStatus.LOCKED).values_list("org_path", "month"))
        entries = [e for e in ledger.is_live(PointEntry.objects.order_by("id")) if (e.org_path, e.month) in locked]
        if not entries:
            raise DomainError("reason", "no entry of a locked month")
        amount = Decimal(points) if points else None
        cycle.correct_entry(users.secretary_a, entries[index % len(entries)], reason="更正", points=amount)
    elif name == "lock":
        _, which, months = step
        branch = branches[which]
        MonthCycle.objects.update_or_create(
            organization=branch,
            month=month_at(months),
            defaults={"org_path": branch.path, "status": CycleStatus.LOCKED},
        )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])  # fmt: skip
@given(sequence=steps)
# Found by this test: one source twice in one batch (receive_many wrote it twice: a unique violation).
@example(sequence=[("batch", [("offer", 0, "orglife.attended", 0, 0, 1), ("offer", 0, "orglife.attended", 0, 0, 2)])])
# Found by this test: two adjustments of one locked entry shared a source (two live entries of one source and rule).
@example(sequence=[("offer", 0, "orglife.attended", 0, -1, 1), ("lock", 0, -1), ("correct", 0, 1), ("correct", 0, 2)])
def test_kept_scores_equal_the_ledger(tree, users, sequence):
    with transaction.atomic():
        defaults()
        for step in sequence:
            try:
                with transaction.atomic():
                    run(step, tree, users)
                event(f"done: {step[0]}")
            except (DomainError, PermissionDenied):
                event(f"refused: {step[0]}")  # refused (a cap, a locked month): nothing written
        assert ledger.kept_scores() == ledger.scores_from_ledger()
        # the dashboards' monthly points of each organisation, kept with the roll-ups, equal a rebuild
        assert tallies.kept(["points"]) == tallies.expected(["points"])
        live = ledger.is_live(PointEntry.objects.all()).values_list("source", "rule_id")
        assert len(list(live)) == len(set(live))
        transaction.set_rollback(True)


offers_and_batches = st.lists(st.one_of(offers, batches, withdrawals, claims, locks), min_size=1, max_size=25)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])  # fmt: skip
@given(sequence=offers_and_batches)
def test_a_bulk_block_keeps_the_scores_equal_to_the_ledger(tree, users, sequence):
    """The same, the sequence delivered in one bulk block (seed_demo's steps): the batches' scores and points
    tally move when the block ends, the other writes one by one in between."""
    with transaction.atomic():
        defaults()
        with delivered_in_bulk():
            for step in sequence:
                try:
                    with transaction.atomic():
                        run(step, tree, users)
                except (DomainError, PermissionDenied):
                    event(f"refused: {step[0]}")
        assert ledger.kept_scores() == ledger.scores_from_ledger()
        assert tallies.kept(["points"]) == tallies.expected(["points"])
        transaction.set_rollback(True)
