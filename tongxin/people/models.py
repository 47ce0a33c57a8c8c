"""Persons (league members, party members, other youths), cadre positions and membership history."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.codes import ETHNICITY_NAMES, Education, PoliticalStatus, Sex
from tongxin.core.crypto import EncryptedCharField, keyed_hash
from tongxin.core.fields import InWindow, PersonName
from tongxin.core.masking import mask_id_number, mask_phone
from tongxin.core.scoping import ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import Organization


class Occupation(models.TextChoices):
    STUDENT = "student", _("Student")
    EMPLOYED = "employed", _("Employed")
    UNEMPLOYED = "unemployed", _("Unemployed")
    FARMER = "farmer", _("Farmer")
    OTHER = "other", _("Other")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    AGED_OUT = "aged_out", _("Aged out")
    LEFT = "left", _("Left")
    DECEASED = "deceased", _("Deceased")


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


# A trailing-digit search longer than the stored tail compares decrypted values in Python, among at most
# this many rows sharing the tail (one in 10,000 of the roster share a 4-digit tail).
TAIL_CANDIDATES_MAX = 5000


class PersonQuerySet(ScopedQuerySet):
    def active(self) -> PersonQuerySet:
        return self.filter(status=MembershipStatus.ACTIVE)

    def with_id_number(self, number: str) -> PersonQuerySet:
        """People holding this (normalised) ID number: at most one, found by its keyed hash."""
        return self.filter(id_hash=keyed_hash(number)) if number else self.none()

    def with_id_numbers(self, numbers: list[str]) -> PersonQuerySet:
        return self.filter(id_hash__in=[keyed_hash(n) for n in numbers if n])

    def with_phone(self, phone: str) -> PersonQuerySet:
        return self.filter(phone_hash=keyed_hash(phone)) if phone else self.none()

    def q_id_ends_with(self, text: str) -> Q:
        """Q for the ID numbers ending with ``text`` (at least 4 characters) among this queryset's rows."""
        return self._q_ends_with("id_tail", "id_number", text.upper())

    def q_phone_ends_with(self, text: str) -> Q:
        return self._q_ends_with("phone_tail", "phone", text)

    def _q_ends_with(self, tail_field: str, field: str, text: str) -> Q:
        tail = text[-4:]
        if len(text) <= 4:
            return Q(**{tail_field: tail})
        # Narrow by the tail in SQL, then compare the decrypted values: bounded by TAIL_CANDIDATES_MAX.
        rows = self.filter(**{tail_field: tail}).order_by().values_list("pk", field)[:TAIL_CANDIDATES_MAX]
        return Q(pk__in=[pk for pk, value in rows if value.endswith(text)])


