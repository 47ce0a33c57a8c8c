"""Helpers shared by the annual review tests: the grades, a branch with members, an opened and graded review,
a refusal that changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, Notification
from tongxin.core.testing import person_data
from tongxin.lifecycle.models import AnnualReview, ReviewEntry, ReviewGrade
from tongxin.lifecycle.services import review as services
from tongxin.people.services import create_person

E, Q, B, U = ReviewGrade.EXCELLENT, ReviewGrade.QUALIFIED, ReviewGrade.BASICALLY_QUALIFIED, ReviewGrade.UNQUALIFIED


def add_members(branch, count: int, prefix: str = "成员") -> list:
    """``count`` more active league members in ``branch``."""
    return [create_person(None, person_data(branch, name=f"{prefix}{i}")) for i in range(count)]


def this_year() -> int:
    return timezone.localdate().year


def open_graded(actor, branch, grades_in_order: list[str]) -> AnnualReview:
    """Open the branch's review of this year and grade its members in name order with ``grades_in_order``."""
    review = services.open_review(actor, branch=branch, year=this_year())
    ids = list(ReviewEntry.objects.filter(review=review).order_by("person_id").values_list("person_id", flat=True))
    assert len(ids) == len(grades_in_order)
    services.grade(actor, review, dict(zip(ids, grades_in_order, strict=True)))
    return review


def state(review: AnnualReview) -> tuple:
    """What a refused action must leave unchanged: the review row, its grades, the audit and the inbox."""
    review = AnnualReview.objects.get(pk=review.pk)
    grades = sorted(
        ReviewEntry.objects.filter(review=review).values_list("person_id", "grade", "registered_on", "deferred_until")
    )
    return (
        review.status,
        review.meeting_on,
        review.members_present,
        review.approved_at,
        tuple(grades),
        ChangeLog.objects.count(),
        Notification.objects.count(),
    )


def refused(call, review: AnnualReview, text: str) -> DomainError:
    before = state(review)
    with pytest.raises(DomainError) as info:
        call()
    assert text in " ".join(info.value.messages), info.value.messages
    assert state(review) == before
    return info.value
