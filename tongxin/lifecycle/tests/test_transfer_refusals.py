"""Bad input to a transfer is refused with a clear message and nothing changes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import Notification
from tongxin.lifecycle.models import Transfer, TransferReason, TransferSide
from tongxin.lifecycle.services import transfers as services

pytestmark = pytest.mark.usefixtures("english")


def start(actor, person, to_org=None, side=TransferSide.SENDING, **kwargs):
    return services.start_transfer(actor, person=person, to_org=to_org, side=side, reason=TransferReason.OTHER,
                                   **kwargs)  # fmt: skip


def test_someone_outside_your_scope_cannot_be_transferred_out_by_you(tree, users, row_counts):
    before = row_counts()
    with pytest.raises(PermissionDenied):
        start(users.secretary_b, tree.people.a1, tree.branch_b)
    with pytest.raises(PermissionDenied):  # a member for someone else
        start(users.member, tree.people.a1, tree.branch_b, side=TransferSide.MEMBER)
    with pytest.raises(PermissionDenied):  # "receiving" into an organisation not yours
        start(users.secretary_b, tree.people.a1, tree.branch_c, side=TransferSide.RECEIVING)
    assert row_counts() == before and not Transfer.objects.exists()


def test_a_second_open_transfer_for_the_same_person_is_refused(tree, users):
    start(users.secretary_a, tree.people.a1, tree.branch_b)
    with pytest.raises(DomainError, match="already has a transfer in progress"):
        start(users.secretary_a, tree.people.a1, tree.branch_c)
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize(
    ("destination", "external", "message"),
    [
        (None, "", "Choose the receiving organisation"),
        ("party_branch", "", "to a league organisation"),
        ("branch_a", "", "already a member of"),
        ("branch_b", "某公司", "not both"),
    ],
)
def test_a_destination_that_makes_no_sense_is_refused(tree, users, destination, external, message):
    to_org = getattr(tree, destination) if destination else None
    with pytest.raises(DomainError, match=message):
        start(users.secretary_a, tree.people.a1, to_org, external_destination=external)
    assert not Transfer.objects.exists()


def test_a_former_member_cannot_be_transferred(tree, users):
    from tongxin.people.models import MembershipStatus
    from tongxin.people.services import update_person

    update_person(None, tree.people.a1, {"status": MembershipStatus.LEFT})
    with pytest.raises(DomainError, match="not an active member"):
        start(users.secretary_a, tree.people.a1, tree.branch_b)


def test_approval_by_someone_without_the_role_changes_nothing(tree, users):
    transfer = start(users.member, tree.people.a2, tree.branch_b, side=TransferSide.MEMBER)
    for intruder in (users.secretary_b, users.outsider, users.viewer, users.member):
        with pytest.raises(PermissionDenied):
            services.approve_out(intruder, transfer)
    transfer.refresh_from_db()
    assert transfer.status == "pending_out" and transfer.out_approved_by is None


def test_stalled_transfers_are_listed_and_the_organisation_above_is_told(tree, users):
    waiting = start(users.secretary_a, tree.people.a1, tree.branch_b)  # waits for branch B
    fresh = start(users.member, tree.people.a2, tree.branch_b, side=TransferSide.MEMBER)
    Transfer.objects.filter(pk=waiting.pk).update(last_action_at=timezone.now() - datetime.timedelta(days=11))
    Notification.objects.all().delete()

    assert list(services.stalled(Transfer.objects.all())) == [Transfer.objects.get(pk=waiting.pk)]
    assert services.escalate_stalled() == 1

    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"committee_admin"}  # the admin of committee 1, above branch B
    assert fresh.pk not in {t.pk for t in services.stalled(Transfer.objects.all())}
