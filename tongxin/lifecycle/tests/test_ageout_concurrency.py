"""Two confirmations of the same age-out at once (real concurrent connections, PostgreSQL only).

``confirm_age_out`` locks the person rows (in id order) before it checks them, so the second confirmation
waits for the first, then finds the member already aged out and refuses with a clear message: exactly one
succeeds, the roll-ups move once, and overlapping batches cannot deadlock.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import transaction

from tongxin.accounts.models import User
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import in_thread, person_data, years_ago
from tongxin.lifecycle.services.ageout import confirm_age_out
from tongxin.people.models import Membership, MembershipStatus, Person
from tongxin.people.services import create_person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections (PostgreSQL)"),
]


def _confirm(username: str, ids: list[int]):
    return lambda: confirm_age_out(User.objects.get(username=username), person_ids=ids)


def _due(tree, name: str) -> Person:
    return create_person(None, person_data(tree.branch_a, name=name, birth=years_ago(30)))


def _assert_confirmed_once(person: Person, rollups) -> None:
    person.refresh_from_db()
    assert person.status == MembershipStatus.AGED_OUT
    assert list(Membership.objects.filter(person=person).values_list("end_reason", flat=True)) == ["aged_out"]
    assert ChangeLog.objects.filter(object_id=str(person.pk), after__status="aged_out").count() == 1
    incremental = rollups()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert rollups() == incremental


def test_the_second_confirmation_waits_then_is_refused(tree, users, rollups):
    person = _due(tree, "并发超龄")
    holding, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first():
        with transaction.atomic():
            count = confirm_age_out(User.objects.get(username="secretary_a"), person_ids=[person.pk])
            holding.set()
            release.wait(10)  # hold the row locks, uncommitted
            return count

    one = in_thread(first, results, "first", language="en")
    assert holding.wait(10)
    two = in_thread(_confirm("committee_admin", [person.pk]), results, "second", language="en")
    two.join(0.5)
    assert two.is_alive(), "the second confirmation must wait for the first one's row lock"
    release.set()
    one.join(10)
    two.join(10)
    assert results["first"] == 1
    assert isinstance(results["second"], DomainError), results["second"]
    assert results["second"].errors == {"person_ids": ["Already confirmed as aged out: 并发超龄."]}
    _assert_confirmed_once(person, rollups)


def test_two_confirmations_started_together_exactly_one_succeeds(tree, users, rollups):
    person = _due(tree, "同时超龄")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def confirm(username: str):
        def work():
            actor = User.objects.get(username=username)
            barrier.wait(10)
            return confirm_age_out(actor, person_ids=[person.pk])

        return work

    threads = [in_thread(confirm(name), results, name, language="en") for name in ("secretary_a", "committee_admin")]
    for thread in threads:
        thread.join(20)
    outcomes = sorted(results.values(), key=lambda r: isinstance(r, Exception))
    assert outcomes[0] == 1, results
    assert isinstance(outcomes[1], DomainError), results
    assert "Already confirmed as aged out: 同时超龄." in outcomes[1].messages
    _assert_confirmed_once(person, rollups)


def test_overlapping_batches_in_opposite_orders_do_not_deadlock(tree, users, rollups):
    first, second = _due(tree, "交叉一"), _due(tree, "交叉二")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def confirm(username: str, ids: list[int]):
        def work():
            actor = User.objects.get(username=username)
            barrier.wait(10)
            return confirm_age_out(actor, person_ids=ids)

        return work

    threads = [
        in_thread(confirm("secretary_a", [first.pk, second.pk]), results, "forward", language="en"),
        in_thread(confirm("committee_admin", [second.pk, first.pk]), results, "backward", language="en"),
    ]
    for thread in threads:
        thread.join(20)
    winners = [r for r in results.values() if r == 2]
    losers = [r for r in results.values() if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results  # a deadlock would surface as a database error
    assert "Already confirmed as aged out: 交叉一, 交叉二." in losers[0].messages
    for person in (first, second):
        _assert_confirmed_once(person, rollups)
