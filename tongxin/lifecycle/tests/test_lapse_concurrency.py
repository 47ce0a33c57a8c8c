"""Two people acting on one lapse (自行脱团) at once (real concurrent connections, PostgreSQL only): a member is
proposed once, and a case is decided once, the member's stay ending at most once."""

from __future__ import annotations

import pytest

from tongxin.core.testing import one_winner, race, today
from tongxin.lifecycle.models import LapseCase, LapseStatus
from tongxin.lifecycle.services import lapse as services
from tongxin.orgs.models import OrgStats
from tongxin.people.models import Membership, MembershipStatus, Person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english"),
]


def test_two_proposals_of_one_member_at_once_open_one_case(tree, users):
    a1 = tree.people.a1
    _winner, message = one_winner(race(
        lambda: services.propose(users.secretary_a, person=a1, meeting_on=today()),
        lambda: services.propose(users.committee_admin, person=a1, meeting_on=today()),
    ), LapseCase)  # fmt: skip

    assert f"{a1.name} already has a lapse case waiting" in message
    assert LapseCase.objects.filter(person=a1).count() == 1


def test_an_approval_and_a_rejection_at_once_decide_once(tree, users):
    a1 = tree.people.a1
    case = services.propose(users.secretary_a, person=a1, meeting_on=today())
    members = OrgStats.objects.get(organization=tree.branch_a).members_total

    winner, message = one_winner(race(
        lambda: services.approve(users.committee_admin, case),
        lambda: services.reject(users.district, case, reason="已联系上"),
    ), LapseCase)  # fmt: skip

    assert "This lapse case is already" in message
    case.refresh_from_db()
    assert case.status == winner.status
    left = winner.status == LapseStatus.APPROVED
    assert Person.objects.get(pk=a1.pk).status == (MembershipStatus.LEFT if left else MembershipStatus.ACTIVE)
    assert Membership.objects.filter(person=a1, end_reason=Membership.Reason.LAPSED).count() == int(left)
    assert OrgStats.objects.get(organization=tree.branch_a).members_total == members - int(left)
