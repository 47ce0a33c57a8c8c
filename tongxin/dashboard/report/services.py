"""Submitting an annual report: every decrease of the year-on-year table explained, the figures stored as
submitted, an audit entry."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import text_refusal
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, Actor, by, require
from tongxin.dashboard.report import queries
from tongxin.dashboard.report.models import AnnualReport
from tongxin.orgs.models import Organization

EXPLANATION_MAX = 500


def _explanation(text: Any) -> str:
    value = " ".join(str(text or "").split())
    refusal = text_refusal(value)
    if refusal:
        raise DomainError("explanations", refusal)
    if len(value) > EXPLANATION_MAX:
        raise DomainError("explanations", _("An explanation holds at most %(n)d characters.") % {"n": EXPLANATION_MAX})
    return value


@transaction.atomic
def submit_report(actor: Actor, organization: Organization, *, year: int, explanations: dict[str, Any] | None = None,
                  today: datetime.date | None = None) -> AnnualReport:  # fmt: skip
    """Submit ``organization``'s report of ``year``: the figures are worked out again now, every row of the
    year-on-year table that went down must carry an explanation in ``explanations`` (row key → text), else
    DomainError naming the rows. The figures and the explanations are stored as submitted (a new submission
    of the same year replaces them; the audit log keeps both)."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    require(actor, CHANGE, organization.path)
    report = queries.annual_report(organization, year, today)
    given = {str(key): _explanation(text) for key, text in (explanations or {}).items()}
    known = {key for key, _label in queries.COMPARED}
    unknown = sorted(set(given) - known)
    if unknown:
        raise DomainError("explanations", _("No such row of the year-on-year table: %(rows)s.")
                          % {"rows": ", ".join(unknown)})  # fmt: skip
    down = queries.decreases(report)
    missing = [row["label"] for row in down if not given.get(row["key"])]
    if missing:
        raise DomainError("explanations", _("Explain the decrease before submitting: %(rows)s.")
                          % {"rows": "; ".join(missing)})  # fmt: skip
    kept = {row["key"]: given[row["key"]] for row in down}  # explanations of rows that did not go down: dropped
    existing = AnnualReport.objects.select_for_update().filter(organization=organization, year=report["year"]).first()
    fields = ["year", "explanations", "submitted_at"]
    before = snapshot(existing, fields) if existing is not None else None
    submission = existing or AnnualReport(organization=organization, org_path=organization.path, year=report["year"])
    submission.org_path = organization.path
    submission.figures = report
    submission.explanations = kept
    submission.submitted_by = by(actor)
    submission.submitted_at = timezone.now()
    submission.save()
    record_change(
        actor, submission, ChangeLog.Action.UPDATE if existing else ChangeLog.Action.CREATE,
        before=before, after=snapshot(submission, fields), org_path=organization.path,
    )  # fmt: skip
    return submission
