"""The demo seed's donation drives: the demo committee's drive for migrant workers' children, fifteen donations and
two disbursements, seen (names included) by the committee's demo account; and one drive of each enterprise
committee, with its donations (the bulk that grows with ``--scale``)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from tongxin.accounts.models import User
from tongxin.donations import services
from tongxin.donations.demo import COMPANY_DONATIONS
from tongxin.donations.models import DonationDrive
from tongxin.orgs.models import OrgCategory


def test_the_demo_seeds_a_drive_with_donations_and_disbursements(db):
    call_command("seed_demo", stdout=StringIO())
    committee = User.objects.get(username="committee")
    drive = DonationDrive.objects.get(organization=committee.role_assignments.get().organization)
    totals = services.totals(drive)
    assert totals.donations == 15 and drive.disbursements.count() == 2
    assert totals.disbursed == Decimal("10500.00") and totals.balance > 0
    assert DonationDrive.objects.visible_to(committee).filter(pk=drive.pk).exists()
    others = DonationDrive.objects.exclude(pk=drive.pk)
    assert others.exists()
    for other in others:
        assert other.organization.category == OrgCategory.ENTERPRISE
        assert services.totals(other).donations == COMPANY_DONATIONS
