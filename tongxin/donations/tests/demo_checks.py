"""The demo seed's donation drives: the demo committee's drive for migrant workers' children, fifteen donations and
two disbursements, seen (names included) by the committee's demo account; and one drive of each enterprise
committee, with its donations (the bulk that grows with ``--scale``).

Checked on the demo district that tongxin/core/tests/test_demo_parts.py seeds once for every app's checks.
"""

from __future__ import annotations

from decimal import Decimal

from tongxin.accounts.models import User
from tongxin.donations import services
from tongxin.donations.demo import COMPANY_DONATIONS
from tongxin.donations.models import DonationDrive
from tongxin.orgs.models import OrgCategory


def demo_seeds_a_drive_with_donations_and_disbursements(client):
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
