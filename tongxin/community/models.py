"""Community reporting (双报到双报告): organisations and serving party members register (报到) with the community
(社区) where they work or live; the community posts service needs and projects; they take them on and report what
they did. A yearly report per organisation and per member is a query over the reports (``queries.year_of``).

A community is an organisation of the tree, the same notion as a micro-wish's ``community`` (activities.Wish).

Who sees what: the community (``community_path``) sees its registrations, needs, take-ups and reports; the
registered unit, or the member's branch and the organisations above it (``org_path``), sees its own and its
members'; the member sees his own (``own="person"``); a registered member also sees the needs of the communities
he is registered with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongxin.core.fields import IntRange, InWindow
from tongxin.core.models import StoredFile
from tongxin.core.scoping import Scope, ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import Organization
from tongxin.people.models import Person


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("Registered")
    ENDED = "ended", _("Ended")


class CommunityRegistration(models.Model):
    """An organisation (报到单位) or a serving party member (在职党员) registered with a community."""

    community = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="community_registrations",
                                  verbose_name=_("community"))  # fmt: skip
    community_path = models.CharField(max_length=255, editable=False)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("registered organisation"))  # fmt: skip
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="community_registrations", verbose_name=_("party member"))  # fmt: skip
    org_path = models.CharField(max_length=255, editable=False)  # the unit's path, or the member's branch
    started_on = models.DateField(_("registered on"), validators=[InWindow("history")])
    status = models.CharField(_("status"), max_length=8, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.ACTIVE)  # fmt: skip
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("community_path", "org_path"), own="person")
    audit_fields = ["community", "organization", "person", "started_on", "status"]

    class Meta:
        verbose_name = _("community registration")
        verbose_name_plural = _("community registrations")
        ordering = ["community_id", "-started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=True) ^ Q(person__isnull=True), name="community_reg_one_registrant"
            ),
        ]
        indexes = [models.Index(fields=["community_path", "status"], name="creg_community_idx"),
                   models.Index(fields=["org_path"], name="creg_org_idx")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.registrant_name} → {self.community.name}"

    @property
    def registrant_name(self) -> str:
        return self.person.name if self.person_id else self.organization.name  # type: ignore[union-attr]


def _registered_needs(scope: Scope) -> Q | None:
    """A registered member sees the needs of the communities he is registered with."""
    if not scope.owner_id:
        return None
    communities = CommunityRegistration.objects.filter(person_id=scope.owner_id, status=RegistrationStatus.ACTIVE)
    return Q(community_id__in=communities.values("community_id"))


class NeedKind(models.TextChoices):
    NEED = "need", _("Service need")
    PROJECT = "project", _("Project")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ServiceNeed(models.Model):
    """A service need or project the community posts (需求清单 / 项目清单)."""

    community = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="service_needs",
                                  verbose_name=_("community"))  # fmt: skip
    community_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=NeedKind.choices, default=NeedKind.NEED)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("community_path",), also=_registered_needs)
    audit_fields = ["community", "kind", "title", "description", "capacity", "starts_on", "ends_on", "status"]

    class Meta:
        verbose_name = _("service need")
        verbose_name_plural = _("service needs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community_path", "status"], name="cneed_community_idx")]

    def __str__(self) -> str:
        return self.title


class TakeUp(models.Model):
    """A registered organisation or member takes on a need (认领)."""

    need = models.ForeignKey(ServiceNeed, on_delete=models.PROTECT, related_name="take_ups", verbose_name=_("need"))
    registration = models.ForeignKey(CommunityRegistration, on_delete=models.PROTECT, related_name="take_ups",
                                     verbose_name=_("registration"))  # fmt: skip
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False)
    org_path = models.CharField(max_length=255, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("community_path", "org_path"), own="person")
    audit_fields = ["need", "registration"]

    class Meta:
        verbose_name = _("take-up")
        verbose_name_plural = _("take-ups")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["need", "registration"], name="takeup_once")]

    def __str__(self) -> str:
        return f"{self.registration.registrant_name}: {self.need.title}"


class ReportStatus(models.TextChoices):
    """Where a report stands with its community: sent, read and acknowledged, or sent back to be completed."""

    SUBMITTED = "submitted", pgettext_lazy("community report", "Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("community report", "Acknowledged")
    RETURNED = "returned", pgettext_lazy("community report", "Sent back")


REPORT_TRANSITIONS = {
    "acknowledge": ((ReportStatus.SUBMITTED,), ReportStatus.ACKNOWLEDGED),
    "send_back": ((ReportStatus.SUBMITTED,), ReportStatus.RETURNED),
    "resubmit": ((ReportStatus.RETURNED,), ReportStatus.SUBMITTED),
}


class ServiceReport(models.Model):
    """What a registered organisation or member did (报告): a record, no check-in, no compulsory photo.

    Linked to a take-up of a posted need, or free-standing (service done without a posted need: ``take_up`` empty).
    The community's admin acknowledges it, or sends it back with a reason to be completed (``REPORT_TRANSITIONS``).
    """

    registration = models.ForeignKey(CommunityRegistration, on_delete=models.PROTECT, related_name="reports",
                                     verbose_name=_("registration"))  # fmt: skip
    take_up = models.ForeignKey(TakeUp, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports",
                                verbose_name=_("take-up"))  # fmt: skip
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=255, editable=False)
    org_path = models.CharField(max_length=255, editable=False)
    done_on = models.DateField(_("done on"), validators=[InWindow("history")])
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    content = models.TextField(_("what was done"))
    people = models.PositiveIntegerField(_("people taking part"), null=True, blank=True,
                                         validators=[IntRange(1, 10000)])  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices,
                              default=ReportStatus.SUBMITTED)  # fmt: skip
    return_reason = models.CharField(_("reason sent back"), max_length=500, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")  # fmt: skip
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("community_path", "org_path"), own="person")
    audit_fields = ["registration", "take_up", "done_on", "hours", "people", "content", "status", "return_reason"]

    class Meta:
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["community_path", "done_on"], name="creport_community_idx"),
                   models.Index(fields=["org_path", "done_on"], name="creport_org_idx"),
                   models.Index(fields=["registration", "done_on"], name="creport_reg_idx"),
                   models.Index(fields=["community_path", "status"], name="creport_status_idx")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.done_on} {self.content[:30]}"


class ReportPhoto(StoredFile):
    """A photo of a report (optional, never required), its type checked by its content; served only to those who
    see the report (the community, the unit and the organisations above it, the member himself)."""

    report = models.ForeignKey(ServiceReport, on_delete=models.CASCADE, related_name="photos",
                               verbose_name=_("service report"))  # fmt: skip

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("report__community_path", "report__org_path"), own="report__person")

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["uploaded_at", "id"]
