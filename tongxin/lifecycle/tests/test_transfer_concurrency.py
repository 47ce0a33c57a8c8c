"""Two people acting on the same transfer at once (real concurrent connections, PostgreSQL only): exactly
one succeeds, the other is told what happened, and the member moves once."""

from __future__ import annotations

import pytest

from tongxin.core.exceptions import DomainError
from tongxin.core.testing import assert_serialised, one_winner, race
from tongxin.lifecycle.models import Transfer, TransferReason, TransferSide, TransferStatus
from tongxin.lifecycle.services import transfers as services
from tongxin.orgs.tests.helpers import assert_rollups_exact
from tongxin.people.models import Membership, Person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english"),
]


def test_two_acceptances_at_once_move_the_member_once(tree, users, rollups):
    transfer = services.start_transfer(users.secretary_a, person=tree.people.a1, to_org=tree.committee1,
                                       side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip

    results = race(
        lambda: services.accept_in(users.committee_admin, transfer, branch=tree.branch_b),
        lambda: services.accept_in(users.district, transfer, branch=tree.branch_b),
    )

    _winner, refusal = one_winner(results, Transfer)
    assert "already “Completed”" in refusal
    assert Person.objects.get(pk=tree.people.a1.pk).branch == tree.branch_b
    assert Membership.objects.filter(person=tree.people.a1, end__isnull=True).count() == 1
    assert_rollups_exact(rollups)


def test_an_approval_and_a_cancellation_at_once_are_serialised(tree, users):
    """The member may withdraw while the transfer waits on either side, so the two never conflict in
    substance: run one after the other, in whichever order the locks gave. Cancelled first, the approval
    is refused naming it; approved first, the cancellation still goes through. Either way the transfer
    ends cancelled and the member never moves."""
    transfer = services.start_transfer(users.member, person=tree.people.a2, to_org=tree.branch_b,
                                       side=TransferSide.MEMBER, reason=TransferReason.OTHER)  # fmt: skip

    approval, cancellation = race(
        lambda: services.approve_out(users.secretary_a, transfer),
        lambda: services.cancel(users.member, transfer),
    )

    assert_serialised(approval, cancellation, Transfer, "already “Cancelled”")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    assert Person.objects.get(pk=tree.people.a2.pk).branch == tree.branch_a


def test_two_starts_for_one_person_at_once_open_one_transfer(tree, users):
    def start(actor, to_org):
        return lambda: services.start_transfer(
            actor, person=tree.people.a1, to_org=to_org, side=TransferSide.SENDING, reason=TransferReason.OTHER
        )

    results = race(start(users.secretary_a, tree.branch_b), start(users.committee_admin, tree.branch_c))

    assert sum(isinstance(r, Transfer) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert Transfer.objects.filter(person=tree.people.a1).count() == 1
