"""Positions (阵地): venues the committees build and the organisations book.

A venue (青年之家, 团代表工作室, 新兴青年逐梦空间, 党群服务中心, 红色教育基地…) is hosted by an organisation and
often sits in a partner's premises (a shop, a bookstore, a museum). It is open on some weekdays between two
times, holds so many people, and may be closed for some dates (``VenueClosure``) or as a whole (``status``).

Organisations book venues (``Booking``): a time range, a purpose, the expected attendance. A booking made as
part of a recurring series (``BookingSeries``, weekly or monthly) is one row per occurrence; an occurrence that
conflicted or fell on a closure is kept as ``skipped`` with its reason, and can be added back later.

Two confirmed bookings of one venue never overlap: on PostgreSQL an exclusion constraint over the time range
(migration 0002, btree_gist) refuses the second whatever wrote it; on SQLite the booking service serialises
the check (the venue row is locked, and SQLite's write transactions are IMMEDIATE).

Who sees what: a venue is seen by the role holders of its host's subtree and, because the committees build
positions for the organisations below them, by those of every organisation under the host (the venue's host is
an ancestor of theirs). A booking is seen from the booking organisation's side and from the venue host's side.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.core.fields import IntRange, InWindow, Wording
from tongxin.core.models import StoredFile
from tongxin.core.scoping import Scope, ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import STEP_WIDTH, Organization
from tongxin.orgs.validators import DivisionCode


class VenueKind(models.TextChoices):
    YOUTH_HOME = "youth_home", _("Youth home")  # 青年之家
    DEPUTY_STUDIO = "deputy_studio", _("League deputies' studio")  # 团代表工作室
    DREAM_SPACE = "dream_space", _("New youth dream space")  # 新兴青年逐梦空间
    SERVICE_CENTRE = "service_centre", _("Party and mass service centre")  # 党群服务中心
    RED_BASE = "red_base", _("Red education base")  # 红色教育基地
    OTHER = "other", _("Other venue")


class VenueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


def ancestors(path: str) -> list[str]:
    """``path`` and the paths of every organisation above it (fixed-width steps)."""
    return [path[:end] for end in range(STEP_WIDTH, len(path) + 1, STEP_WIDTH)]


def hosted_above(prefix: str = "") -> object:
    """The scope rule "venues hosted by an organisation above one of the user's": the positions a committee
    builds are there for the organisations below it (``prefix``: the lookup to the venue)."""

    def rule(scope: Scope) -> Q | None:
        paths = sorted({above for p in scope.prefixes for above in ancestors(p)})
        return Q(**{f"{prefix}org_path__in": paths}) if paths else None

    return rule


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=100, validators=[Wording()])
    kind = models.CharField(_("kind"), max_length=16, choices=VenueKind.choices)
    host = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="venues",
                             verbose_name=_("host organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)  # the host's path
    partner = models.CharField(_("partner"), max_length=100, blank=True,
                               help_text=_("The shop, bookstore or museum whose premises it uses"))  # fmt: skip
    address = models.CharField(_("address"), max_length=200)
    division_code = models.CharField(_("division code"), max_length=12, blank=True, validators=[DivisionCode()])
    opens_at = models.TimeField(_("opens at"), default=datetime.time(9))
    closes_at = models.TimeField(_("closes at"), default=datetime.time(21))
    # ISO weekdays it opens: "12345" Monday to Friday, "1234567" every day
    open_days = models.CharField(_("open days"), max_length=7, default="1234567")
    capacity = models.PositiveIntegerField(_("capacity"), validators=[IntRange(1, 100_000)])
    facilities = models.CharField(_("facilities"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=VenueStatus.choices, default=VenueStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), also=hosted_above())  # type: ignore[arg-type]
    audit_fields = ["name", "kind", "host", "partner", "address", "division_code", "opens_at", "closes_at",
                    "open_days", "capacity", "facilities", "status"]  # fmt: skip

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["org_path"], name="venue_path_idx"),
            models.Index(fields=["status", "division_code", "capacity"], name="venue_search_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="venue_hours")]

    def __str__(self) -> str:
        return self.name

    def open_days_display(self) -> str:
        names = {
            "1": _("Mon"), "2": _("Tue"), "3": _("Wed"), "4": _("Thu"), "5": _("Fri"), "6": _("Sat"), "7": _("Sun"),
        }  # fmt: skip
        return " ".join(str(names[d]) for d in self.open_days if d in names)


class VenueClosure(models.Model):
    """Dates a venue is closed (``starts_on`` to ``ends_on``, both included): a holiday, works, an event."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="closures", verbose_name=_("venue"))
    starts_on = models.DateField(_("closed from"), validators=[InWindow("plan")])
    ends_on = models.DateField(_("closed until"), validators=[InWindow("plan")])
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("venue__org_path",), also=hosted_above("venue__"))  # type: ignore[arg-type]

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="closure_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.starts_on}–{self.ends_on}"


