"""Member lifecycle records: transfers between organisations (关系转接) and dues (团费, 党费).

Each workflow is a state machine in plain code: a ``status`` TextChoices, the table of allowed
transitions next to it, and one service function per transition (``tongxin.lifecycle.services``).
Age-out (超龄离团) needs no record of its own: it ends the person's membership with the reason
``aged_out`` and leaves a ChangeLog row per person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.core.scoping import ScopedQuerySet
from tongxin.orgs.models import Organization
from tongxin.people.models import Person


class TransferReason(models.TextChoices):
    FURTHER_STUDY = "further_study", _("Further study")
    EMPLOYMENT_WITH_ORG = "employment_with_org", _("Employment (the employer has a league organisation)")
    EMPLOYMENT_WITHOUT_ORG = "employment_without_org", _("Employment (the employer has no league organisation)")
    ABROAD_PUBLIC = "abroad_public", _("Going abroad (public)")
    ABROAD_PRIVATE = "abroad_private", _("Going abroad (private)")
    UNEMPLOYED = "unemployed", _("Unemployed")
    MILITARY = "military", _("Military service")
    GRADUATION = "graduation", _("Graduation")
    OTHER = "other", _("Other")


class TransferSide(models.TextChoices):
    MEMBER = "member", _("The member")
    SENDING = "sending", _("The sending organisation")
    RECEIVING = "receiving", _("The receiving organisation")


class TransferStatus(models.TextChoices):
    PENDING_OUT = "pending_out", _("Waiting for the sending side's approval")
    PENDING_IN = "pending_in", _("Waiting for the receiving side's acceptance")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TRANSFER_STATUSES = (TransferStatus.PENDING_OUT, TransferStatus.PENDING_IN)

# The state machine: which status each transition leaves from, and where it goes.
TRANSFER_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve_out": ((TransferStatus.PENDING_OUT,), TransferStatus.PENDING_IN),
    "accept_in": ((TransferStatus.PENDING_IN,), TransferStatus.COMPLETED),
    "reject": (OPEN_TRANSFER_STATUSES, TransferStatus.REJECTED),
    "cancel": (OPEN_TRANSFER_STATUSES, TransferStatus.CANCELLED),
}


class Transfer(models.Model):
    """A member's move from one branch to another organisation (or out of the system).

    Visible from both sides: the sending branch's subtree (``from_path``) and the receiving
    organisation's (``to_path``, empty for a destination outside the system).
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("person"))
    from_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("from")
    )
    from_path = models.CharField(max_length=255, editable=False)
    to_org = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("to"),
    )
    to_path = models.CharField(max_length=255, blank=True, editable=False)
    # When to_org is a committee, the branch it assigns on acceptance.
    to_branch = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned branch"),
    )
    external_destination = models.CharField(_("destination outside the system"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=32, choices=TransferReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING_OUT
    )
    started_by_side = models.CharField(_("started by"), max_length=16, choices=TransferSide.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    out_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    out_approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    in_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    in_accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_by = models.ForeignKey(  # who rejected or cancelled
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    # The last time anyone acted on it: a transfer open longer than the stall rule is escalated.
    last_action_at = models.DateTimeField(_("last action"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "from_path"
    scope_path_fields = ("from_path", "to_path")
    audit_fields = ["person", "from_org", "to_org", "to_branch", "external_destination", "reason", "status",
                    "rejection_reason"]  # fmt: skip

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["pending_out", "pending_in"]),
                name="transfer_one_open_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["status", "from_path"], name="transfer_out_idx"),
            models.Index(fields=["status", "to_path"], name="transfer_in_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_org or self.external_destination}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TRANSFER_STATUSES

    @property
    def is_external(self) -> bool:
        return self.to_org_id is None


class DuesKind(models.TextChoices):
    LEAGUE = "league", _("League dues")
    PARTY = "party", _("Party dues")


class DuesCategory(models.TextChoices):
    """What a person's monthly dues are worked out from (DOMAIN.md, dues)."""

    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    RELIEF = "relief", _("On relief")
    WAGE = "wage", _("Wage earner")
    RETIREE = "retiree", _("Retiree")


class DuesProfile(models.Model):
    """The basis of a person's dues: category and monthly after-tax income (wage earners, retirees)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="dues_profile")
    category = models.CharField(_("dues category"), max_length=16, choices=DuesCategory.choices)
    monthly_income = models.DecimalField(
        _("monthly income after tax"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dues profile")
        verbose_name_plural = _("dues profiles")

    def __str__(self) -> str:
        return f"{self.person} {self.get_category_display()}"


class DuesPayment(models.Model):
    """One month's dues of one person, as marked paid by the branch secretary."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="dues_payments")
    kind = models.CharField(_("kind"), max_length=8, choices=DuesKind.choices)
    month = models.DateField(_("month"))  # the first day of the month paid for
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    org_path = models.CharField(max_length=255, editable=False)  # the branch paid in

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "org_path"
    audit_fields = ["person", "kind", "month", "amount", "paid_on"]

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-month", "person"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "month"], name="dues_one_payment_per_month"),
        ]
        indexes = [models.Index(fields=["org_path", "month"], name="dues_ledger_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.month:%Y-%m} {self.amount}"
