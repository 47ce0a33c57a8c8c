"""Two people acting on the same review at once (real concurrent connections, PostgreSQL only): exactly one
succeeds, the other is told what happened."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import one_winner, race
from tongxin.lifecycle.models import AnnualReview, ReviewEntry, ReviewStatus
from tongxin.lifecycle.services import review as services
from tongxin.lifecycle.services.review import Registration
from tongxin.lifecycle.tests.review_helpers import Q, U, open_graded, this_year

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english"),
]


def submitted(users, tree) -> AnnualReview:
    review = open_graded(users.secretary_a, tree.branch_a, [Q, U])
    return services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=2)


def test_two_approvals_at_once_one_succeeds_the_other_is_told(tree, users):
    review = submitted(users, tree)

    results = race(
        lambda: services.approve(users.committee_admin, review),
        lambda: services.approve(users.district, review),
    )

    winner, refusal = one_winner(results, AnnualReview)
    assert "This review is already “Approved”; someone acted on it before you" in refusal
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED and review.approved_by_id == winner.approved_by_id
    approvals = ChangeLog.objects.filter(
        content_type__model="annualreview", object_id=str(review.pk), after__status="approved"
    )
    assert approvals.count() == 1


def test_an_approval_and_a_return_at_once_leave_one_outcome(tree, users):
    review = submitted(users, tree)

    results = race(
        lambda: services.approve(users.committee_admin, review),
        lambda: services.return_for_changes(users.district, review, reason="再议"),
    )

    assert sum(isinstance(r, AnnualReview) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert AnnualReview.objects.get(pk=review.pk).status in (ReviewStatus.APPROVED, ReviewStatus.DRAFT)


def test_two_registrations_at_once_register_each_member_once(tree, users):
    review = services.approve(users.committee_admin, submitted(users, tree))
    today = timezone.localdate()

    results = race(
        lambda: services.register(users.secretary_a, review, on=today),
        lambda: services.register(users.committee_admin, review, on=today),
    )

    assert sum(isinstance(r, Registration) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert ReviewEntry.objects.filter(review=review, registered_on=today).count() == 1
    assert (
        ChangeLog.objects.filter(content_type__model="reviewentry", after__registered_on=today.isoformat()).count() == 1
    )


def test_two_openings_at_once_open_one_review(tree, users):
    results = race(
        lambda: services.open_review(users.secretary_a, branch=tree.branch_a, year=this_year()),
        lambda: services.open_review(users.committee_admin, branch=tree.branch_a, year=this_year()),
    )

    assert sum(isinstance(r, AnnualReview) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert AnnualReview.objects.count() == 1 and ReviewEntry.objects.count() == 2
