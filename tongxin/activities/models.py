"""Activities (活动): joint activities of several organisations with external partners, registration with a
waiting list, check-in and check-out, and the volunteer hours they certify (民政部令第67号).

An activity is recorded by its lead organisation (``organization``, ``org_path``); ``organizations`` lists every
organisation organising it (the lead included). Partners (alliances, companies, charities) are not organisations
of the tree: they are ``Partner`` rows. The audience is a subtree (``audience``/``audience_path``) or the public.

Who sees an activity: role holders over any organising organisation (``paths`` and ``also``), and, as a member,
a person in the audience subtree, anyone for a public one, and anyone registered for it (``also``, VIEW only).

A registration is a person's place: pending (holds a place, awaits the organiser's confirmation), confirmed,
waiting (the list beyond capacity, promoted in order), declined or cancelled. Verified hours come only from its
check-in and check-out; supplementary hours are added by an organiser with a reason and kept apart.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tongxin.core.crypto import EncryptedCharField
from tongxin.core.fields import IntRange, InWindow
from tongxin.core.models import StoredFile
from tongxin.core.scoping import Scope, ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import STEP_WIDTH, Organization
from tongxin.people.models import Person

CAPACITY_MAX = 100_000
# Venue link: whichever of the venues and activities apps lands second adds ``Activity.venue`` (a FK to
# venues.Venue) beside the free-text ``place`` (issue 15, "a venue once the venues issue lands").


class PartnerKind(models.TextChoices):
    ALLIANCE = "alliance", _("Party-building alliance")  # 党建联盟
    COMPANY = "company", _("Company")
    CHARITY = "charity", _("Charity")
    OTHER = "other", _("Other partner")


class Partner(models.Model):
    """An external partner of activities (楼宇党建联盟, a company, a charity): not an organisation of the tree.
    A shared name list, not scoped: it holds no personal data."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices, default=PartnerKind.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    PARTY_DAY = "party_day", _("Theme party day")
    LEAGUE_DAY = "league_day", _("Theme league day")
    VOLUNTEER = "volunteer", _("Volunteer service")
    SALON = "salon", _("Salon")
    TRAINING = "training", _("Training")
    FAIR = "fair", _("Fair")
    OTHER = "other", _("Other activity")


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("Open for registration")
    CLOSED = "closed", _("Registration closed")
    CANCELLED = "cancelled", _("Cancelled")


def ancestor_paths(path: str) -> list[str]:
    """Every prefix of ``path`` in whole steps: the path of each organisation above it and its own."""
    return [path[:end] for end in range(STEP_WIDTH, len(path) + 1, STEP_WIDTH)]


def _as_member(scope: Scope) -> Q | None:
    """Activities a person sees as a member (VIEW only: the scope's ``owner_id``): public ones, those whose
    audience holds her branch, those she registered for; and, for role holders, those their organisations
    organise jointly."""
    q: Q | None = None
    if scope.prefixes:
        joint = Activity.organizations.through.objects.filter(scope.q("organization__path"))
        q = Q(pk__in=joint.values("activity_id"))
    if scope.owner_id:
        registered = Registration.objects.filter(person_id=scope.owner_id).values("activity_id")
        # Her branch lies in the audience's subtree: read in the same query (a check-in pays no round trip for it).
        in_audience = Person.objects.filter(pk=scope.owner_id, org_path__startswith=OuterRef("audience_path"))
        mine = Q(public=True) | Q(pk__in=registered) | (~Q(audience_path="") & Q(Exists(in_audience)))
        q = mine if q is None else q | mine
    return q


