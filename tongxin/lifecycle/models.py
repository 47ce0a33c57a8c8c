"""Member lifecycle records: transfers between organisations (关系转接), dues (团费, 党费), recruitment, party
recommendation, annual review and lapse cases (自行脱团).

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

from tongxin.core.crypto import EncryptedCharField, keyed_hash
from tongxin.core.scoping import ScopedQuerySet, ScopeSpec
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


class GraduationDestination(models.TextChoices):
    """Where a graduate goes (学社衔接): the kind of destination a graduation batch assigns."""

    EMPLOYER = "employer", _("Employer's organisation")
    COMMUNITY = "community", _("Community organisation of residence")
    FLOW = "flow", _("Flow branch (up to 6 months)")
    ABROAD = "abroad", _("Abroad branch")
    OUTSIDE = "outside", _("Outside the system")


class GraduationBatch(models.Model):
    """A school branch's graduates sent on in one batch: one transfer per graduate."""

    branch = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    org_path = models.CharField(max_length=255, editable=False)
    graduation_date = models.DateField(_("graduation date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["branch", "graduation_date"]

    class Meta:
        verbose_name = _("graduation batch")
        verbose_name_plural = _("graduation batches")
        ordering = ["-graduation_date", "-id"]

    def __str__(self) -> str:
        return f"{self.branch} {self.graduation_date}"


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
    graduation = models.ForeignKey(GraduationBatch, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="transfers", verbose_name=_("graduation batch"))  # fmt: skip
    graduation_destination = models.CharField(
        _("graduate's destination"), max_length=16, choices=GraduationDestination.choices, blank=True
    )
    # The last time anyone acted on it: a transfer open longer than the stall rule is escalated.
    last_action_at = models.DateTimeField(_("last action"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("from_path", "to_path"), own="person")  # both sides, and the member being moved
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
    scope = ScopeSpec(paths=("org_path",), own="person")  # the secretaries of the branch, and the member (read)
    audit_fields = ["person", "kind", "month", "amount", "paid_on"]

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-month", "person"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "month"], name="dues_one_payment_per_month"),
        ]
        indexes = [
            models.Index(fields=["org_path", "month"], name="dues_ledger_idx"),
            # The annual report's dues: a subtree (the path's prefix range, leading, so that a branch reads only
            # its own entries) and the days paid in a year (checked in the index, not in the table's rows).
            models.Index(fields=["org_path", "paid_on"], name="dues_paid_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.month:%Y-%m} {self.amount}"


# --- recruitment (团员发展) -------------------------------------------------------------------------------


class RecruitmentStage(models.TextChoices):
    APPLIED = "applied", _("Application received")
    ACTIVIST = "activist", _("Activist")
    CANDIDATE = "candidate", _("Candidate")
    PRECHECKED = "prechecked", _("Pre-checked by the committee")
    VOTED = "voted", _("Passed by the branch general meeting")
    APPROVED = "approved", _("Approved by the committee")
    SWORN = "sworn", _("Oath taken")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Each step and the stage it leaves from (DOMAIN.md, recruitment, in order); withdrawal from any open stage.
RECRUITMENT_STEPS: dict[str, tuple[str, str]] = {
    "name_activist": (RecruitmentStage.APPLIED, RecruitmentStage.ACTIVIST),
    "choose_candidate": (RecruitmentStage.ACTIVIST, RecruitmentStage.CANDIDATE),
    "precheck": (RecruitmentStage.CANDIDATE, RecruitmentStage.PRECHECKED),
    "record_vote": (RecruitmentStage.PRECHECKED, RecruitmentStage.VOTED),
    "approve": (RecruitmentStage.VOTED, RecruitmentStage.APPROVED),
    "record_oath": (RecruitmentStage.APPROVED, RecruitmentStage.SWORN),
}
OPEN_RECRUITMENT_STAGES = tuple(stage for stage, _target in RECRUITMENT_STEPS.values())


class RecruitmentQuerySet(ScopedQuerySet):
    def with_id_number(self, number: str) -> RecruitmentQuerySet:
        """The applications of the person with this (normalised) ID number, found by its keyed hash."""
        return self.filter(id_hash=keyed_hash(number)) if number else self.none()


class Recruitment(models.Model):
    """A young person's way into the League, from the written application to the oath.

    The applicant is not on the roster until the committee approves: the approval creates the Person,
    a league member from the date of the branch general meeting, with the member number it issues.
    Each step stores its date and who recorded it.
    """

    branch = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="recruitments",
                               verbose_name=_("branch"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=50)
    # Encrypted at rest (tongxin.core.crypto); id_hash, its keyed hash, finds the open application.
    id_number = EncryptedCharField(_("ID number"), max_length=18)
    # NULL, not "", for an anonymised application: the one-open-application rule ignores NULLs.
    id_hash = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)  # noqa: DJ001
    birth_date = models.DateField(_("birth date"), editable=False)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=RecruitmentStage.choices,
                             default=RecruitmentStage.APPLIED)  # fmt: skip
    applied_on = models.DateField(_("application date"))
    activist_on = models.DateField(_("named activist on"), null=True, blank=True)
    training_hours = models.DecimalField(_("league class hours"), max_digits=5, decimal_places=1, default=0)
    candidate_on = models.DateField(_("chosen as candidate on"), null=True, blank=True)
    prechecked_on = models.DateField(_("pre-checked on"), null=True, blank=True)
    sponsor_1 = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("first sponsor"))  # fmt: skip
    sponsor_2 = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("second sponsor"))  # fmt: skip
    meeting_on = models.DateField(_("branch general meeting"), null=True, blank=True)
    members_expected = models.PositiveIntegerField(_("members of the branch"), null=True, blank=True)
    members_present = models.PositiveIntegerField(_("present"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    league_number = models.CharField(_("league member number"), max_length=32, blank=True)
    oath_on = models.DateField(_("oath taken on"), null=True, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("member record"))  # fmt: skip
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)
    # Who recorded each step: {"activist": user id, ...}; the ChangeLog has the full trail.
    actors = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecruitmentQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["name", "stage", "applied_on", "activist_on", "training_hours", "candidate_on", "prechecked_on",
                    "sponsor_1", "sponsor_2", "meeting_on", "members_present", "votes_for", "votes_against",
                    "approved_on", "league_number", "oath_on", "withdrawn_reason"]  # fmt: skip

    class Meta:
        verbose_name = _("recruitment")
        verbose_name_plural = _("recruitments")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=Q(stage__in=list(OPEN_RECRUITMENT_STAGES)),
                name="recruitment_one_open_per_person",
            ),
        ]
        indexes = [models.Index(fields=["org_path", "stage"], name="recruitment_scope_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.set_lookup_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "id_number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "id_hash"}
        super().save(*args, **kwargs)

    def set_lookup_fields(self) -> None:
        self.id_hash = keyed_hash(self.id_number) if self.id_number else None


# --- party recommendation (推优入党) ----------------------------------------------------------------------


class RecommendationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    VOTED = "voted", _("Passed by the branch")
    APPROVED = "approved", _("Approved by the committee")
    HANDED_OVER = "handed_over", _("Handed over to the party organisation")
    ADMITTED = "admitted", _("Admitted by the party")
    NOT_ADMITTED = "not_admitted", _("Not admitted by the party")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PartyRecommendation(models.Model):
    """A league member recommended to the party (推优入党): checks, branch vote, committee approval,
    hand-over to the paired party organisation, and what the party side later reports."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="party_recommendations",
                               verbose_name=_("member"))  # fmt: skip
    branch = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    org_path = models.CharField(max_length=255, editable=False)
    party_application_on = models.DateField(_("party application filed on"))
    status = models.CharField(_("status"), max_length=16, choices=RecommendationStatus.choices,
                              default=RecommendationStatus.PROPOSED)  # fmt: skip
    meeting_on = models.DateField(_("branch general meeting"), null=True, blank=True)
    voters_expected = models.PositiveIntegerField(_("expected voters"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    party_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("party organisation"))  # fmt: skip
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    outcome_on = models.DateField(_("party decision on"), null=True, blank=True)
    actors = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["person", "party_application_on", "status", "meeting_on", "votes_for", "votes_against",
                    "approved_on", "party_org", "handed_over_on", "outcome_on"]  # fmt: skip

    class Meta:
        verbose_name = _("party recommendation")
        verbose_name_plural = _("party recommendations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["proposed", "voted", "approved"]),
                name="recommendation_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)


# --- annual review and registration (教育评议, 团籍注册) ------------------------------------------------------


class ReviewGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASICALLY_QUALIFIED = "basic", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Being graded by the branch")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")


class AnnualReview(models.Model):
    """One branch's review of one year: its grades, attendance, and the committee's approval."""

    branch = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    meeting_on = models.DateField(_("review meeting"), null=True, blank=True)
    members_present = models.PositiveIntegerField(_("present"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["year", "status", "meeting_on", "members_present"]

    class Meta:
        verbose_name = _("annual review")
        verbose_name_plural = _("annual reviews")
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="review_one_per_branch_year")]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}"


class ReviewEntry(models.Model):
    """One member's grade in an annual review, and their registration (团籍注册) that follows."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="entries",
                               verbose_name=_("annual review"))  # fmt: skip
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="review_entries")
    org_path = models.CharField(max_length=255, editable=False)
    grade = models.CharField(_("grade"), max_length=16, choices=ReviewGrade.choices, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    deferred_until = models.DateField(_("registration deferred until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))

    class Meta:
        verbose_name = _("review entry")
        verbose_name_plural = _("review entries")
        ordering = ["review", "person"]
        constraints = [models.UniqueConstraint(fields=["review", "person"], name="review_entry_once")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_grade_display()}"


# --- lapse (自行脱团) -----------------------------------------------------------------------------------------


class LapseStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the committee's approval")
    APPROVED = "approved", _("Approved by the committee")
    REJECTED = "rejected", _("Not approved by the committee")


class LapseCase(models.Model):
    """The branch meeting's decision that a member listed for lapse (``orglife.lapse``) has lapsed, and the
    committee above's approval or rejection. Approval ends the member's stay with the reason ``lapsed``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="lapse_cases", verbose_name=_("member"))
    branch = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    org_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=LapseStatus.choices, default=LapseStatus.PROPOSED)
    meeting_on = models.DateField(_("branch meeting"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    # What the lapse list showed when the branch proposed it: the evidence the committee decides on.
    last_dues_month = models.DateField(_("last league dues"), null=True, blank=True)
    last_attended_at = models.DateTimeField(_("last meeting attended"), null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))  # the branch and the committees above: role holders only
    audit_fields = ["person", "branch", "status", "meeting_on", "note", "decided_on", "rejection_reason"]

    class Meta:
        verbose_name = _("lapse case")
        verbose_name_plural = _("lapse cases")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="proposed"), name="lapse_one_open_per_person"
            ),
        ]
        indexes = [models.Index(fields=["status", "org_path"], name="lapse_case_scope_idx")]

    def __str__(self) -> str:
        return str(self.person)
