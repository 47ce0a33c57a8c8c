"""Every write of the donation drives: open and close a drive, record a donation, void one with a reason,
record a disbursement (with optional evidence). Tongxin takes no money: these are records of what the partner
charity received and spent.

Who acts: CHANGE over the drive's organisation. Each service runs in one transaction and writes its ChangeLog
row; each refusal names the field and the rule and writes nothing. Amounts are exact decimals in yuan: more than
two decimal places, zero, a negative amount or one above the rule ``donation_max_yuan`` is refused, never
rounded. The totals are aggregate queries (``totals``), so they never drift from the rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core.audit import record_change
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date, checked_text, wording_refusal
from tongxin.core.models import ChangeLog
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Actor, by, require
from tongxin.core.uploads import check_upload
from tongxin.core.workflow import Workflow
from tongxin.donations.models import (
    Disbursement,
    DisbursementEvidence,
    Donation,
    DonationDrive,
    DonorKind,
    DriveStatus,
)
from tongxin.orgs.models import Organization, OrgStatus

ZERO = Decimal("0.00")
NEAR_DAYS = 31  # a donation may be dated this many days before the drive starts or after it ends
DRIVES: Workflow[DonationDrive] = Workflow(
    DonationDrive,
    {"close": ((DriveStatus.OPEN,), DriveStatus.CLOSED)},
    refusal=gettext_lazy("This drive is already “%(status)s”; someone acted on it before you. Reload the page."),
    url_name="donations:drive",
)


def _text(field: str, value: str | None, *, max_length: int, required: str, multiline: bool = False) -> str:
    text = checked_text(field, value, max_length=max_length, multiline=multiline)
    if not text:
        raise DomainError(field, required)
    return text


def _wording(field: str, value: str | None, *, max_length: int, required: str) -> str:
    text = _text(field, value, max_length=max_length, required=required)
    if refusal := wording_refusal(text):
        raise DomainError(field, refusal)
    return text


def checked_amount(field: str, value: Any, *, limit: Decimal | None = None) -> Decimal:
    """``value`` as an exact amount in yuan (two decimal places at most, more than zero, at most ``limit``), or a
    DomainError on ``field`` saying which rule it breaks. A float is refused: it is not exact."""
    if isinstance(value, float | bool):
        raise DomainError(field, _("Give the amount in yuan as a number, e.g. 200 or 150.50."))
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(field, _("Give the amount in yuan as a number, e.g. 200 or 150.50.")) from None
    if not amount.is_finite():
        raise DomainError(field, _("Give the amount in yuan as a number, e.g. 200 or 150.50."))
    if amount <= 0:
        raise DomainError(field, _("An amount is more than zero."))
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise DomainError(field, _("An amount in yuan has at most two decimal places (fen)."))
    if limit is not None and amount > limit:
        raise DomainError(field, _("%(amount)s yuan is more than the largest amount allowed here, %(limit)s yuan.")
                          % {"amount": amount, "limit": limit})  # fmt: skip
    return amount.quantize(Decimal("0.01"))


def _day(field: str, value: Any, message: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise DomainError(field, message)
    return value


# --- totals --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    goal: Decimal
    received: Decimal
    donations: int
    disbursed: Decimal

    @property
    def balance(self) -> Decimal:
        return self.received - self.disbursed

    @property
    def percent(self) -> int:
        """Per cent of the goal received (whole, floor), at most 100 for the progress bar's width."""
        return min(100, int(self.received * 100 / self.goal)) if self.goal > 0 else 0

    @property
    def percent_exact(self) -> Decimal:
        return (self.received * 100 / self.goal).quantize(Decimal("0.1")) if self.goal > 0 else ZERO


def received(drive: DonationDrive) -> Decimal:
    total = Donation.objects.filter(drive=drive, voided_at__isnull=True).aggregate(s=Sum("amount"))["s"]
    return (total or ZERO).quantize(ZERO)  # SQLite's sum drops trailing zeros


def disbursed(drive: DonationDrive) -> Decimal:
    return (Disbursement.objects.filter(drive=drive).aggregate(s=Sum("amount"))["s"] or ZERO).quantize(ZERO)


def totals(drive: DonationDrive) -> Totals:
    counted = Donation.objects.filter(drive=drive, voided_at__isnull=True)
    return Totals(goal=drive.goal, received=received(drive), donations=counted.count(), disbursed=disbursed(drive))


# --- drives --------------------------------------------------------------------------------------------


