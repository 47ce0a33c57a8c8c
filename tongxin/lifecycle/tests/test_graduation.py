"""Graduation: a school branch sends its graduates on in one batch of transfers; all or nothing; graduates
left in a flow branch past the limit are listed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.lifecycle.models import GraduationBatch, GraduationDestination, Transfer, TransferStatus
from tongxin.lifecycle.services import transfers
from tongxin.lifecycle.services.graduation import Assignment, overdue_in_flow, send_graduates

pytestmark = pytest.mark.usefixtures("english")
JULY = datetime.date(2026, 7, 1)


def test_each_graduate_gets_a_transfer_tagged_with_the_destination(tree, users):
    batch = send_graduates(users.secretary_a, branch=tree.branch_a, graduation_date=JULY, assignments=[
        Assignment(tree.people.a1, GraduationDestination.EMPLOYER, tree.branch_c),
        Assignment(tree.people.a2, GraduationDestination.OUTSIDE, external="海外留学"),
    ])  # fmt: skip

    by_person = {t.person_id: t for t in batch.transfers.all()}
    employer = by_person[tree.people.a1.pk]
    assert (employer.status, employer.to_org, employer.graduation_destination) == (
        TransferStatus.PENDING_IN, tree.branch_c, GraduationDestination.EMPLOYER)  # fmt: skip
    outside = by_person[tree.people.a2.pk]
    assert outside.status == TransferStatus.COMPLETED and outside.external_destination == "海外留学"


def test_one_bad_line_refuses_the_whole_batch_naming_the_graduate(tree, users):
    with pytest.raises(DomainError, match="李甲二: choose the receiving organisation"):
        send_graduates(users.secretary_a, branch=tree.branch_a, graduation_date=JULY, assignments=[
            Assignment(tree.people.a1, GraduationDestination.EMPLOYER, tree.branch_c),
            Assignment(tree.people.a2, GraduationDestination.COMMUNITY, None),
        ])  # fmt: skip
    assert not Transfer.objects.exists() and not GraduationBatch.objects.exists()


def test_a_secretary_cannot_send_another_branchs_members(tree, users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        line = Assignment(tree.people.a1, GraduationDestination.EMPLOYER, tree.branch_c)
        send_graduates(users.secretary_b, branch=tree.branch_a, graduation_date=JULY, assignments=[line])
    assert not Transfer.objects.exists()


def test_graduates_left_in_the_flow_branch_past_the_limit_are_listed(tree, users):
    line = Assignment(tree.people.a1, GraduationDestination.FLOW, tree.branch_b)
    batch = send_graduates(users.secretary_a, branch=tree.branch_a, graduation_date=JULY, assignments=[line])
    transfer = batch.transfers.get()
    transfers.accept_in(users.secretary_b, transfer)

    assert not overdue_in_flow(Transfer.objects.all()).exists()  # just arrived
    Transfer.objects.filter(pk=transfer.pk).update(in_accepted_at=timezone.now() - datetime.timedelta(days=200))
    assert list(overdue_in_flow(Transfer.objects.all())) == [transfer]
    assert not overdue_in_flow(Transfer.objects.visible_to(users.outsider)).exists()


def test_the_batch_page_sends_the_ticked_graduates(tree, users, client_for):
    client = client_for(users.secretary_a)
    a1, a2 = tree.people.a1, tree.people.a2
    page = client.get(f"/lifecycle/graduation/branch/{tree.branch_a.pk}/").content.decode()
    assert a1.name in page and a2.name in page

    response = client.post(f"/lifecycle/graduation/branch/{tree.branch_a.pk}/", {
        "graduation_date": "2026-07-01", f"pick-{a1.pk}": "1", f"dest-{a1.pk}": "employer",
        f"org-{a1.pk}": tree.branch_c.code, f"dest-{a2.pk}": "employer",  # a2 not ticked
    })  # fmt: skip

    assert response.status_code == 302
    assert list(Transfer.objects.values_list("person_id", flat=True)) == [a1.pk]


def test_the_batch_page_explains_a_bad_line_and_keeps_what_was_typed(tree, users, client_for):
    client = client_for(users.secretary_a)
    a1 = tree.people.a1
    page = client.post(f"/lifecycle/graduation/branch/{tree.branch_a.pk}/", {
        "graduation_date": "2026-07-01", f"pick-{a1.pk}": "1", f"dest-{a1.pk}": "employer", f"org-{a1.pk}": "没有这个",
    }).content.decode()  # fmt: skip

    assert "No active league organisation has this code or full name" in page
    assert 'value="没有这个"' in page
    assert not Transfer.objects.exists()
