"""Races on PostgreSQL (real concurrent connections): two people taking the last place at once get one place and
one waiting-list entry; a cancellation and a registration at once never leave a free place beside a waiting list;
the same person checking in twice at once is checked in once."""

from __future__ import annotations

import pytest

from tongxin.activities import services
from tongxin.activities.models import Registration, RegistrationStatus
from tongxin.activities.tests.helpers import make_activity
from tongxin.core.models import ChangeLog
from tongxin.core.testing import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english"),
]


def test_two_take_the_last_place_at_once(tree, users):
    activity = make_activity(tree, capacity=1)
    results = race(
        lambda: services.register(None, activity, tree.people.a1),
        lambda: services.register(None, activity, tree.people.a2),
    )
    statuses = sorted(r.status for r in results)
    assert statuses == [RegistrationStatus.PENDING, RegistrationStatus.WAITING], results


def test_a_cancellation_beside_a_registration_leaves_no_free_place_unused(tree, users):
    activity = make_activity(tree, capacity=1)
    holder = services.register(None, activity, tree.people.a1)
    race(
        lambda: services.cancel_registration(None, holder),
        lambda: services.register(None, activity, tree.people.a2),
    )
    statuses = dict(Registration.objects.filter(activity=activity).values_list("person_id", "status"))
    assert statuses[tree.people.a2.pk] == RegistrationStatus.PENDING  # promoted, or a place straight away


def test_a_double_check_in_at_once_is_one_check_in(tree, users):
    activity = make_activity(tree, hours_ago=1)
    registration = services.confirm(None, services.register(users.member, activity))
    digits = services.current_code(activity, services.CHECK_IN)[1]
    before = ChangeLog.objects.count()
    results = race(
        lambda: services.check_in(users.member, activity, digits),
        lambda: services.check_in(users.member, activity, digits),
    )
    assert all(isinstance(r, Registration) for r in results), results
    assert results[0].checked_in_at == results[1].checked_in_at
    assert ChangeLog.objects.count() == before + 1
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None
