"""Points (积分制): versioned rules, an append-only ledger, monthly roll-ups and the monthly cycle.

Rules are data the committee edits (DOMAIN.md, "Points"): a ``RuleSet`` per organisation and audience (party
or league members), inherited down the tree (the nearest set up the path wins; the defaults sit at the empty
path), its ``Rule`` items each a chain of ``RuleVersion`` rows valid from the first of a month: a month is
scored with the versions in force in it, and a change never rewrites an earlier version.

Points are ``PointEntry`` rows, appended and never updated: exactly one live entry per source and rule (a
unique constraint over the non-reversing entries of one generation); a withdrawal or a correction appends a
reversing entry (``reversal_of``). ``MonthlyScore`` rows (person × month) are kept by the same services in the
same transaction; ``manage.py recompute_points`` rebuilds them from the ledger.

The month of a branch is a ``MonthCycle``: open (claims and reviews), published for N days (members may
object), locked once confirmed at a recorded general meeting.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.core.scoping import ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import Organization
from tongxin.people.models import Person

CLAIM = "claim"  # the source kind of an item members (or secretaries) claim, rather than an achievement kind
CORRECTION = "correction"  # the kind of an adjusting entry the secretary records on a locked month
POINTS_LIMIT = 1000  # the largest value of one item, cap or base score (either sign)


class Audience(models.TextChoices):
    PARTY = "party", _("Party members")
    LEAGUE = "league", _("League members")


class Reset(models.TextChoices):
    YEAR = "year", _("Every year")
    NEVER = "never", _("Never")


class Claimant(models.TextChoices):
    SYSTEM = "system", _("The system")
    MEMBER = "member", _("The member")
    SECRETARY = "secretary", _("The secretary")


def _points_field(label, **kwargs):
    return models.DecimalField(
        label, max_digits=8, decimal_places=2,
        validators=[MinValueValidator(-POINTS_LIMIT), MaxValueValidator(POINTS_LIMIT)], **kwargs,
    )  # fmt: skip


class RuleSet(models.Model):
    """The rules of an organisation's subtree for one audience (the defaults: no organisation, empty path)."""

    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="point_rule_sets", verbose_name=_("organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, blank=True, editable=False)
    audience = models.CharField(_("for"), max_length=8, choices=Audience.choices)
    name = models.CharField(_("name"), max_length=100)
    base_score = _points_field(_("base score"), default=60)
    floor = _points_field(_("floor"), default=0)
    reset = models.CharField(_("reset"), max_length=8, choices=Reset.choices, default=Reset.YEAR)
    publish_days = models.PositiveSmallIntegerField(
        _("days published"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    rankings = models.BooleanField(_("rankings shown"), default=False)  # off by default (指尖上的形式主义)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["organization", "audience", "name", "base_score", "floor", "reset", "publish_days", "rankings"]

    class Meta:
        verbose_name = _("point rule set")
        verbose_name_plural = _("point rule sets")
        constraints = [models.UniqueConstraint(fields=["org_path", "audience"], name="point_rule_set_once")]

    def __str__(self) -> str:
        return self.name


class RuleSetVersion(models.Model):
    """The set's base score and floor from ``valid_from`` (the first of a month) until the next version; before
    the first version the set's own values hold. A change never rewrites a month already published or locked."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    base_score = _points_field(_("base score"))
    floor = _points_field(_("floor"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    audit_fields = ["rule_set", "valid_from", "base_score", "floor"]

    class Meta:
        verbose_name = _("point rule set version")
        verbose_name_plural = _("point rule set versions")
        ordering = ["rule_set_id", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "valid_from"], name="point_rule_set_version_once")]

    def __str__(self) -> str:
        return f"{self.rule_set_id} ({self.valid_from:%Y-%m})"


class Rule(models.Model):
    """One item of a rule set (its identity across versions)."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    key = models.SlugField(_("key"), max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        constraints = [models.UniqueConstraint(fields=["rule_set", "key"], name="point_rule_once")]

    def __str__(self) -> str:
        return self.key


class RuleVersion(models.Model):
    """What a rule says from ``valid_from`` (the first of a month) until the next version."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    name = models.CharField(_("item"), max_length=100)
    points = _points_field(_("points"))  # per unit of the achievement (an hour, a period), or per claim
    source = models.CharField(_("earned by"), max_length=64)  # an achievement kind's key, or "claim"
    claimant = models.CharField(_("who claims"), max_length=10, choices=Claimant.choices, default=Claimant.SYSTEM)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    photo_required = models.BooleanField(_("photo required"), default=False)
    cap_month = _points_field(_("cap per month"), null=True, blank=True)
    cap_year = _points_field(_("cap per year"), null=True, blank=True)
    active = models.BooleanField(_("in force"), default=True)  # a retired item: a version with active False
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    audit_fields = ["rule", "valid_from", "name", "points", "source", "claimant", "evidence_required",
                    "photo_required", "cap_month", "cap_year", "active"]  # fmt: skip

    class Meta:
        verbose_name = _("point rule version")
        verbose_name_plural = _("point rule versions")
        ordering = ["rule_id", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["rule", "valid_from"], name="point_rule_version_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%Y-%m})"


class PointEntry(models.Model):
    """One line of the ledger: appended, never changed. A reversing entry points at the entry it cancels."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="point_entries")
    org_path = models.CharField(max_length=255, editable=False)  # the branch where it is reviewed
    month = models.DateField(_("month"))  # the month it is booked in (first day)
    occurred_on = models.DateField(_("date"))
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="entries")
    version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=64)  # the achievement kind, or "claim"
    source = models.CharField(_("source"), max_length=100)  # "<app>.<model>:<pk>"
    generation = models.PositiveIntegerField(default=0)  # the how-many-th offer of the source for the rule
    quantity = models.DecimalField(max_digits=8, decimal_places=2, default=1)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    reversal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="reversal")  # fmt: skip
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person")

    class Meta:
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        ordering = ["month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "rule", "generation"], condition=Q(reversal_of__isnull=True), name="point_entry_once"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "month"], name="point_entry_person_idx"),
            models.Index(fields=["org_path", "month"], name="point_entry_branch_idx"),
            models.Index(fields=["source"], name="point_entry_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.points}"


class MonthlyScore(models.Model):
    """A person's points of a month (the sum of the month's entries), kept with every entry."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="monthly_scores")
    org_path = models.CharField(max_length=255, editable=False)  # the branch of the month's latest entry
    month = models.DateField(_("month"))
    points = models.DecimalField(_("points"), max_digits=10, decimal_places=2, default=0)
    entries = models.PositiveIntegerField(_("entries"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person")

    class Meta:
        verbose_name = _("monthly score")
        verbose_name_plural = _("monthly scores")
        constraints = [models.UniqueConstraint(fields=["person", "month"], name="monthly_score_once")]
        indexes = [models.Index(fields=["org_path", "month"], name="monthly_score_branch_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.points}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    ADJUSTED = "adjusted", _("Adjusted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Claim(models.Model):
    """A self-evaluation (自评): a member claims an item of the month with evidence."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="point_claims")
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField(_("month"))
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="claims")
    version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="claims")
    points = models.DecimalField(_("points claimed"), max_digits=8, decimal_places=2)
    evidence = models.TextField(_("evidence"), max_length=2000, blank=True)
    photo_name = models.CharField(max_length=255, blank=True)
    photo_type = models.CharField(max_length=64, blank=True)
    photo = models.BinaryField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    points_awarded = models.DecimalField(_("points awarded"), max_digits=8, decimal_places=2, null=True, blank=True)
    review_reason = models.CharField(_("reason"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person")
    audit_fields = ["person", "month", "rule", "version", "points", "evidence", "photo_name", "status",
                    "points_awarded", "review_reason"]  # fmt: skip

    class Meta:
        verbose_name = _("points claim")
        verbose_name_plural = _("points claims")
        ordering = ["-month", "-id"]
        indexes = [models.Index(fields=["org_path", "month", "status"], name="point_claim_branch_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.points}"


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Open for claims")
    PUBLISHED = "published", _("Published to the branch")
    LOCKED = "locked", _("Confirmed and locked")


class MonthCycle(models.Model):
    """A branch's month: claims and review, publication (线上评), confirmation at a general meeting (现场评)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="point_cycles",
                                     verbose_name=_("branch"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    publish_until = models.DateField(_("published until"), null=True, blank=True)
    meeting = models.ForeignKey("orglife.Meeting", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("confirmed at"))  # fmt: skip
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")  # fmt: skip

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["organization", "month", "status", "publish_until", "meeting"]

    class Meta:
        verbose_name = _("points month")
        verbose_name_plural = _("points months")
        ordering = ["-month", "org_path"]
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="point_cycle_once")]
        indexes = [models.Index(fields=["org_path", "month"], name="point_cycle_path_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")


class Objection(models.Model):
    """A member's comment or objection to the published month (线上评), answered by the secretary."""

    cycle = models.ForeignKey(MonthCycle, on_delete=models.CASCADE, related_name="objections")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="point_objections")
    org_path = models.CharField(max_length=255, editable=False)
    text = models.TextField(_("objection"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)  # fmt: skip
    answer_by = models.DateField(_("answer by"))
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person")
    audit_fields = ["cycle", "person", "text", "status", "answer"]

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.text[:20]}"
