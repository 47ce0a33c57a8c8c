"""Registration (团籍注册) after an approved review: 基本合格 or better registered, 不合格 deferred 3–6 months."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.lifecycle.models import ReviewEntry
from tongxin.lifecycle.services import review as services
from tongxin.lifecycle.tests.review_helpers import B, E, Q, U, add_members, open_graded, refused

pytestmark = pytest.mark.usefixtures("english")


def approved(users, branch, grades):
    review = open_graded(users.secretary_a, branch, grades)
    services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=len(grades))
    return services.approve(users.committee_admin, review)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert services.add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert services.add_months(datetime.date(2024, 8, 31), 6) == datetime.date(2025, 2, 28)
    assert services.add_months(datetime.date(2025, 10, 15), 3) == datetime.date(2026, 1, 15)


def test_registration_waits_for_approval(tree, users):
    review = open_graded(users.secretary_a, tree.branch_a, [Q, Q])
    refused(
        lambda: services.register(users.secretary_a, review, on=timezone.localdate()),
        review,
        "This review is already “Being graded by the branch”",
    )


def test_the_deferral_window_is_three_to_six_months(tree, users):
    add_members(tree.branch_a, 2)
    review = approved(users, tree.branch_a, [E, B, U, U])
    on = timezone.localdate()
    for wrong in (
        services.add_months(on, 3) - datetime.timedelta(days=1),
        services.add_months(on, 6) + datetime.timedelta(days=1),
    ):
        refused(
            lambda wrong=wrong: services.register(users.secretary_a, review, on=on, defer_until=wrong),
            review,
            "Registration is deferred by 3 to 6 months",
        )
    done = services.register(users.secretary_a, review, on=on, defer_until=services.add_months(on, 6))
    assert (done.registered, done.deferred) == (2, 2)
    deferred = ReviewEntry.objects.filter(review=review, grade=U)
    assert set(deferred.values_list("deferred_until", flat=True)) == {services.add_months(on, 6)}
    assert not deferred.filter(registered_on__isnull=False).exists()


def test_one_member_deferral_is_moved_within_the_window(tree, users):
    review = approved(users, tree.branch_a, [Q, U])
    on = timezone.localdate()
    services.register(users.secretary_a, review, on=on)
    entry = ReviewEntry.objects.get(review=review, grade=U)
    with pytest.raises(DomainError, match="deferred by 3 to 6 months"):
        services.defer(users.secretary_a, entry, until=services.add_months(on, 7))
    with pytest.raises(DomainError, match="deferred by 3 to 6 months"):
        services.defer(users.secretary_a, entry, until=services.add_months(on, 2))
    services.defer(users.secretary_a, entry, until=services.add_months(on, 5))
    assert ReviewEntry.objects.get(pk=entry.pk).deferred_until == services.add_months(on, 5)

    registered = ReviewEntry.objects.get(review=review, grade=Q)
    with pytest.raises(DomainError, match="Only members graded Unqualified are deferred"):
        services.defer(users.secretary_a, registered, until=services.add_months(on, 4))
    with pytest.raises(PermissionDenied):
        services.defer(users.secretary_b, entry, until=services.add_months(on, 4))


def test_registration_date_cannot_be_in_the_future(tree, users):
    review = approved(users, tree.branch_a, [Q, Q])
    refused(
        lambda: services.register(users.secretary_a, review, on=timezone.localdate() + datetime.timedelta(days=1)),
        review,
        "cannot be in the future",
    )
