"""Graduation batches and other workflows acting on the same member at once (real concurrent connections,
PostgreSQL only): a graduate is sent once, a refused batch leaves nothing behind, and a member cannot both
move and leave; the roll-ups stay exact."""

from __future__ import annotations

import datetime

import pytest

from tongxin.core.exceptions import DomainError
from tongxin.core.testing import one_winner, person_data, race, years_ago
from tongxin.lifecycle.models import GraduationBatch, GraduationDestination, Transfer, TransferReason, TransferSide
from tongxin.lifecycle.services import transfers
from tongxin.lifecycle.services.ageout import confirm_age_out
from tongxin.lifecycle.services.graduation import Assignment, send_graduates
from tongxin.orgs.tests.helpers import assert_rollups_exact
from tongxin.people.models import Membership, MembershipStatus, Person
from tongxin.people.services import create_person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english"),
]
JULY = datetime.date(2026, 7, 1)


def batch(actor, tree, *lines: Assignment):
    return lambda: send_graduates(actor, branch=tree.branch_a, graduation_date=JULY, assignments=list(lines))


def test_two_batches_sending_the_same_graduate_at_once_leave_one_batch(tree, users, rollups):
    a1, a2 = tree.people.a1, tree.people.a2

    results = race(
        batch(users.secretary_a, tree, Assignment(a1, GraduationDestination.EMPLOYER, tree.branch_c),
              Assignment(a2, GraduationDestination.COMMUNITY, tree.branch_d)),
        batch(users.committee_admin, tree, Assignment(a1, GraduationDestination.OUTSIDE, external="海外留学")),
    )  # fmt: skip

    winner, refusal = one_winner(results, GraduationBatch)
    assert "张甲一" in refusal
    assert list(GraduationBatch.objects.values_list("pk", flat=True)) == [winner.pk]  # the loser left none
    assert Transfer.objects.filter(person=a1).count() == 1
    assert set(Transfer.objects.values_list("graduation_id", flat=True)) == {winner.pk}
    assert_rollups_exact(rollups)


def test_a_batch_and_a_member_transfer_of_the_same_graduate_at_once_open_one_transfer(tree, users):
    a1 = tree.people.a1

    results = race(
        batch(users.secretary_a, tree, Assignment(a1, GraduationDestination.EMPLOYER, tree.branch_c)),
        lambda: transfers.start_transfer(users.member, person=tree.people.a2, to_org=tree.branch_b,
                                         side=TransferSide.MEMBER, reason=TransferReason.OTHER),
        lambda: transfers.start_transfer(users.district, person=a1, to_org=tree.branch_d,
                                         side=TransferSide.RECEIVING, reason=TransferReason.OTHER),
    )  # fmt: skip

    assert isinstance(results[1], Transfer), results
    assert sum(isinstance(r, DomainError) for r in (results[0], results[2])) == 1, results
    assert Transfer.objects.filter(person=a1).count() == 1
    assert GraduationBatch.objects.count() == (1 if isinstance(results[0], GraduationBatch) else 0)


def test_an_acceptance_and_an_age_out_of_the_same_member_at_once_do_one_of_them(tree, users, rollups):
    """The transfer completes (the member moves) or the member ages out, never both: the roll-ups of the
    three branches involved stay exact and the member has one open stay at most."""
    old = create_person(None, person_data(tree.branch_a, name="甲老", birth=years_ago(30)))
    transfer = transfers.start_transfer(users.secretary_a, person=old, to_org=tree.branch_b,
                                        side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip

    accepted, aged_out = race(
        lambda: transfers.accept_in(users.secretary_b, transfer),
        lambda: confirm_age_out(users.secretary_a, person_ids=[old.pk]),
    )

    assert isinstance(accepted, Transfer) != isinstance(aged_out, int), (accepted, aged_out)
    old = Person.objects.get(pk=old.pk)
    if isinstance(accepted, Transfer):
        # Refused as no longer hers: moved out of her branch ("Not members of your organisations: #…", when the
        # move committed before her age-out read the member) or no longer active.
        refusal = " ".join(aged_out.messages).lower()
        assert "not members of your organisations" in refusal or "no longer" in refusal, aged_out
        assert (old.status, old.branch_id) == (MembershipStatus.ACTIVE, tree.branch_b.pk)
    else:
        assert "no longer an active member" in " ".join(accepted.messages), accepted
        assert old.status == MembershipStatus.AGED_OUT and old.branch_id == tree.branch_a.pk
        assert Transfer.objects.get(pk=transfer.pk).status == "pending_in"
    assert Membership.objects.filter(person=old, end__isnull=True).count() == (
        1 if isinstance(accepted, Transfer) else 0
    )
    assert_rollups_exact(rollups)
