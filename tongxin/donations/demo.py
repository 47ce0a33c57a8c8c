"""The demo district's donation drive: the seed_demo step registered in ``DonationsConfig.ready()`` (order 380,
after the activities, 350). The demo committee runs a drive for migrant workers' children with a partner
charity (a foundation qualified for public fundraising), fifteen donations recorded from its receipts (people,
companies, anonymous donors) and two disbursements, every record through the services by the district's demo
account. Deterministic for a given seed.

Data (names, purposes) is Chinese by nature: it is sample content, not UI text.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.demo import demo_actors
from tongxin.core.registry import DemoRun
from tongxin.donations import services
from tongxin.donations.models import DonationDrive, DonorKind
from tongxin.orgs.models import Organization

DONORS = [
    (DonorKind.PERSON, "李明"),
    (DonorKind.ORGANIZATION, "昆明滇池科技有限公司"),
    (DonorKind.PERSON, "王芳"),
    (DonorKind.ANONYMOUS, ""),
    (DonorKind.PERSON, "张伟"),
    (DonorKind.ORGANIZATION, "西山区青年企业家协会"),
    (DonorKind.PERSON, "刘洋"),
    (DonorKind.ANONYMOUS, ""),
    (DonorKind.PERSON, "陈静"),
    (DonorKind.ORGANIZATION, "云南红土书店"),
    (DonorKind.PERSON, "杨帆"),
    (DonorKind.PERSON, "赵磊"),
    (DonorKind.ANONYMOUS, ""),
    (DonorKind.PERSON, "黄丽"),
    (DonorKind.ORGANIZATION, "昆明市西山区某物业服务中心"),
]
AMOUNTS = ["200.00", "5000.00", "100.00", "66.66", "300.00", "10000.00", "500.00", "88.88", "150.50", "2000.00",
           "1000.00", "50.00", "1288.00", "260.00", "3000.00"]  # fmt: skip


@dataclass
class DonationsResult:
    drives: int
    donations: int
    disbursements: int
    seconds: float


def already_seeded() -> str:
    return _("The database already holds donation drives.") if DonationDrive.objects.exists() else ""


def seed(run: DemoRun) -> DonationsResult:
    started = time.monotonic()
    actors = demo_actors()
    actor = actors.district
    committee = Organization.objects.filter(path=actors.committee_path).first()
    if committee is None:
        return DonationsResult(0, 0, 0, 0.0)
    rng = random.Random(run.seed + 380)
    today = timezone.localdate()
    starts = today - datetime.timedelta(days=40)
    with transaction.atomic():
        drive = services.create_drive(
            actor, organization=committee, title="关爱农民工子女“童心助学”募捐", partner="云南省青少年发展基金会",
            goal=Decimal("50000.00"), starts_on=starts, ends_on=today + datetime.timedelta(days=50),
            beneficiaries="西山区农民工随迁子女学校的学生：书包、文具和冬衣。",
        )  # fmt: skip
        for n, ((kind, name), amount) in enumerate(zip(DONORS, AMOUNTS, strict=True)):
            services.record_donation(
                actor,
                drive,
                donor_kind=kind,
                donor_name=name,
                amount=Decimal(amount),
                donated_on=starts + datetime.timedelta(days=min(39, 2 * n + rng.randrange(2))),
                receipt_number=f"YNQJ-{today.year}-{1001 + n:05d}",
            )
        school = "西山区春苗学校"
        for amount, days_ago, purpose in (("6000.00", 10, "为120名学生购置书包和文具"), ("4500.00", 3, "冬衣90套")):
            services.record_disbursement(actor, drive, amount=Decimal(amount), purpose=purpose, recipient=school,
                                         disbursed_on=today - datetime.timedelta(days=days_ago))  # fmt: skip
    run.progress("donations: 1 drive, 15 donations, 2 disbursements")
    return DonationsResult(1, len(DONORS), 2, time.monotonic() - started)


def summary(result: DonationsResult) -> str:
    return _("Donation drives seeded: %(drives)d drive, %(donations)d donations, %(disbursements)d disbursements "
             "in %(s).1f s.") % {"drives": result.drives, "donations": result.donations,
                                 "disbursements": result.disbursements, "s": result.seconds}  # fmt: skip
