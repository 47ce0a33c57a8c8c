"""Import pages: upload a spreadsheet, watch the check, read the preview, correct the mapping, import.

They serve every registered kind of import (the roster, the organisation tree): the engine is
``tongxin.core.imports``, the background work ``tongxin.core.tasks``. They live here, not in core,
because the upload form offers the user's organisations. A job is private to the user who uploaded it
(the file holds personal data), and only a user who may change records reaches these pages.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.core import imports, params, tasks
from tongxin.core.exceptions import DomainError
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.import_report import report_file_name, write_audited_error_report
from tongxin.core.masking import mask_lookalikes
from tongxin.core.models import ImportJob
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.spreadsheets import check_size
from tongxin.orgs.models import STEP_WIDTH, Organization

PAGE_SIZE = 50
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_change_scope(request: HttpRequest) -> None:
    scope = scope_for(request.user, CHANGE)
    if not scope.has_subtrees:
        raise Http404


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    _require_change_scope(request)
    return get_object_or_404(ImportJob.objects.filter(actor_id=request.user.pk), pk=pk)


class UploadForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    org = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Roster rows that name no branch go to this branch; organisation rows that name no parent go under it."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("An Excel workbook (.xlsx, .xls) or a CSV file (UTF-8 or GBK)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args: Any, user: Any, extra_org: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, spec.label) for kind, spec in imports.SPECS.items()]  # type: ignore[attr-defined]
        scope = scope_for(user, CHANGE)
        # The organisations the user's roles are on (not the thousands below them), plus the one the
        # page was opened from; a row may name any branch of the user's subtrees.
        tops = Q(parent__isnull=True) if scope.everything else Q(path__in=scope.prefixes)
        choices = Q(tops) | Q(pk=extra_org) if extra_org else tops
        queryset = Organization.objects.visible_to(user, CHANGE).filter(choices).order_by("path")
        self.fields["org"].queryset = queryset  # type: ignore[attr-defined]
        if not self.is_bound and not extra_org:
            only = list(queryset[:2])
            if len(only) == 1:  # a secretary's one branch
                self.initial["org"] = only[0].pk


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    _require_change_scope(request)
    jobs = ImportJob.objects.filter(actor_id=request.user.pk).defer("content", "report")
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "imports/list.html", {"page": page, "title": _("Imports")})


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_change_scope(request)
    extra_org = _int(request.GET.get("org"))
    initial = {"kind": request.GET.get("kind") or "roster", "org": extra_org}
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, extra_org=extra_org,
                      initial=initial)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        org = form.cleaned_data["org"]
        try:
            check_size(uploaded.size, settings.TONGXIN_IMPORT_MAX_BYTES)  # before reading it into memory
            job = imports.create_job(
                request.user,
                kind=form.cleaned_data["kind"],
                file_name=uploaded.name,
                content=uploaded.read(),
                options={"org_id": org.pk if org else None},
                org_path=org.path if org else scope_for(request.user, CHANGE).common_prefix(STEP_WIDTH),
            )
        except DomainError as exc:
            form.add_error("file", " ".join(exc.messages))
        else:
            tasks.start_check(job, first=True)
            return redirect("imports:detail", pk=job.pk)
    context = {
        "form": form,
        "title": _("Import from Excel"),
        "intro": _(
            "Upload the file; it is checked first and nothing is written until you confirm the preview. "
            "Download the template from the roster page for the expected columns."
        ),
        "submit_label": _("Upload and check"),
        "cancel_url": request.META.get("HTTP_REFERER") or "/imports/",
        "multipart": True,
    }
    return render(request, "form_page.html", context)


def _int(value: str | None) -> int | None:
    return params.parse_id(value)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    # ID numbers and phones quoted from the file are masked, as in the roster lists (one place for the page).
    report = imports.masked_report(job.report)
    context: dict[str, Any] = {"job": job, "report": report, "title": job.file_name,
                               "error": mask_lookalikes(job.error)}  # fmt: skip
    if job.status in (ImportJob.Status.CHECKED, ImportJob.Status.DONE) and report:
        counts = report.get("counts", {})
        context.update(
            counts=counts,
            writable=counts.get(imports.NEW, 0) + counts.get(imports.UPDATED, 0),
            problem_rows=Paginator(_by_row(report.get("issues", [])), PAGE_SIZE).get_page(request.GET.get("page")),
            changes=Paginator(report.get("changes", []), PAGE_SIZE).get_page(request.GET.get("changes")),
            fields=report.get("fields", {}),
            missing=[report.get("fields", {}).get(key, key) for key in report.get("missing", [])],
        )
    return render(request, "imports/detail.html", context)


def _by_row(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's problems grouped by row (in row order), so the preview lists each bad row once."""
    rows: dict[int, list[dict[str, Any]]] = {}
    for issue in issues:
        rows.setdefault(issue["row"], []).append(issue)
    return [{"row": number, "issues": rows[number]} for number in sorted(rows)]


@login_required
@require_POST
def remap(request: HttpRequest, pk: int) -> HttpResponse:
    """Check again with the mapping chosen on the preview (column index -> field key, "" to skip)."""
    job = _own_job(request, pk)
    known = set((job.report or {}).get("fields", {}))
    mapping = {}
    for column in (job.report or {}).get("columns", []):
        value = request.POST.get(f"col-{column['index']}", "")
        mapping[str(column["index"])] = value if value in known else ""
    chosen = [key for key in mapping.values() if key]
    if len(chosen) != len(set(chosen)):
        messages.error(request, _("Each field can come from one column only: two columns were given the same field."))
        return redirect("imports:detail", pk=job.pk)
    try:
        tasks.start_check(job, mapping=mapping)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    try:
        tasks.start_commit(job, valid_only=request.POST.get("valid_only") == "1")
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("imports:detail", pk=job.pk)


@login_required
def error_report(request: HttpRequest, pk: int) -> FileResponse:
    """The user's own file back with the problems marked, cells in full (they correct it and upload it
    again). Only its uploader, while they may change records, gets it (``_own_job``), and each download
    is an export of personal data: one AccessLog row."""
    job = _own_job(request, pk)
    report = job.report or {}
    if not report.get("issues"):
        raise Http404
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it, which deletes it
    try:
        write_audited_error_report(request.user, job, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=report_file_name(job.file_name),
                        content_type=XLSX_CONTENT_TYPE)  # fmt: skip
