"""Donation drives (募捐): Tongxin takes no money. Public online fundraising is reserved by the Charity Law to
charities with the qualification, on designated platforms; an organisation runs a drive with such a partner
charity and records here what was given and what was spent.

A ``DonationDrive`` is run by an organisation with a partner charity: a goal (yuan, an exact decimal), a period,
its beneficiaries; open, then closed (``DRIVES``, core.workflow). A ``Donation`` is recorded by an organiser
(donor: a person, an organisation, or anonymous; amount; date; the partner's receipt number, once per drive).
A donation is never edited: a wrong one is voided with a reason (and recorded again). A ``Disbursement`` is money
the partner spent on the beneficiaries, with optional evidence (``DisbursementEvidence``, a photo or PDF checked
by its content); what is disbursed never exceeds what was received.

Who sees what: everything of a drive is seen by the role holders of the organising organisation's subtree
(``org_path``) and changed by those who may change there. A donor's name is personal data: it is shown only
to those who may change the drive; everyone else sees "(name hidden)".
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.fields import InWindow, Wording
from tongxin.core.models import StoredFile
from tongxin.core.scoping import ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import Organization

CENT = Decimal("0.01")


class DriveStatus(models.TextChoices):
    # Their own msgctxt: the bare "Open" and "Closed" are other apps' (a form, a checklist item) and read wrongly
    # for a drive (打开, 已销号); a drive is 募集中 or 已结束.
    OPEN = "open", pgettext_lazy("donation drive", "Open")
    CLOSED = "closed", pgettext_lazy("donation drive", "Closed")


class DonationDrive(models.Model):
    """A drive run by an organisation with a partner charity, e.g. 关爱农民工子女助学募捐."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="donation_drives",
                                     verbose_name=_("organising organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=100, validators=[Wording()])
    partner = models.CharField(_("partner charity"), max_length=100, validators=[Wording()])
    goal = models.DecimalField(_("goal (yuan)"), max_digits=12, decimal_places=2,
                               validators=[MinValueValidator(CENT)])  # fmt: skip
    starts_on = models.DateField(_("starts on"), validators=[InWindow("plan")])
    ends_on = models.DateField(_("ends on"), validators=[InWindow("plan")])
    beneficiaries = models.TextField(_("beneficiaries"), max_length=1000)
    status = models.CharField(_("status"), max_length=8, choices=DriveStatus.choices, default=DriveStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["organization", "title", "partner", "goal", "starts_on", "ends_on", "beneficiaries", "status"]

    class Meta:
        verbose_name = _("donation drive")
        verbose_name_plural = _("donation drives")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="drive_period"),
            models.CheckConstraint(condition=Q(goal__gt=0), name="drive_goal_positive"),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="drive_path_idx")]

    def __str__(self) -> str:
        return self.title


class DonorKind(models.TextChoices):
    # Their own msgctxt: the bare msgids are the roster's person (人员) and the tree's organisation (组织); a donor
    # is a 个人 or a 单位.
    PERSON = "person", pgettext_lazy("donor", "Person")
    ORGANIZATION = "organization", pgettext_lazy("donor", "Organisation")
    ANONYMOUS = "anonymous", pgettext_lazy("donor", "Anonymous")


class Donation(models.Model):
    """A donation to a drive, recorded by an organiser from the partner charity's receipt. Never edited: a
    wrong one is voided (``voided_at``, ``void_reason``) and counts no more."""

    drive = models.ForeignKey(DonationDrive, on_delete=models.PROTECT, related_name="donations",
                              verbose_name=_("donation drive"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    donor_kind = models.CharField(_("donor"), max_length=12, choices=DonorKind.choices)
    donor_name = models.CharField(_("donor's name"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(CENT)])  # fmt: skip
    donated_on = models.DateField(_("donated on"), validators=[InWindow("history")])
    receipt_number = models.CharField(_("receipt number"), max_length=40)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["drive", "donor_kind", "donor_name", "amount", "donated_on", "receipt_number", "void_reason"]

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-donated_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["drive", "receipt_number"], name="donation_receipt_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
        ]
        indexes = [models.Index(fields=["drive", "voided_at"], name="donation_drive_idx")]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.amount}"

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class Disbursement(models.Model):
    """Money the partner charity spent on the drive's beneficiaries."""

    drive = models.ForeignKey(DonationDrive, on_delete=models.PROTECT, related_name="disbursements",
                              verbose_name=_("donation drive"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(CENT)])  # fmt: skip
    disbursed_on = models.DateField(_("disbursed on"), validators=[InWindow("history")])
    purpose = models.CharField(_("purpose"), max_length=200, validators=[Wording()])
    recipient = models.CharField(_("recipient"), max_length=100, validators=[Wording()])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["drive", "amount", "disbursed_on", "purpose", "recipient"]

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-disbursed_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.amount}"


class DisbursementEvidence(StoredFile):
    """Evidence of a disbursement (a receipt photographed, a PDF from the partner), its type checked by content."""

    disbursement = models.ForeignKey(Disbursement, on_delete=models.CASCADE, related_name="evidence",
                                     verbose_name=_("disbursement"))  # fmt: skip

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("disbursement__org_path",))

    class Meta:
        verbose_name = _("disbursement evidence")
        verbose_name_plural = _("disbursement evidence")
        ordering = ["uploaded_at", "id"]
