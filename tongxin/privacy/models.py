"""Minors' consent records and the marks left by anonymisation (PIPL: minors' data is sensitive).

A :class:`ConsentRecord` says who agreed to the processing of a person's data under which notice: the
person themself (14 and over) or a guardian (required under 14 on the consent date, PIPL art. 31).
Both models are scoped through the person's branch (``person__org_path``): they follow the person
when a transfer moves them, so no path copy needs rewriting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.core.scoping import ScopedQuerySet, ScopeSpec
from tongxin.people.models import Person


class GivenBy(models.TextChoices):
    SELF = "self", _("The person themself")
    GUARDIAN = "guardian", _("A guardian")


class GuardianRelationship(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    OTHER = "other", _("Other legal guardian")


class ConsentMethod(models.TextChoices):
    PAPER = "paper", _("Signed paper form")
    IN_PERSON = "in_person", _("In person, recorded by the secretary")


class ConsentRecord(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("person"))
    given_by = models.CharField(_("consent given by"), max_length=16, choices=GivenBy.choices)
    guardian_name = models.CharField(_("guardian's name"), max_length=50, blank=True)
    guardian_relationship = models.CharField(
        _("relationship to the person"), max_length=16, choices=GuardianRelationship.choices, blank=True
    )
    given_on = models.DateField(_("date given"))
    purpose = models.CharField(_("purpose"), max_length=200)
    notice_version = models.CharField(_("version of the privacy notice"), max_length=50)
    method = models.CharField(_("how it was recorded"), max_length=16, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("person__org_path",), own="person_id")  # the person sees their own consents
    audit_fields = ["person", "given_by", "guardian_name", "guardian_relationship", "given_on", "purpose",
                    "notice_version", "method", "withdrawn_at"]  # fmt: skip

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["person", "-given_on", "-id"]
        indexes = [models.Index(fields=["person", "withdrawn_at"], name="consent_valid_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.given_on:%Y-%m-%d}"

    @property
    def is_valid(self) -> bool:
        return self.withdrawn_at is None


class AnonymisationReason(models.TextChoices):
    RETENTION = "retention", _("The retention period ended")
    REQUEST = "request", _("The person asked for erasure")


class Anonymisation(models.Model):
    """The mark that a person's record was anonymised: when, by whom and why (no personal data)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="anonymisation")
    done_at = models.DateTimeField(_("anonymised at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))  # fmt: skip
    reason = models.CharField(_("reason"), max_length=16, choices=AnonymisationReason.choices)
    reference = models.CharField(_("reference of the request"), max_length=100, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("person__org_path",))

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self) -> str:
        return f"{self.person_id} {self.done_at:%Y-%m-%d}"