class Activity(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="activities",
                                     verbose_name=_("lead organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    organizations = models.ManyToManyField(Organization, related_name="joint_activities", blank=True,
                                           verbose_name=_("organising organisations"))  # fmt: skip
    partners = models.ManyToManyField(Partner, related_name="activities", blank=True, verbose_name=_("partners"))
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=ActivityStatus.choices,
                              default=ActivityStatus.OPEN)  # fmt: skip
    starts_at = models.DateTimeField(_("starts at"), validators=[InWindow("plan")])
    ends_at = models.DateTimeField(_("ends at"), validators=[InWindow("plan")])
    place = models.CharField(_("place"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[IntRange(1, CAPACITY_MAX)])
    audience = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("audience"))  # fmt: skip
    audience_path = models.CharField(max_length=255, blank=True, editable=False)
    public = models.BooleanField(_("open to the public"), default=False)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # audience_path only notes whom the activity is for (rewritten on a move); it scopes through ``also``.
    scope = ScopeSpec(paths=("org_path",), also=_as_member, records=("audience_path",))
    audit_fields = ["organization", "kind", "title", "status", "starts_at", "ends_at", "place", "capacity",
                    "audience", "public"]  # fmt: skip

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "starts_at"], name="activity_org_idx"),
            models.Index(fields=["audience_path", "starts_at"], name="activity_audience_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def length(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at

    @property
    def length_hours(self) -> Decimal:
        return hours_of(self.length)


def hours_of(span: datetime.timedelta) -> Decimal:
    """A duration in hours, to two decimals (rounded down: hours are never rounded up)."""
    minutes = max(int(span.total_seconds() // 60), 0)
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"), rounding="ROUND_DOWN")


class ActivityPhoto(StoredFile):
    """A photo of an activity (optional, never required), checked by its content."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("On the waiting list")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


# The states that hold one of the activity's places.
HOLDS_PLACE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)


def _own_activity_registrations(scope: Scope) -> Q | None:
    """Role holders of an organisation organising an activity jointly see its registrations."""
    if not scope.prefixes:
        return None
    joint = Activity.organizations.through.objects.filter(scope.q("organization__path"))
    return Q(activity_id__in=joint.values("activity_id"))


def _own_activity_registrations_corrections(scope: Scope) -> Q | None:
    """Role holders of an organisation organising the activity jointly see its corrections of hours."""
    if not scope.prefixes:
        return None
    joint = Activity.organizations.through.objects.filter(scope.q("organization__path"))
    return Q(registration__activity_id__in=joint.values("activity_id"))


class Registration(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations",
                                 verbose_name=_("activity"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)  # the activity's lead organisation
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="activity_registrations",
                               verbose_name=_("participant"))  # fmt: skip
    status = models.CharField(_("status"), max_length=16, choices=RegistrationStatus.choices)
    # the order of the waiting list (and of registering): set each time the person (re-)registers
    queued_at = models.DateTimeField(_("registered at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)  # the day-before reminder
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    # Verified hours: from check-in and check-out only. Supplementary: an organiser's, with a reason, apart.
    verified_hours = models.DecimalField(_("verified hours"), max_digits=6, decimal_places=2, default=Decimal(0),
                                         validators=[MinValueValidator(Decimal(0))])  # fmt: skip
    supplementary_hours = models.DecimalField(
        _("supplementary hours"), max_digits=6, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(9999))],
    )  # fmt: skip
    supplementary_reason = models.CharField(_("reason for supplementary hours"), max_length=200, blank=True)
    supplementary_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person_id", also=_own_activity_registrations)
    audit_fields = ["activity", "person", "status", "reason", "checked_in_at", "checked_out_at", "verified_hours",
                    "supplementary_hours", "supplementary_reason"]  # fmt: skip

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["queued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="registration_once")]
        indexes = [
            models.Index(fields=["activity", "status", "queued_at"], name="registration_queue_idx"),
            models.Index(fields=["person", "status"], name="registration_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.activity}"

    @property
    def total_hours(self) -> Decimal:
        return self.verified_hours + self.supplementary_hours


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the organiser's decision")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class HoursCorrection(models.Model):
    """A volunteer's request to correct the hours of his record (民政部令第67号: a volunteer may ask for a
    correction), with a reason; an organiser of the activity decides it with a reason, never the volunteer
    himself (four eyes). Accepted, the record's total hours become ``decided_hours``: the verified hours stay as
    check-in and check-out made them and the rest is supplementary, shown apart. The hours before the decision are
    kept (``hours_before``), so the record shows every correction made to it."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="corrections",
                                     verbose_name=_("registration"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)  # the activity's lead organisation
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="hours_corrections",
                               verbose_name=_("volunteer"))  # fmt: skip
    status = models.CharField(_("status"), max_length=16, choices=CorrectionStatus.choices,
                              default=CorrectionStatus.PENDING)  # fmt: skip
    reason = models.CharField(_("reason for the correction"), max_length=500)
    requested_hours = models.DecimalField(
        _("hours asked for"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(9999))],
    )  # fmt: skip
    hours_before = models.DecimalField(_("hours before"), max_digits=6, decimal_places=2, null=True, blank=True)
    decided_hours = models.DecimalField(_("corrected hours"), max_digits=6, decimal_places=2, null=True, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person_id", also=_own_activity_registrations_corrections)
    audit_fields = ["registration", "person", "status", "reason", "requested_hours", "hours_before",
                    "decided_hours", "decision_reason"]  # fmt: skip

    class Meta:
        verbose_name = _("correction of hours")
        verbose_name_plural = _("corrections of hours")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["registration"], condition=Q(status="pending"),
                                    name="hours_correction_one_pending"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["org_path", "status"], name="hours_correction_status_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display()}"


class Certificate(models.Model):
    """A certificate of volunteer service hours (志愿服务记录证明, 民政部令第67号): issued by an organisation for the
    hours of the activities it organised ("whoever records certifies"). What it states is copied at issue (the
    lines, the totals, the holder's name and masked ID), so a later change does not alter an issued certificate;
    ``verify_key`` is the unguessable key of its public verification page (the QR code on the PDF)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="hour_certificates",
                               verbose_name=_("volunteer"))  # fmt: skip
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("issuing organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    verify_key = models.CharField(max_length=64, unique=True, editable=False)
    holder_name = models.CharField(_("name"), max_length=100)
    holder_masked_id = models.CharField(_("ID number (masked)"), max_length=32, blank=True)
    issuer_name = models.CharField(_("issuing organisation"), max_length=200)
    lines = models.JSONField(default=list)  # [{"title", "date", "place", "verified", "supplementary"}]
    verified_hours = models.DecimalField(_("verified hours"), max_digits=8, decimal_places=2)
    supplementary_hours = models.DecimalField(_("supplementary hours"), max_digits=8, decimal_places=2)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person_id")
    audit_fields = ["person", "organization", "serial", "verified_hours", "supplementary_hours", "issued_on"]

    class Meta:
        verbose_name = _("certificate of service hours")
        verbose_name_plural = _("certificates of service hours")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.serial


# --- micro-wishes (微心愿) -------------------------------------------------------------------------------------------


class WishStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting screening")
    REJECTED = "rejected", _("Rejected")
    PUBLISHED = "published", _("Published, open to claim")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled, to confirm")
    CLOSED = "closed", _("Closed")


def _open_wishes(scope: Scope) -> Q | None:
    """A member sees the published wishes (their public wording only) to claim one."""
    return Q(status=WishStatus.PUBLISHED) if scope.owner_id else None


class Wish(models.Model):
    """A resident's micro-wish (微心愿), submitted on a public page without an account: the community organisation
    screens it and publishes its wording without the contact; a member claims and fulfils it; the community
    confirms with the resident and closes it. The contact is encrypted and shown to the community only."""

    community = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="wishes",
                                  verbose_name=_("community"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    text = models.TextField(_("what is needed"))
    published_text = models.TextField(_("published wording"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=50)
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20)
    flagged = models.BooleanField(_("holds a phone or ID number"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=WishStatus.choices, default=WishStatus.SUBMITTED)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    claimed_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("claimed by"))  # fmt: skip
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    fulfilment = models.TextField(_("what was done"), blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), owned_by="claimed_by", also=_open_wishes)
    audit_fields = ["community", "text", "published_text", "flagged", "status", "reason", "claimed_by", "fulfilment"]

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["org_path", "status"], name="wish_status_idx")]

    def __str__(self) -> str:
        return (self.published_text or self.text)[:50]
