"""Helpers shared by the party recommendation tests: the dates of the steps, a proposal, a recommendation
brought to a status, a refusal that changes nothing."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import Notification
from tongxin.core.testing import advance, refused_unchanged
from tongxin.lifecycle.models import PartyRecommendation, RecommendationStatus
from tongxin.lifecycle.services import recommendation as services

# Far enough back, read once at import (a day further back when a run crosses midnight changes nothing);
# tests that need today itself call ``today()``.
APPLIED = timezone.localdate() - datetime.timedelta(days=400)  # the party application
MEETING = timezone.localdate() - datetime.timedelta(days=30)
APPROVED = MEETING + datetime.timedelta(days=5)
HANDED = APPROVED + datetime.timedelta(days=5)
DECIDED = HANDED + datetime.timedelta(days=5)


def counts(row_counts):
    return {
        **row_counts(),
        "Recommendation": PartyRecommendation.objects.count(),
        "Notification": Notification.objects.count(),
    }


def refused(row_counts, call, message, error=DomainError):
    refused_unchanged(lambda: counts(row_counts), call, message, error)


def forbidden(row_counts, call):
    """``call()`` is refused with PermissionDenied and writes nothing."""
    refused(row_counts, call, "", error=PermissionDenied)


def propose(users, person, on=APPLIED):
    return services.propose(users.secretary_a, person=person, party_application_on=on)


def to_status(tree, users, status):
    rec = propose(users, tree.people.a1)
    steps = [
        (
            RecommendationStatus.VOTED,
            lambda r: services.record_vote(
                users.secretary_a, r, on=MEETING, voters_expected=5, votes_for=3, votes_against=1
            ),
        ),
        (RecommendationStatus.APPROVED, lambda r: services.approve(users.committee_admin, r, on=APPROVED)),
        (RecommendationStatus.HANDED_OVER, lambda r: services.hand_over(users.committee_admin, r, on=HANDED)),
    ]
    return advance(rec, steps, status, "status")
