"""A submitted annual report: the figures as they were when submitted, and the explanations of decreases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.core.fields import IntRange
from tongxin.core.scoping import ScopedQuerySet, ScopeSpec
from tongxin.orgs.models import Organization

# The years a report may be asked for (the year window of the bounded inputs).
FIRST_YEAR = 1949
LAST_YEAR = 2100


class AnnualReport(models.Model):
    """One organisation's report of one year, as submitted (a new submission replaces the figures and
    explanations; the audit log keeps the earlier ones)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="annual_reports", verbose_name=_("organisation")
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"), validators=[IntRange(FIRST_YEAR, LAST_YEAR)])
    figures = models.JSONField(_("figures as submitted"), default=dict)
    explanations = models.JSONField(_("explanations of decreases"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(paths=("org_path",))
    audit_fields = ["organization", "year", "figures", "explanations", "submitted_at"]

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "org_path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="annual_report_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"
