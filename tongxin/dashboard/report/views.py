"""Annual report pages: the report of an organisation of the caller's scope (404 otherwise) for a year, its
submission with explanations, and the Excel and PDF files (made inline: a dozen grouped queries and a few dozen
rows, well under a second at the demo's scale)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.core.exceptions import DomainError
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import XlsxFileResponse, flash_form_errors, get_changeable_or_404, get_scoped_or_404, xlsx_file
from tongxin.dashboard.report import export, queries, services
from tongxin.dashboard.report.forms import EXPLAIN_PREFIX, SubmitForm, YearForm
from tongxin.dashboard.report.models import AnnualReport
from tongxin.orgs.models import Organization


def _report(request: HttpRequest, org: Organization) -> tuple[dict[str, Any] | None, YearForm]:
    """The report of the year the query asks for (this year by default); None with the form's errors when the
    year is not one a report is made for (malformed, out of the window, in the future)."""
    form = YearForm(request.GET or None)
    if request.GET and not form.is_valid():
        return None, form
    year = (form.cleaned_data.get("year") if request.GET else None) or timezone.localdate().year
    try:
        return queries.annual_report(org, year), form
    except DomainError as error:
        error.add_to_form(form)
        return None, form


def _page(request: HttpRequest, org: Organization, report: dict[str, Any] | None, form: YearForm) -> HttpResponse:
    submission = AnnualReport.objects.filter(organization=org, year=report["year"]).first() if report else None
    may_submit = scope_for(request.user, CHANGE).covers_path(org.path)
    submit_form = None
    if report is not None and may_submit:
        given = submission.explanations if submission else {}
        submit_form = SubmitForm(initial={"year": report["year"],
                                          **{EXPLAIN_PREFIX + k: v for k, v in given.items()}})  # fmt: skip
    explain_fields = {row["key"]: submit_form[EXPLAIN_PREFIX + row["key"]]
                      for row in report["comparison"]} if report and submit_form else {}  # fmt: skip
    return render(
        request,
        "dashboard/report.html",
        {"title": _("Annual report: %(org)s") % {"org": org.name}, "org": org, "report": report, "form": form,
         "submission": submission, "submit_form": submit_form, "explain_fields": explain_fields,
         "checks_ok": report is not None and all(c["ok"] for c in report["checks"])},
        status=200 if report is not None else 400,
    )  # fmt: skip


@login_required
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    """``/dashboard/report/<org>/?year=``: the tables, the year-on-year comparison, the logic checks and, for
    those who may change the organisation, the submission form."""
    org = get_scoped_or_404(request, Organization, pk)
    report, form = _report(request, org)
    return _page(request, org, report, form)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the year's report with the explanations of its decreases (refused, naming the rows, when one is
    missing); back to the report either way."""
    org = get_changeable_or_404(request, Organization, pk, CHANGE, path_field="path", refuse=PermissionDenied)
    form = SubmitForm(request.POST)
    url = reverse("dashboard:report", args=[org.pk])
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(url)
    year = form.cleaned_data["year"]
    try:
        services.submit_report(request.user, org, year=year, explanations=form.explanations())
    except DomainError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The report of %(year)s is submitted.") % {"year": year})
    return redirect(f"{url}?year={year}")


def _explanations(org: Organization, report: dict[str, Any]) -> dict[str, str]:
    submission = AnnualReport.objects.filter(organization=org, year=report["year"]).first()
    return submission.explanations if submission else {}


@login_required
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The report as an .xlsx file in the fixed layout (``report.export``)."""
    org = get_scoped_or_404(request, Organization, pk)
    report, form = _report(request, org)
    if report is None:
        return _page(request, org, report, form)
    with xlsx_file() as out:
        export.write_xlsx(report, out, _explanations(org, report))
    return XlsxFileResponse(out, f"annual-report-{org.code}-{report['year']}.xlsx")


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The report as a PDF (CJK font)."""
    org = get_scoped_or_404(request, Organization, pk)
    report, form = _report(request, org)
    if report is None:
        return _page(request, org, report, form)
    content = io.BytesIO(export.pdf_bytes(report, _explanations(org, report)))
    filename = f"annual-report-{org.code}-{report['year']}.pdf"
    return FileResponse(content, as_attachment=True, filename=filename, content_type="application/pdf")
