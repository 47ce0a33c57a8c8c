"""Two people acting on party recommendations at once (real concurrent connections, PostgreSQL only): the
branch quota is taken once, one member is proposed once, each step is recorded once, and the member is
admitted to the Party once."""

from __future__ import annotations

import pytest

from tongxin.core.models import ChangeLog
from tongxin.core.testing import assert_serialised, one_winner, race
from tongxin.lifecycle.models import PartyRecommendation, RecommendationStatus
from tongxin.lifecycle.services import recommendation as services
from tongxin.lifecycle.tests.recommendation_helpers import APPLIED, APPROVED, DECIDED, to_status
from tongxin.people.models import Person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english", "branch_of_five"),
]


def split(results):
    return one_winner(results, PartyRecommendation)


def test_two_proposals_for_the_last_place_of_a_branch_take_it_once(tree, users):
    winner, message = split(race(
        lambda: services.propose(users.secretary_a, person=tree.people.a1, party_application_on=APPLIED),
        lambda: services.propose(users.committee_admin, person=tree.people.a2, party_application_on=APPLIED),
    ))  # fmt: skip

    assert "so 1 places, and 1 are taken this year" in message
    assert list(PartyRecommendation.objects.values_list("pk", flat=True)) == [winner.pk]


def test_two_proposals_of_one_member_at_once_open_one_recommendation(tree, users):
    _winner, message = split(race(
        lambda: services.propose(users.secretary_a, person=tree.people.a1, party_application_on=APPLIED),
        lambda: services.propose(users.committee_admin, person=tree.people.a1, party_application_on=APPLIED),
    ))  # fmt: skip

    assert "张甲一 already has a recommendation in progress" in message or "are taken this year" in message
    assert PartyRecommendation.objects.filter(person=tree.people.a1).count() == 1


def test_two_approvals_at_once_record_one(tree, users):
    rec = to_status(tree, users, RecommendationStatus.VOTED)

    winner, message = split(race(
        lambda: services.approve(users.committee_admin, rec, on=APPROVED),
        lambda: services.approve(users.district, rec, on=APPROVED),
    ))  # fmt: skip

    assert "Someone may have acted on it before you" in message
    approvals = ChangeLog.objects.filter(
        content_type__model="partyrecommendation", object_id=str(rec.pk), after__status="approved"
    )
    assert approvals.count() == 1 and winner.actors["approve"] in (users.committee_admin.pk, users.district.pk)


def test_an_approval_and_a_withdrawal_at_once_are_serialised(tree, users):
    """Withdrawal is open until the hand-over, so both may succeed one after the other: approved then
    withdrawn, or withdrawn and the approval refused. Either way it ends withdrawn, its place freed."""
    rec = to_status(tree, users, RecommendationStatus.VOTED)

    approval, withdrawal = race(
        lambda: services.approve(users.committee_admin, rec, on=APPROVED),
        lambda: services.withdraw(users.secretary_a, rec),
    )

    assert_serialised(approval, withdrawal, PartyRecommendation, "closed (“Withdrawn”)")
    assert PartyRecommendation.objects.get(pk=rec.pk).status == RecommendationStatus.WITHDRAWN


def test_two_outcomes_at_once_admit_the_member_once(tree, users):
    rec = to_status(tree, users, RecommendationStatus.HANDED_OVER)

    winner, message = split(race(
        lambda: services.record_outcome(users.district, rec, admitted=True, on=DECIDED),
        lambda: services.record_outcome(users.committee_admin, rec, admitted=False, on=DECIDED),
    ))  # fmt: skip

    assert "closed" in message
    a1 = Person.objects.get(pk=tree.people.a1.pk)
    if winner.status == RecommendationStatus.ADMITTED:
        assert a1.political_status == "02" and a1.party_join_date == DECIDED
    else:
        assert a1.political_status == "03" and a1.party_join_date is None
    assert PartyRecommendation.objects.get(pk=rec.pk).status == winner.status
