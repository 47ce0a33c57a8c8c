"""The demo seed's donation drive: the demo committee's drive for migrant workers' children, fifteen donations and
two disbursements, seen (names included) by the committee's demo account."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from tongxin.accounts.models import User
from tongxin.donations import services
from tongxin.donations.models import DonationDrive


def test_the_demo_seeds_a_drive_with_donations_and_disbursements(db):
    call_command("seed_demo", stdout=StringIO())
    drive = DonationDrive.objects.get()
    totals = services.totals(drive)
    assert totals.donations == 15 and drive.disbursements.count() == 2
    assert totals.disbursed == Decimal("10500.00") and totals.balance > 0
    committee = User.objects.get(username="committee")
    assert DonationDrive.objects.visible_to(committee).filter(pk=drive.pk).exists()
