"""League deputies' studios (团代表工作室): deputies to a league congress, their reception days and the requests
young people bring them.

A ``Congress`` (团代表大会) is held by an organisation (a local committee) for a term. A ``Deputy`` is a person
elected to it (person × congress, the congress naming the term); a deputy may be attached to a studio, a venue of
kind 团代表工作室 (``venues.Venue``, read only here). At a ``ReceptionDay`` the deputy receives young people; each
request is a ``ConstituentRequest``: who (a name and a contact phone, encrypted and shown masked), what, when,
the organisation it is assigned to, its follow-up and its answer, and the date it is due by (the rule
``deputy_request_due_days`` after it was received). A request not answered by then is overdue.

Who sees what (role holders only): a deputy and everything about her is seen from the deputy's own branch
(``org_path``: the person's branch when elected) and from the organisation holding the congress
(``congress_path``); a request also from the organisation it is assigned to (``assigned_path``), which answers it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core.crypto import EncryptedCharField
from tongxin.core.fields import InWindow, PersonName, Wording
from tongxin.core.masking import mask_phone
from tongxin.core.scoping import Scope, ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import STEP_WIDTH, Organization
from tongxin.people.models import Person
from tongxin.venues.models import Venue


def _ancestors(path: str) -> list[str]:
    return [path[:end] for end in range(STEP_WIDTH, len(path) + 1, STEP_WIDTH)]


def _held_above(scope: Scope) -> Q | None:
    """A congress is seen by the organisations under the one holding it too (their deputies sit in it)."""
    paths = sorted({above for p in scope.prefixes for above in _ancestors(p)})
    return Q(org_path__in=paths) if paths else None


class Congress(models.Model):
    """A league congress (团代表大会) of an organisation, e.g. 共青团昆明市西山区第十次代表大会, for its term."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="congresses",
                                     verbose_name=_("organisation holding it"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=100, validators=[Wording()])
    term_start = models.DateField(_("term starts"), validators=[InWindow("history")])
    term_end = models.DateField(_("term ends"), validators=[InWindow("plan")])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",), also=_held_above)
    audit_fields = ["organization", "name", "term_start", "term_end"]

    class Meta:
        verbose_name = _("league congress")
        verbose_name_plural = _("league congresses")
        ordering = ["-term_start", "id"]
        constraints = [models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")), name="congress_term")]

    def __str__(self) -> str:
        return self.name


class Deputy(models.Model):
    """A person elected to a congress; ``studio``: the deputies' studio (团代表工作室) she receives at."""

    congress = models.ForeignKey(Congress, on_delete=models.PROTECT, related_name="deputies",
                                 verbose_name=_("congress"))  # fmt: skip
    congress_path = models.CharField(max_length=255, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="deputy_seats",
                               verbose_name=_("person"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)  # the person's branch when elected
    studio = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="deputies",
                               verbose_name=_("studio"))  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path", "congress_path"))
    audit_fields = ["congress", "person", "studio", "active"]

    class Meta:
        verbose_name = _("league deputy")
        verbose_name_plural = _("league deputies")
        ordering = ["congress", "person__name_pinyin", "id"]
        constraints = [models.UniqueConstraint(fields=["congress", "person"], name="deputy_once_per_congress")]
        indexes = [models.Index(fields=["org_path"], name="deputy_path_idx"),
                   models.Index(fields=["congress_path"], name="deputy_congress_idx")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.person.name} ({self.congress.name})"


class ReceptionDay(models.Model):
    """A reception day (接待日) of a deputy at a studio."""

    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="reception_days",
                               verbose_name=_("deputy"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)
    congress_path = models.CharField(max_length=255, editable=False)
    studio = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+", verbose_name=_("studio"))
    starts_at = models.DateTimeField(_("starts at"), validators=[InWindow("plan")])
    ends_at = models.DateTimeField(_("ends at"), validators=[InWindow("plan")])
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path", "congress_path"))
    audit_fields = ["deputy", "studio", "starts_at", "ends_at", "note"]

    class Meta:
        verbose_name = _("reception day")
        verbose_name_plural = _("reception days")
        ordering = ["-starts_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="reception_order")]

    def __str__(self) -> str:
        return f"{self.studio} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    FOLLOWED_UP = "followed_up", _("Followed up")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.ASSIGNED, RequestStatus.FOLLOWED_UP)


class ConstituentRequest(models.Model):
    """A request a young person brought to a deputy. ``phone`` is the young person's contact: encrypted at
    rest, masked in lists and audit rows, shown in full only through an audited reveal."""

    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="requests", verbose_name=_("deputy"))
    deputy_path = models.CharField(max_length=255, editable=False)
    congress_path = models.CharField(max_length=255, editable=False)
    reception_day = models.ForeignKey(ReceptionDay, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="requests", verbose_name=_("reception day"))  # fmt: skip
    received_on = models.DateField(_("received on"), validators=[InWindow("history")])
    name = models.CharField(_("name"), max_length=50, validators=[PersonName()])
    phone = EncryptedCharField(_("contact phone"), max_length=20, blank=True)
    subject = models.CharField(_("subject"), max_length=100)
    content = models.TextField(_("what is asked"))
    assigned_to = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("assigned organisation"))  # fmt: skip
    assigned_path = models.CharField(max_length=255, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices,
                              default=RequestStatus.RECEIVED)  # fmt: skip
    due_on = models.DateField(_("due on"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("deputy_path", "congress_path", "assigned_path"))
    audit_fields = ["deputy", "reception_day", "received_on", "name", "phone", "subject", "content", "assigned_to",
                    "status", "due_on", "follow_up", "answer"]  # fmt: skip

    class Meta:
        verbose_name = _("deputy request")
        verbose_name_plural = _("deputy requests")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["deputy_path", "status", "due_on"], name="dreq_deputy_idx"),
            models.Index(fields=["congress_path", "status", "due_on"], name="dreq_congress_idx"),
            models.Index(fields=["assigned_path", "status", "due_on"], name="dreq_assigned_idx"),
            models.Index(fields=["deputy", "received_on"], name="dreq_summary_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


def overdue_q(today: datetime.date | None = None) -> Q:
    """Requests not answered by their due date."""
    return Q(status__in=OPEN_STATUSES, due_on__lt=today or timezone.localdate())
