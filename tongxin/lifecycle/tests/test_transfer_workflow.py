"""Transfers from each side to completion: the member moves only on acceptance, atomically, with history,
roll-ups and an audit row on both sides; every transition tells the next actor."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, Notification
from tongxin.lifecycle.models import Transfer, TransferReason, TransferSide, TransferStatus
from tongxin.lifecycle.services import transfers as services
from tongxin.orgs.tests.helpers import assert_rollups_exact
from tongxin.people.models import Membership, MembershipStatus, Person

pytestmark = pytest.mark.usefixtures("english")


def start(actor, person, to_org=None, side=TransferSide.SENDING, **kwargs):
    return services.start_transfer(actor, person=person, to_org=to_org, side=side,
                                   reason=TransferReason.EMPLOYMENT_WITH_ORG, **kwargs)  # fmt: skip


def test_started_by_the_sending_secretary_it_waits_for_the_receiving_side(tree, users, rollups):
    a1 = tree.people.a1
    before = rollups()

    transfer = start(users.secretary_a, a1, tree.branch_b)

    assert transfer.status == TransferStatus.PENDING_IN
    assert transfer.out_approved_by == users.secretary_a
    a1.refresh_from_db()
    assert a1.branch == tree.branch_a  # nothing moves before the acceptance
    assert rollups() == before
    note = Notification.objects.get(recipient=users.secretary_b)
    assert a1.name in note.text and note.url == f"/lifecycle/transfers/{transfer.pk}/"


def test_accepting_moves_the_member_with_history_rollups_and_both_sides_audited(tree, users, rollups):
    a1 = tree.people.a1
    transfer = start(users.secretary_a, a1, tree.branch_b)

    services.accept_in(users.secretary_b, transfer)

    a1 = Person.objects.get(pk=a1.pk)
    assert (a1.branch, a1.org_path, a1.status) == (tree.branch_b, tree.branch_b.path, MembershipStatus.ACTIVE)
    stays = list(Membership.objects.filter(person=a1).order_by("start", "id").values_list(
        "organization_id", "end_reason", "start_reason"))  # fmt: skip
    assert stays[-2][0] == tree.branch_a.pk and stays[-2][1] == Membership.Reason.TRANSFER
    assert stays[-1] == (tree.branch_b.pk, "", Membership.Reason.TRANSFER)
    assert Membership.objects.filter(person=a1, end__isnull=True).count() == 1
    assert_rollups_exact(rollups)
    person_rows = ChangeLog.objects.filter(object_id=str(a1.pk), content_type__model="person")
    assert {row.org_path for row in person_rows.filter(action=ChangeLog.Action.UPDATE)} >= {
        tree.branch_a.path, tree.branch_b.path}  # fmt: skip
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED and transfer.in_accepted_by == users.secretary_b
    assert Notification.objects.filter(recipient=users.secretary_a, text__contains="completed").exists()


def test_a_member_asks_then_the_branch_approves_then_the_receiver_accepts(tree, users):
    a2 = tree.people.a2  # users.member is linked to a2
    transfer = start(users.member, a2, tree.branch_b, side=TransferSide.MEMBER)
    assert transfer.status == TransferStatus.PENDING_OUT
    assert Notification.objects.filter(recipient=users.secretary_a).exists()

    services.approve_out(users.secretary_a, transfer)
    services.accept_in(users.secretary_b, transfer)

    assert Person.objects.get(pk=a2.pk).branch == tree.branch_b


def test_the_receiving_side_asks_and_the_sending_side_approves(tree, users):
    transfer = start(users.secretary_b, tree.people.a1, tree.branch_b, side=TransferSide.RECEIVING)
    assert transfer.status == TransferStatus.PENDING_OUT

    with pytest.raises(PermissionDenied):  # the receiver cannot approve the sending side's step
        services.approve_out(users.secretary_b, transfer)
    services.approve_out(users.secretary_a, transfer)
    services.accept_in(users.secretary_b, transfer)

    assert Person.objects.get(pk=tree.people.a1.pk).branch == tree.branch_b


def test_a_committee_destination_assigns_a_branch_on_acceptance(tree, users):
    transfer = start(users.secretary_a, tree.people.a1, tree.committee2)

    with pytest.raises(DomainError, match="not a branch: choose the branch"):
        services.accept_in(users.outsider, transfer)
    with pytest.raises(DomainError, match="Choose a branch of"):
        services.accept_in(users.outsider, transfer, branch=tree.branch_b)
    services.accept_in(users.outsider, transfer, branch=tree.branch_d)

    assert Person.objects.get(pk=tree.people.a1.pk).branch == tree.branch_d
    transfer.refresh_from_db()
    assert transfer.to_branch == tree.branch_d


def test_a_destination_outside_the_system_completes_on_approval(tree, users, rollups):
    transfer = services.start_transfer(
        users.member,
        person=tree.people.a2,
        side=TransferSide.MEMBER,
        external_destination="  北京某公司 ",
        reason=TransferReason.EMPLOYMENT_WITHOUT_ORG,
    )
    assert transfer.status == TransferStatus.PENDING_OUT

    services.approve_out(users.secretary_a, transfer)

    a2 = Person.objects.get(pk=tree.people.a2.pk)
    assert a2.status == MembershipStatus.TRANSFERRED_OUT and a2.branch == tree.branch_a
    assert not Membership.objects.filter(person=a2, end__isnull=True).exists()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETED and transfer.external_destination == "北京某公司"
    assert_rollups_exact(rollups)


def test_rejection_needs_a_reason_and_tells_who_started_it(tree, users):
    transfer = start(users.member, tree.people.a2, tree.branch_b, side=TransferSide.MEMBER)

    with pytest.raises(DomainError, match="Say why"):
        services.reject(users.secretary_a, transfer, reason="  ")
    services.reject(users.secretary_a, transfer, reason="材料不全")

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REJECTED and transfer.rejection_reason == "材料不全"
    assert Notification.objects.filter(recipient=users.member, text__contains="材料不全").exists()
    assert Person.objects.get(pk=tree.people.a2.pk).branch == tree.branch_a


def test_only_the_side_to_act_may_reject_and_only_the_starter_cancel(tree, users):
    transfer = start(users.secretary_a, tree.people.a1, tree.branch_b)  # waits for branch B
    with pytest.raises(PermissionDenied):
        services.reject(users.secretary_a, transfer, reason="不想")
    with pytest.raises(PermissionDenied):
        services.cancel(users.secretary_b, transfer)

    services.cancel(users.secretary_a, transfer)

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    start(users.secretary_a, tree.people.a1, tree.branch_b)  # a new one may start after a cancellation


def test_a_closed_transfer_refuses_every_action_naming_its_status(tree, users):
    transfer = start(users.secretary_a, tree.people.a1, tree.branch_b)
    services.accept_in(users.secretary_b, transfer)

    for action in (lambda: services.accept_in(users.secretary_b, transfer),
                   lambda: services.cancel(users.secretary_a, transfer),
                   lambda: services.reject(users.secretary_b, transfer, reason="晚了")):  # fmt: skip
        with pytest.raises(DomainError, match="already “Completed”"):
            action()


def test_completion_is_atomic_when_the_receiving_branch_was_dissolved(tree, users, rollups, row_counts):
    from tongxin.orgs.models import OrgKind
    from tongxin.orgs.services import create_organization, update_organization

    empty = create_organization(None, parent=tree.committee2, kind=OrgKind.BRANCH, name="戊团支部", code="T2E")
    transfer = start(users.secretary_a, tree.people.a1, empty)
    person_before = Person.objects.filter(pk=tree.people.a1.pk).values().get()
    update_organization(None, empty, status="dissolved")
    counts = row_counts()

    with pytest.raises(DomainError, match="dissolved"):
        services.accept_in(users.outsider, transfer)

    assert Person.objects.filter(pk=tree.people.a1.pk).values().get() == person_before
    assert row_counts() == counts
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING_IN


def test_bulk_action_moves_what_it_can_and_names_what_it_cannot(tree, users):
    first = start(users.member, tree.people.a2, tree.branch_b, side=TransferSide.MEMBER)
    second = services.start_transfer(
        users.outsider,
        person=tree.people.a1,
        side=TransferSide.RECEIVING,
        to_org=tree.committee2,
        reason=TransferReason.OTHER,
    )
    services.approve_out(users.secretary_a, second)

    waiting = list(services.waiting_for(users.committee_admin))
    assert {t.pk for t in waiting} == {first.pk}
    done, failed = services.act_on_many(users.district, list(services.waiting_for(users.district)))

    assert [t.pk for t in done] == [first.pk]
    assert [(t.pk, "branch" in reason) for t, reason in failed] == [(second.pk, True)]
    assert Transfer.objects.get(pk=first.pk).status == TransferStatus.PENDING_IN