@transaction.atomic
def create_drive(
    actor: Actor,
    *,
    organization: Organization,
    title: str,
    partner: str,
    goal: Any,
    starts_on: datetime.date,
    ends_on: datetime.date,
    beneficiaries: str,
) -> DonationDrive:
    """A drive run by ``organization`` (CHANGE over it) with a partner charity."""
    require(actor, CHANGE, organization.path)
    if organization.status != OrgStatus.ACTIVE:
        raise DomainError("organization", _("%(org)s has been dissolved.") % {"org": organization.name})
    title = _wording("title", title, max_length=100, required=_("Give the drive's title."))
    partner = _wording("partner", partner, max_length=100,
                       required=_("Name the partner charity: Tongxin records drives, it takes no money."))  # fmt: skip
    goal = checked_amount("goal", goal, limit=Decimal(100_000_000))
    starts_on = _day("starts_on", starts_on, _("Give the drive's first and last day."))
    ends_on = _day("ends_on", ends_on, _("Give the drive's first and last day."))
    checked_date("starts_on", starts_on, "plan")
    checked_date("ends_on", ends_on, "plan")
    if ends_on < starts_on:
        raise DomainError("ends_on", _("A drive ends on or after the day it starts."))
    beneficiaries = _text("beneficiaries", beneficiaries, max_length=1000, multiline=True,
                          required=_("Say who the drive is for."))  # fmt: skip
    drive = DonationDrive.objects.create(
        organization=organization, org_path=organization.path, title=title, partner=partner, goal=goal,
        starts_on=starts_on, ends_on=ends_on, beneficiaries=beneficiaries,
        created_by=by(actor),
    )  # fmt: skip
    record_change(actor, drive, ChangeLog.Action.CREATE, after={"organization": organization.pk, "title": title,
                  "partner": partner, "goal": str(goal), "starts_on": starts_on.isoformat(),
                  "ends_on": ends_on.isoformat()}, org_path=organization.path)  # fmt: skip
    return drive


@transaction.atomic
def close_drive(actor: Actor, drive: DonationDrive) -> DonationDrive:
    """The drive takes no more donations (disbursements may still be recorded)."""
    require(actor, CHANGE, drive.org_path)
    drive = DRIVES.lock(actor, drive, "close")
    return DRIVES.move(actor, drive, "close", changes={"closed_at": timezone.now()})


# --- donations -----------------------------------------------------------------------------------------


def _locked(drive: DonationDrive) -> DonationDrive:
    """The drive row locked, so two organisers' writes on it are serialised (totals checked against both)."""
    return DonationDrive.objects.select_for_update().get(pk=drive.pk)


@transaction.atomic
def record_donation(
    actor: Actor,
    drive: DonationDrive,
    *,
    donor_kind: str,
    donor_name: str = "",
    amount: Any,
    donated_on: datetime.date,
    receipt_number: str,
) -> Donation:
    """A donation from the partner's receipt: CHANGE over the drive's organisation, the drive open."""
    require(actor, CHANGE, drive.org_path)
    drive = _locked(drive)
    if drive.status != DriveStatus.OPEN:
        raise DomainError("__all__", _("The drive is closed: it takes no more donations."))
    if donor_kind not in DonorKind.values:
        raise DomainError("donor_kind", _("Say who gave: a person, an organisation, or anonymous."))
    if donor_kind == DonorKind.ANONYMOUS:
        donor_name = ""
    else:
        donor_name = _wording("donor_name", donor_name, max_length=100,
                              required=_("Give the donor's name, or record the donation as anonymous."))  # fmt: skip
    amount = checked_amount("amount", amount, limit=Decimal(rule("donation_max_yuan")))
    donated_on = _day("donated_on", donated_on, _("Give the day of the donation."))
    if donated_on > timezone.localdate():
        raise DomainError("donated_on", _("A donation is recorded once it was made: the day is not in the future."))
    near = datetime.timedelta(days=NEAR_DAYS)
    if not drive.starts_on - near <= donated_on <= drive.ends_on + near:
        raise DomainError("donated_on", _("The day lies far outside the drive's period (%(start)s to %(end)s).")
                          % {"start": drive.starts_on, "end": drive.ends_on})  # fmt: skip
    receipt_number = _text("receipt_number", receipt_number, max_length=40,
                           required=_("Give the number of the partner charity's receipt."))  # fmt: skip
    if Donation.objects.filter(drive=drive, receipt_number=receipt_number).exists():
        raise DomainError("receipt_number", _("Receipt %(number)s is already recorded for this drive.")
                          % {"number": receipt_number})  # fmt: skip
    try:
        with transaction.atomic():
            donation = Donation.objects.create(
                drive=drive, org_path=drive.org_path, donor_kind=donor_kind, donor_name=donor_name, amount=amount,
                donated_on=donated_on, receipt_number=receipt_number,
                recorded_by=by(actor),
            )  # fmt: skip
    except IntegrityError:
        raise DomainError("receipt_number", _("Receipt %(number)s is already recorded for this drive.")
                          % {"number": receipt_number}) from None  # fmt: skip
    record_change(actor, donation, ChangeLog.Action.CREATE, after={"drive": drive.pk, "donor_kind": donor_kind,
                  "donor_name": donor_name, "amount": str(amount), "donated_on": donated_on.isoformat(),
                  "receipt_number": receipt_number}, org_path=drive.org_path)  # fmt: skip
    return donation


