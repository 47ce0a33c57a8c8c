"""Shared helpers of the donations tests: a drive of branch A and donations to it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tongxin.donations import services


def drive(org, actor=None, **values):
    today = timezone.localdate()
    data: dict[str, Any] = {
        "title": "关爱农民工子女助学募捐",
        "partner": "云南省青少年发展基金会",
        "goal": Decimal("10000.00"),
        "starts_on": today - datetime.timedelta(days=10),
        "ends_on": today + datetime.timedelta(days=20),
        "beneficiaries": "随迁子女学校学生",
    }
    data.update(values)
    return services.create_drive(actor, organization=org, **data)


def donate(actor, row, amount="100.00", receipt="R-001", **values):
    data: dict[str, Any] = {"donor_kind": "person", "donor_name": "李明", "amount": Decimal(amount),
                            "donated_on": timezone.localdate(), "receipt_number": receipt}  # fmt: skip
    data.update(values)
    return services.record_donation(actor, row, **data)
