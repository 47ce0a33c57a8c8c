"""The demo district's donation drive: the seed_demo step registered in ``DonationsConfig.ready()`` (order 380,
after the activities, 350). The demo committee runs a drive for migrant workers' children with a partner
charity (a foundation qualified for public fundraising), fifteen donations recorded from its receipts (people,
companies, anonymous donors) and two disbursements, every record through the services by the district's demo
account. Deterministic for a given seed.

Across the district (the bulk, ``seed_company_drives``): every other enterprise committee runs a drive of its own
(through ``create_drive``) with a dozen donations recorded in bulk after ``record_donation``'s checks: these grow
with the district (``--scale``).

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

from tongxin.accounts.demo import DemoActors, demo_actors
from tongxin.core.audit import change_entry
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.registry import DemoRun
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, require
from tongxin.donations import services
from tongxin.donations.models import Donation, DonationDrive, DonorKind, DriveStatus
from tongxin.orgs.models import Organization, OrgCategory, OrgKind, OrgStatus

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
        drives, donations = seed_company_drives(run, actors, committee, today)
    run.progress(f"donations: {1 + drives} drives, {len(DONORS) + donations} donations, 2 disbursements")
    return DonationsResult(1 + drives, len(DONORS) + donations, 2, time.monotonic() - started)


COMPANY_DONATIONS = 12  # donations recorded for each enterprise committee's drive


def seed_company_drives(run: DemoRun, actors: DemoActors, taken: Organization, today: datetime.date) -> tuple[int, int]:
    """A drive of each active enterprise committee but ``taken`` (through ``create_drive``, by the account whose
    scope holds it), and ``COMPANY_DONATIONS`` donations to each, written in bulk after ``record_donation``'s
    checks (CHANGE over the drive's organisation, the drive open, a donor kind and a name unless anonymous, the
    amount's rules and limit, a day not in the future and near the drive's period, a receipt number not yet
    recorded for the drive); each donation leaves ``record_donation``'s ChangeLog row. Returns (drives,
    donations)."""
    rng = random.Random(run.seed + 381)
    limit = Decimal(rule("donation_max_yuan"))
    companies = list(
        Organization.objects.filter(kind=OrgKind.COMMITTEE, category=OrgCategory.ENTERPRISE, status=OrgStatus.ACTIVE)
        .exclude(pk=taken.pk)
        .order_by("path")
    )
    rows: list[Donation] = []
    for n, company in enumerate(companies):
        actor = actors.for_path(company.path)
        starts = today - datetime.timedelta(days=rng.randint(20, 200))
        drive = services.create_drive(
            actor, organization=company, title=f"{company.short_name}“金秋助学”募捐"[:200],
            partner="云南省青少年发展基金会", goal=Decimal(rng.choice(["20000.00", "30000.00", "50000.00"])),
            starts_on=starts, ends_on=starts + datetime.timedelta(days=60),
            beneficiaries="西山区困难家庭的在校学生：学习用品和助学金。",
        )  # fmt: skip
        require(actor, CHANGE, drive.org_path)
        if drive.status != DriveStatus.OPEN:
            raise DomainError("__all__", "the drive is closed")
        receipts: set[str] = set()
        for k in range(COMPANY_DONATIONS):
            kind, name = DONORS[rng.randrange(len(DONORS))]
            amount = services.checked_amount("amount", Decimal(rng.choice(AMOUNTS)), limit=limit)
            donated_on = min(starts + datetime.timedelta(days=rng.randrange(60)), today)
            receipt = f"YNQJ-{today.year}-{n + 2:04d}-{k + 1:03d}"
            if not drive.starts_on - datetime.timedelta(days=services.NEAR_DAYS) <= donated_on or receipt in receipts:
                raise DomainError("donated_on", "a donation out of record_donation's rules")
            receipts.add(receipt)
            rows.append(Donation(drive=drive, org_path=drive.org_path, donor_kind=kind,
                                 donor_name="" if kind == DonorKind.ANONYMOUS else name, amount=amount,
                                 donated_on=donated_on, receipt_number=receipt, recorded_by=actor))  # fmt: skip
    Donation.objects.bulk_create(rows, batch_size=1000)
    ChangeLog.objects.bulk_create(
        [e for d in rows if (e := change_entry(d.recorded_by, d, ChangeLog.Action.CREATE, org_path=d.org_path, after={
            "drive": d.drive_id, "donor_kind": d.donor_kind, "donor_name": d.donor_name, "amount": str(d.amount),
            "donated_on": d.donated_on.isoformat(), "receipt_number": d.receipt_number}))],
        batch_size=1000,
    )  # fmt: skip
    return len(companies), len(rows)


def summary(result: DonationsResult) -> str:
    return _("Donation drives seeded: %(drives)d drive, %(donations)d donations, %(disbursements)d disbursements "
             "in %(s).1f s.") % {"drives": result.drives, "donations": result.donations,
                                 "disbursements": result.disbursements, "s": result.seconds}  # fmt: skip