@transaction.atomic
def void_donation(actor: Actor, donation: Donation, *, reason: str) -> Donation:
    """A wrong donation counts no more (a typo is voided and recorded again, never edited): with a reason; refused
    when what was disbursed would then exceed what was received."""
    require(actor, CHANGE, donation.org_path)
    drive = _locked(donation.drive)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if donation.voided_at is not None:
        raise DomainError("__all__", _("This donation is already voided."))
    reason = _text("reason", reason, max_length=300, required=_("Say why the donation is voided."))
    if received(drive) - donation.amount < disbursed(drive):
        raise DomainError("__all__", _("Voiding it would leave more disbursed than received; correct the "
                                       "disbursements first."))  # fmt: skip
    donation.voided_at = timezone.now()
    donation.void_reason = reason
    donation.save(update_fields=["voided_at", "void_reason"])
    record_change(actor, donation, ChangeLog.Action.UPDATE, before={"void_reason": ""},
                  after={"void_reason": reason, "voided": True}, org_path=drive.org_path)  # fmt: skip
    return donation


# --- disbursements -------------------------------------------------------------------------------------


@transaction.atomic
def record_disbursement(
    actor: Actor,
    drive: DonationDrive,
    *,
    amount: Any,
    disbursed_on: datetime.date,
    purpose: str,
    recipient: str,
    evidence: tuple[str, bytes] | None = None,
) -> Disbursement:
    """Money spent on the beneficiaries: never more, in all, than was received; the evidence (a photo or PDF,
    checked by its content) optional."""
    require(actor, CHANGE, drive.org_path)
    drive = _locked(drive)
    amount = checked_amount("amount", amount, limit=Decimal(100_000_000))
    disbursed_on = _day("disbursed_on", disbursed_on, _("Give the day of the disbursement."))
    if disbursed_on > timezone.localdate():
        raise DomainError("disbursed_on", _("A disbursement is recorded once it was made: the day is not in the "
                                            "future."))  # fmt: skip
    if disbursed_on < drive.starts_on:
        raise DomainError("disbursed_on", _("A disbursement is made after the drive started."))
    purpose = _wording("purpose", purpose, max_length=200, required=_("Say what the money was spent on."))
    recipient = _wording("recipient", recipient, max_length=100, required=_("Say who received it."))
    balance = received(drive) - disbursed(drive)
    if amount > balance:
        message = _(
            "%(amount)s yuan is more than the drive's balance, %(balance)s yuan: no more is disbursed than "
            "was received."
        )
        raise DomainError("amount", message % {"amount": amount, "balance": balance})
    checked_file = check_upload(evidence[0], evidence[1], field="evidence") if evidence else None
    row = Disbursement.objects.create(drive=drive, org_path=drive.org_path, amount=amount, disbursed_on=disbursed_on,
                                      purpose=purpose, recipient=recipient,
                                      recorded_by=by(actor))  # fmt: skip
    after: dict[str, Any] = {"drive": drive.pk, "amount": str(amount), "disbursed_on": disbursed_on.isoformat(),
                             "purpose": purpose, "recipient": recipient}  # fmt: skip
    if evidence and checked_file:
        name, content_type = checked_file
        DisbursementEvidence.objects.create(disbursement=row, file_name=name, content_type=content_type,
                                            size=len(evidence[1]), content=evidence[1],
                                            uploaded_by=by(actor))  # fmt: skip
        after["evidence"] = name
    record_change(actor, row, ChangeLog.Action.CREATE, after=after, org_path=drive.org_path)
    return row