class VenuePhoto(StoredFile):
    """A photo of a venue (optional evidence, never required), its type checked by its content; shown on the
    venue's page and, while the venue is open, in the public directory (a photo of the place, no person named)."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="photos", verbose_name=_("venue"))

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("venue__org_path",), also=hosted_above("venue__"))  # type: ignore[arg-type]

    class Meta:
        verbose_name = _("venue photo")
        verbose_name_plural = _("venue photos")
        ordering = ["uploaded_at", "id"]


MAX_HOURS = 24  # one booking lasts at most a day (the services refuse longer; the overlap queries rely on it)


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    SKIPPED = "skipped", _("Skipped")  # an occurrence of a series left out (a conflict, a closure, by choice)
    CANCELLED = "cancelled", _("Cancelled")


class BookingSeries(models.Model):
    """A recurring booking: the first occurrence's times, weekly or monthly, until a date."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="series", verbose_name=_("venue"))
    venue_path = models.CharField(max_length=255, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    frequency = models.CharField(_("repeats"), max_length=8, choices=Frequency.choices)
    starts_at = models.DateTimeField(_("first start"), validators=[InWindow("plan")])
    ends_at = models.DateTimeField(_("first end"), validators=[InWindow("plan")])
    until = models.DateField(_("until"), validators=[InWindow("plan")])
    purpose = models.CharField(_("purpose"), max_length=200)
    expected_attendance = models.PositiveIntegerField(_("expected attendance"), validators=[IntRange(1, 100_000)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path", "venue_path"))

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.get_frequency_display()})"


class Booking(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("venue"))
    venue_path = models.CharField(max_length=255, editable=False)  # the venue host's path
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="venue_bookings",
                                     verbose_name=_("organisation"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)  # the booking organisation's path
    series = models.ForeignKey(BookingSeries, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="bookings")  # fmt: skip
    starts_at = models.DateTimeField(_("starts at"), validators=[InWindow("plan")])
    ends_at = models.DateTimeField(_("ends at"), validators=[InWindow("plan")])
    purpose = models.CharField(_("purpose"), max_length=200)
    expected_attendance = models.PositiveIntegerField(_("expected attendance"), validators=[IntRange(1, 100_000)])
    status = models.CharField(_("status"), max_length=16, choices=BookingStatus.choices,
                              default=BookingStatus.CONFIRMED)  # fmt: skip
    # The activity held there (activities.Activity), by id: the two apps sit side by side in the layers and do
    # not import each other, so the booking keeps the id and reads the activity through core's "activity" link
    # kind (core.registry.linked), which the activities app registers. No foreign key: an activity deleted
    # later leaves a dangling id, shown as "no longer available".
    activity_id = models.PositiveIntegerField(_("activity"), null=True, blank=True)
    skip_reason = models.CharField(_("why skipped"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path", "venue_path"))
    audit_fields = ["venue", "organization", "series", "starts_at", "ends_at", "purpose", "expected_attendance",
                    "status", "skip_reason", "activity_id"]  # fmt: skip

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["venue", "status", "starts_at"], name="booking_venue_idx"),
            models.Index(fields=["status", "starts_at", "ends_at"], name="booking_time_idx"),
            models.Index(fields=["org_path", "starts_at"], name="booking_org_idx"),
            models.Index(fields=["activity_id"], name="booking_activity_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_order")]

    def __str__(self) -> str:
        return f"{self.venue} {self.starts_at:%Y-%m-%d %H:%M}"


# --- honours and brands (荣誉, 品牌) ----------------------------------------------------------------------------


class HonourKind(models.TextChoices):
    YOUTH_CIVILISATION = "youth_civilisation", _("Youth civilisation post")  # 青年文明号
    RIGHTS_POST = "rights_post", _("Minors' rights protection post")  # 青少年维权岗
    SHOCK_TEAM = "shock_team", _("Youth shock team")  # 青年突击队
    RED_FLAG_COMMITTEE = "red_flag_committee", _("May Fourth red flag committee")  # 五四红旗团委
    OUTSTANDING_MEMBER = "outstanding_member", _("Outstanding member")  # 优秀团员
    OUTSTANDING_CADRE = "outstanding_cadre", _("Outstanding league cadre")  # 优秀团干部
    # 优秀共青团员
    OUTSTANDING_LEAGUE_MEMBER = "outstanding_league_member", _("Outstanding Communist Youth League member")
    OTHER = "other", _("Other honour")


# Brands an organisation holds (a person holds the others): 青年文明号 is reviewed and may be revoked.
ORGANISATION_HONOURS = frozenset({HonourKind.YOUTH_CIVILISATION, HonourKind.RIGHTS_POST, HonourKind.SHOCK_TEAM,
                                  HonourKind.RED_FLAG_COMMITTEE})  # fmt: skip
PERSON_HONOURS = frozenset({HonourKind.OUTSTANDING_MEMBER, HonourKind.OUTSTANDING_CADRE,
                            HonourKind.OUTSTANDING_LEAGUE_MEMBER})  # fmt: skip


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    DISTRICT = "district", _("District")


class HonourStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    UNDER_REVIEW = "under_review", _("Under review")
    REVOKED = "revoked", _("Revoked")


class Honour(models.Model):
    """An honour awarded to an organisation (a brand: 青年文明号…) or to a person (优秀团员…). ``org_path`` is the
    organisation's path, or the person's branch when awarded; the person sees her own honours."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="honours",
                                     verbose_name=_("organisation"))  # fmt: skip
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="honours", verbose_name=_("person"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=HonourKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=HonourLevel.choices)
    year = models.PositiveIntegerField(_("year"), validators=[IntRange(1949, 2100)])
    awarding_body = models.CharField(_("awarding body"), max_length=200)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, validators=[InWindow("any")])
    status = models.CharField(_("status"), max_length=16, choices=HonourStatus.choices, default=HonourStatus.VALID)
    note = models.CharField(_("note"), max_length=300, blank=True)  # why revoked, what the review found
    certificate_name = models.CharField(_("certificate"), max_length=255, blank=True)
    certificate_type = models.CharField(max_length=64, blank=True)
    certificate = models.BinaryField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="person_id")
    audit_fields = ["organization", "person", "kind", "level", "year", "awarding_body", "valid_until", "status",
                    "note", "certificate_name"]  # fmt: skip

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-year", "kind", "id"]
        indexes = [models.Index(fields=["org_path", "kind", "level"], name="honour_count_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"