class Person(models.Model):
    name = models.CharField(_("name"), max_length=50, validators=[PersonName()])
    name_pinyin = models.CharField(_("pinyin"), max_length=200, editable=False, db_index=True)
    name_initials = models.CharField(_("initials"), max_length=50, editable=False, db_index=True)
    # Encrypted at rest (tongxin.core.crypto); found by id_hash, its keyed hash, which keeps it unique.
    # An anonymised person has id_number "" and id_hash NULL.
    id_number = EncryptedCharField(_("ID number"), max_length=18)
    id_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # The last four characters, so "search by the last digits" needs no scan of the full numbers.
    id_tail = models.CharField(max_length=4, editable=False, db_index=True)
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=list(ETHNICITY_NAMES.items()), default="01")
    political_status = models.CharField(
        _("political status"),
        max_length=2,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.LEAGUE_MEMBER,
    )
    education = models.CharField(_("education"), max_length=2, choices=Education.choices, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_tail = models.CharField(max_length=4, blank=True, editable=False, db_index=True)
    occupation = models.CharField(_("occupation"), max_length=16, choices=Occupation.choices, default=Occupation.OTHER)
    league_join_date = models.DateField(_("league join date"), null=True, blank=True, validators=[InWindow("history")])
    league_number = models.CharField(_("league member number"), max_length=32, null=True, blank=True, unique=True)
    party_join_date = models.DateField(_("party join date"), null=True, blank=True, validators=[InWindow("history")])
    branch = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("branch"),
    )
    # Copy of the branch's path: scoping and the subtree roster need no join.
    org_path = models.CharField(max_length=255, blank=True, editable=False)
    status = models.CharField(
        _("membership status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), own="pk")  # role holders of the subtree, and the person
    audit_fields = [
        "name", "id_number", "ethnicity", "political_status", "education", "phone", "occupation",
        "league_join_date", "league_number", "party_join_date", "branch", "status",
    ]  # fmt: skip

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["org_path", "name_pinyin", "id"]
        indexes = [
            # The roster's default sort within a subtree, for active members and for all.
            models.Index(fields=["status", "org_path", "name_pinyin", "id"], name="person_roster_idx"),
            models.Index(fields=["org_path", "name_pinyin", "id"], name="person_roster_all_idx"),
            models.Index(fields=["org_path", "birth_date"], name="person_age_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Every save keeps the lookup columns in step (an anonymisation blanks the ID number and phone, and
        # so their hashes and tails); a field not loaded (.only()) is not being changed.
        deferred = self.get_deferred_fields()
        loaded = tuple(name for name in ("id_number", "phone") if name not in deferred)
        self.set_lookup_fields(loaded)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = [column for name in loaded if name in update_fields for column in LOOKUP_COLUMNS[name]]
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    def set_lookup_fields(self, fields: tuple[str, ...] = ("id_number", "phone")) -> None:
        """The hashes and tails that find the encrypted ID number and phone (blank when they are blank)."""
        if "id_number" in fields:
            self.id_hash = keyed_hash(self.id_number) if self.id_number else None
            self.id_tail = self.id_number[-4:] if self.id_number else ""
        if "phone" in fields:
            self.phone_hash = keyed_hash(self.phone) if self.phone else ""
            self.phone_tail = self.phone[-4:] if self.phone else ""

    # One label each, for lists: get_FOO_display() rebuilds a dict of all the field's choices per call,
    # translating every lazy label (13 for political status) to hash it.
    @property
    def sex_label(self) -> str:
        return _choice_label(Sex, self.sex)

    @property
    def political_status_label(self) -> str:
        return _choice_label(PoliticalStatus, self.political_status)

    @property
    def status_label(self) -> str:
        return _choice_label(MembershipStatus, self.status)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


# The clear columns that find each encrypted one (Person.set_lookup_fields).
LOOKUP_COLUMNS = {"id_number": ("id_hash", "id_tail"), "phone": ("phone_hash", "phone_tail")}
LOOKUP_FIELDS = (*LOOKUP_COLUMNS["id_number"], *LOOKUP_COLUMNS["phone"])


class CadreTitle(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANISATION = "organisation", _("Organisation committee member")
    PUBLICITY = "publicity", _("Publicity committee member")
    MEMBER = "member", _("Committee member")


class CadrePosition(models.Model):
    """A position held by a person in an organisation (团干部, 定人定岗定责)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions", verbose_name=_("person"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="cadres", verbose_name=_("organisation")
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=32, choices=CadreTitle.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["person", "organization", "title", "start", "end"]

    class Meta:
        verbose_name = _("cadre position")
        verbose_name_plural = _("cadre positions")
        ordering = ["organization", "title", "start"]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_title_display()} {self.person}"

    def is_current(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.start <= day and (self.end is None or self.end > day)


class Membership(models.Model):
    """One stay of a person in a branch: ``end`` is empty while it lasts."""

    class Reason(models.TextChoices):
        JOINED = "joined", _("Joined")
        REGISTERED = "registered", _("Registered in the system")
        TRANSFER = "transfer", _("Transfer")
        CORRECTION = "correction", _("Correction")
        AGED_OUT = "aged_out", _("Aged out")
        LAPSED = "lapsed", _("Lapsed")  # 自行脱团: the branch meeting decided, the committee above approved
        LEFT = "left", _("Left")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("branch")
    )
    org_path = models.CharField(max_length=255, editable=False)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)
    start_reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    end_reason = models.CharField(_("reason for leaving"), max_length=16, choices=Reason.choices, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("membership history")
        ordering = ["person", "start", "id"]
        indexes = [models.Index(fields=["org_path", "start"], name="membership_period_idx")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization} {self.start}–{self.end or ''}"
