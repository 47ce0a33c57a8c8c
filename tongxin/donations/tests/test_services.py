"""The donation services: amounts exact and bounded (negative, zero, three decimal places, a float, above the
rule refused, nothing written), receipts once per drive, dates, voiding with a reason, disbursements never
beyond the balance, closing the drive; each write audited; totals from aggregates."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, RuleValue
from tongxin.donations import services
from tongxin.donations.models import Disbursement, DisbursementEvidence, Donation, DriveStatus
from tongxin.donations.tests.donation_helpers import donate, drive

pytestmark = pytest.mark.usefixtures("english")


def test_a_drive_with_donations_and_totals(tree, users):
    row = drive(tree.branch_a, users.secretary_a)
    donate(users.secretary_a, row, "150.50", "R-1")
    donate(users.secretary_a, row, "2000", "R-2", donor_kind="organization", donor_name="滇池科技有限公司")
    anonymous = donate(users.secretary_a, row, "49.50", "R-3", donor_kind="anonymous", donor_name="不应保存")
    assert anonymous.donor_name == ""
    services.record_disbursement(users.secretary_a, row, amount=Decimal("1000"), disbursed_on=timezone.localdate(),
                                 purpose="购置书包", recipient="春苗学校")  # fmt: skip
    totals = services.totals(row)
    assert (totals.received, totals.disbursed, totals.balance) == (Decimal("2200.00"), Decimal("1000.00"),
                                                                    Decimal("1200.00"))  # fmt: skip
    assert (totals.percent, totals.donations, totals.percent_exact) == (22, 3, Decimal("22.0"))
    assert ChangeLog.objects.filter(content_type__model="donation", action=ChangeLog.Action.CREATE).count() == 3
    assert ChangeLog.objects.filter(content_type__model="disbursement").count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("-5"), "more than zero"),
        (Decimal("0"), "more than zero"),
        (Decimal("0.001"), "two decimal places"),
        (Decimal("12.345"), "two decimal places"),
        (12.5, "as a number"),
        ("abc", "as a number"),
        (Decimal("NaN"), "as a number"),
        (Decimal("1000000.01"), "largest amount"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(tree, users, amount, message):
    row = drive(tree.branch_a, users.secretary_a)
    logs = ChangeLog.objects.count()
    with pytest.raises(DomainError) as refused:
        services.record_donation(users.secretary_a, row, donor_kind="person", donor_name="李明", amount=amount,
                                 donated_on=timezone.localdate(), receipt_number="R-9")  # fmt: skip
    assert message in " ".join(refused.value.messages)
    assert not Donation.objects.exists() and ChangeLog.objects.count() == logs


def test_the_upper_bound_is_a_rule(tree, users):
    row = drive(tree.branch_a, users.secretary_a)
    RuleValue.objects.create(key="donation_max_yuan", value=500)
    from django.core.cache import cache

    from tongxin.core import rules

    cache.clear()
    rules._local = None
    with pytest.raises(DomainError):
        donate(users.secretary_a, row, "500.01")
    assert donate(users.secretary_a, row, "500").amount == Decimal("500.00")


def test_receipts_dates_and_donor_names(tree, users):
    row = drive(tree.branch_a, users.secretary_a)
    donate(users.secretary_a, row, receipt="R-1")
    today = timezone.localdate()
    bad: list[dict[str, Any]] = [
        {"receipt": "R-1"},  # the same receipt twice
        {"donated_on": today + datetime.timedelta(days=1)},  # the future
        {"donated_on": today - datetime.timedelta(days=100)},  # far before the drive
        {"donor_name": ""},  # a named donor needs a name
        {"donor_kind": "alien"},
        {"receipt": ""},
    ]
    for values in bad:
        with pytest.raises(DomainError):
            donate(users.secretary_a, row, **{"receipt": "R-2", **values})
    assert Donation.objects.count() == 1


def test_only_the_organisers_record(tree, users):
    row = drive(tree.branch_a, users.secretary_a)
    for who in (users.secretary_b, users.outsider, users.viewer):
        with pytest.raises(PermissionDenied):
            donate(who, row)
    with pytest.raises(PermissionDenied):
        drive(tree.branch_a, users.secretary_b)
    assert not Donation.objects.exists()


def test_disbursements_never_exceed_what_was_received(tree, users):
    row = drive(tree.branch_a, users.secretary_a)
    donate(users.secretary_a, row, "300")
    with pytest.raises(DomainError) as refused:
        services.record_disbursement(
            users.secretary_a,
            row,
            amount=Decimal("300.01"),
            disbursed_on=timezone.localdate(),
            purpose="文具",
            recipient="学校",
            evidence=("收据.pdf", b"%PDF-1.4\n"),
        )
    assert "balance" in " ".join(refused.value.messages)
    assert not Disbursement.objects.exists() and not DisbursementEvidence.objects.exists()
    with pytest.raises(DomainError):  # a file that is not what it says
        services.record_disbursement(
            users.secretary_a,
            row,
            amount=Decimal("100"),
            disbursed_on=timezone.localdate(),
            purpose="文具",
            recipient="学校",
            evidence=("收据.pdf", b"MZ not a pdf"),
        )
    assert not Disbursement.objects.exists()
    services.record_disbursement(
        users.secretary_a,
        row,
        amount=Decimal("300"),
        disbursed_on=timezone.localdate(),
        purpose="文具",
        recipient="学校",
        evidence=("收据.pdf", b"%PDF-1.4\n"),
    )
    assert DisbursementEvidence.objects.get().content_type == "application/pdf"
    assert services.totals(row).balance == Decimal("0.00")


def test_voiding_a_donation(tree, users):
    row = drive(tree.branch_a, users.secretary_a)
    first = donate(users.secretary_a, row, "300", "R-1")
    donate(users.secretary_a, row, "100", "R-2")
    with pytest.raises(DomainError):
        services.void_donation(users.secretary_a, first, reason="")
    services.record_disbursement(users.secretary_a, row, amount=Decimal("150"), disbursed_on=timezone.localdate(),
                                 purpose="文具", recipient="学校")  # fmt: skip
    with pytest.raises(DomainError):  # would leave 100 received against 150 disbursed
        services.void_donation(users.secretary_a, first, reason="录入错误")
    second = Donation.objects.get(receipt_number="R-2")
    voided = services.void_donation(users.secretary_a, second, reason="重复录入")
    assert voided.voided and voided.void_reason == "重复录入" and voided.amount == Decimal("100.00")
    assert services.totals(row).received == Decimal("300.00")
    with pytest.raises(DomainError):
        services.void_donation(users.secretary_a, second, reason="again")


def test_closing_the_drive(tree, users):
    row = drive(tree.branch_a, users.secretary_a)
    donate(users.secretary_a, row, "100")
    closed = services.close_drive(users.secretary_a, row)
    assert closed.status == DriveStatus.CLOSED and closed.closed_at is not None
    with pytest.raises(DomainError):
        services.close_drive(users.secretary_a, row)
    with pytest.raises(DomainError):
        donate(users.secretary_a, row, receipt="R-2")
    services.record_disbursement(users.secretary_a, row, amount=Decimal("100"), disbursed_on=timezone.localdate(),
                                 purpose="文具", recipient="学校")  # fmt: skip


def test_bad_drives_are_refused(tree, users):
    today = timezone.localdate()
    for values in ({"goal": Decimal("-1")}, {"goal": Decimal("0")}, {"partner": ""}, {"title": ""},
                   {"ends_on": today - datetime.timedelta(days=30)}):  # fmt: skip
        with pytest.raises(DomainError):
            drive(tree.branch_a, users.secretary_a, **values)
