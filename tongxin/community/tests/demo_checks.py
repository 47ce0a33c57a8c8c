"""The demo seed's community reporting: beside the reports on posted needs, the demo member's three free-standing
reports (no photo), one acknowledged by the community, one sent back with its reason, one waiting; the member sees
them and their state, the district's account has the waiting ones in its inbox.

Checked on the demo district that tongxin/core/tests/test_demo_parts.py seeds once for every app's checks.
"""

from __future__ import annotations

from django.urls import reverse

from tongxin.accounts.models import User
from tongxin.community.models import ReportStatus, ServiceReport
from tongxin.community.services import reports_to_acknowledge


def demo_seeds_free_standing_reports_acknowledged_and_sent_back(client):
    member = User.objects.get(username="member")
    assert member.person_id is not None
    own = ServiceReport.objects.filter(person_id=member.person_id, take_up__isnull=True, created_by=member)
    assert sorted(own.values_list("status", flat=True)) == sorted(
        [ReportStatus.ACKNOWLEDGED, ReportStatus.RETURNED, ReportStatus.SUBMITTED]
    )
    assert not own.filter(photos__isnull=False).exists()  # photo-less records
    assert own.get(status=ReportStatus.RETURNED).return_reason
    acknowledged = own.get(status=ReportStatus.ACKNOWLEDGED)
    assert acknowledged.acknowledged_by is not None and acknowledged.acknowledged_by.username == "district"
    district = User.objects.get(username="district")
    assert reports_to_acknowledge(district).filter(pk=own.get(status=ReportStatus.SUBMITTED).pk).exists()
    client.force_login(member)
    page = client.get(reverse("community:mine")).content.decode()
    assert all(r.content in page for r in own)
