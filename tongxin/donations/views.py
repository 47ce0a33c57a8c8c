"""The donation drives' pages: the drives the user sees, a drive's page with its totals against the goal (a
progress bar), its donations a page at a time, recording a donation on a phone, voiding one with a reason,
recording a disbursement with its evidence, closing the drive, and the Excel export of donations and
disbursements.

A donor's name is shown only to those who may change the drive (the organisers); everyone else who sees the
drive sees "(name hidden)" for a named donor."""

from __future__ import annotations

from typing import IO, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.core import uploads, xlsx
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.pagination import keyset_page
from tongxin.core.params import parse_int
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import form_step, get_scoped_or_404, page_step, require_role, xlsx_response
from tongxin.donations import services
from tongxin.donations.forms import DisbursementForm, DonationForm, DriveForm, VoidForm
from tongxin.donations.models import (
    Disbursement,
    DisbursementEvidence,
    Donation,
    DonationDrive,
    DonorKind,
    DriveStatus,
)

PAGE_SIZE = 25
DONATION_KEYS = [
    ("donated_on", "donations_donation.donated_on"),
    ("id", "donations_donation.id"),
]


def _may_change(request: HttpRequest, drive: DonationDrive) -> bool:
    return scope_for(request.user, CHANGE).covers_path(drive.org_path)


def donor_label(donation: Donation, *, shown: bool) -> str:
    """The donor as a viewer sees it: the name for an organiser, else hidden (anonymous stays anonymous)."""
    if donation.donor_kind == DonorKind.ANONYMOUS:
        return str(DonorKind.ANONYMOUS.label)
    return donation.donor_name if shown else str(_("(name hidden)"))


def _drives(request: HttpRequest):
    return DonationDrive.objects.visible_to(request.user).select_related("organization")


@login_required
def drive_list(request: HttpRequest) -> HttpResponse:
    """The drives of the user's subtrees, open ones first, with what each received against its goal."""
    require_role(request)
    drives = list(_drives(request).order_by("status", "-starts_on", "-id")[:200])
    for d in drives:
        d.totals = services.totals(d)
    context = {"title": _("Donation drives"), "drives": drives,
               "can_create": scope_for(request.user, CHANGE).has_subtrees}  # fmt: skip
    return render(request, "donations/list.html", context)


@login_required
def drive_create(request: HttpRequest) -> HttpResponse:
    require_role(request, CHANGE)
    form = DriveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The drive is saved."), denied_as_404=True) as step:
            saved = services.create_drive(request.user, **form.cleaned_data)
        if step.ok:
            return redirect("donations:drive", pk=saved.pk)
    context = {"form": form, "title": _("A new donation drive"), "submit_label": _("Save the drive"),
               "cancel_url": reverse("donations:list"),
               "intro": _("Tongxin takes no money: the partner charity, qualified for public fundraising, receives "
                          "it. Here the organisers record what was given and spent.")}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
def drive(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, _drives(request), pk)
    can_change = _may_change(request, row)
    recent = list(row.donations.order_by("-donated_on", "-id")[:10])
    for d in recent:
        d.donor = donor_label(d, shown=can_change)
    disbursements = list(row.disbursements.prefetch_related("evidence").order_by("-disbursed_on", "-id")[:100])
    for b in disbursements:
        b.files = [(e.pk, e.file_name) for e in b.evidence.all()]
    context = {
        "title": row.title,
        "drive": row,
        "totals": services.totals(row),
        "recent": recent,
        "disbursements": disbursements,
        "can_change": can_change,
        "is_open": row.status == DriveStatus.OPEN,
    }
    return render(request, "donations/drive.html", context)


@login_required
def donation_list(request: HttpRequest, pk: int) -> HttpResponse:
    """All the drive's donations (voided ones marked), a page at a time, newest first."""
    row = get_scoped_or_404(request, _drives(request), pk)
    can_change = _may_change(request, row)
    qs = Donation.objects.filter(drive=row)
    jump = parse_int(request.GET.get("page"))
    page = keyset_page(qs, DONATION_KEYS, request.GET.get("cursor"), PAGE_SIZE, descending=True, total=qs.count(),
                       jump=jump)  # fmt: skip
    for d in page.rows:
        d.donor = donor_label(d, shown=can_change)
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("page", None)
    context = {"title": _("Donations to %(drive)s") % {"drive": row.title}, "drive": row, "page": page,
               "query": query.urlencode(), "can_change": can_change}  # fmt: skip
    return render(request, "donations/donations.html", context)


def _changeable(request: HttpRequest, pk: int) -> DonationDrive:
    row = get_scoped_or_404(request, _drives(request), pk)
    if not _may_change(request, row):
        raise Http404
    return row


@login_required
def donation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a donation from the partner's receipt (a phone-sized form)."""
    row = _changeable(request, pk)
    form = DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The donation is recorded."), denied_as_404=True) as step:
            services.record_donation(request.user, row, **form.cleaned_data)
        if step.ok:
            return redirect("donations:drive", pk=row.pk)
    context = {"form": form, "title": _("A donation to %(drive)s") % {"drive": row.title},
               "submit_label": _("Record the donation"),
               "cancel_url": reverse("donations:drive", args=[row.pk])}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
def disbursement_create(request: HttpRequest, pk: int) -> HttpResponse:
    row = _changeable(request, pk)
    form = DisbursementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("evidence", None)
        evidence = (upload.name or "", upload.read()) if upload else None
        with form_step(request, form, _("The disbursement is recorded."), denied_as_404=True) as step:
            services.record_disbursement(request.user, row, evidence=evidence, **data)
        if step.ok:
            return redirect("donations:drive", pk=row.pk)
    context = {"form": form, "title": _("A disbursement of %(drive)s") % {"drive": row.title}, "multipart": True,
               "submit_label": _("Record the disbursement"),
               "cancel_url": reverse("donations:drive", args=[row.pk])}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
@require_POST
def drive_close(request: HttpRequest, pk: int) -> HttpResponse:
    row = _changeable(request, pk)
    with page_step(request, _("The drive is closed.")):
        services.close_drive(request.user, row)
    return redirect("donations:drive", pk=row.pk)


@login_required
@require_POST
def donation_void(request: HttpRequest, pk: int) -> HttpResponse:
    donation = get_scoped_or_404(request, Donation.objects.select_related("drive"), pk)
    if not _may_change(request, donation.drive):
        raise Http404
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the donation is voided."))
    else:
        with page_step(request, _("The donation is voided.")):
            services.void_donation(request.user, donation, reason=form.cleaned_data["reason"])
    return redirect("donations:donations", pk=donation.drive_id)


@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, DisbursementEvidence, pk)
    return uploads.serve_upload(bytes(row.content), row.content_type, row.file_name)


@login_required
@reads_from_replica
def export(request: HttpRequest, pk: int) -> FileResponse:
    """The drive's donations and disbursements, one sheet each (donor names for the organisers only)."""
    row = get_scoped_or_404(request, _drives(request), pk)
    shown = _may_change(request, row)

    def write(out: IO[bytes]) -> int:
        workbook = xlsx.open_workbook(out)
        count = 0
        try:
            formats = xlsx.standard_formats(workbook, text_as_text=False)
            sheet = workbook.add_worksheet(str(_("Donations"))[:31])
            sheet.set_column(0, 6, 16)
            xlsx.write_header(sheet, [_("Date"), _("Donor"), _("Donor kind"), _("Amount (yuan)"),
                                      _("Receipt number"), _("Voided"), _("Reason for voiding")], formats)  # fmt: skip
            donations = Donation.objects.filter(drive=row).order_by("donated_on", "id")
            for count, d in enumerate(donations.iterator(), start=1):
                values: list[Any] = [d.donated_on, donor_label(d, shown=shown), d.get_donor_kind_display(), d.amount,
                                     d.receipt_number, _("Yes") if d.voided else "", d.void_reason]  # fmt: skip
                xlsx.write_row(sheet, count, values, formats)
            sheet = workbook.add_worksheet(str(_("Disbursements"))[:31])
            sheet.set_column(0, 4, 18)
            xlsx.write_header(sheet, [_("Date"), _("Amount (yuan)"), _("Recipient"), _("Purpose")], formats)
            rows = Disbursement.objects.filter(drive=row).order_by("disbursed_on", "id")
            for index, b in enumerate(rows.iterator(), start=1):
                xlsx.write_row(sheet, index, [b.disbursed_on, b.amount, b.recipient, b.purpose], formats)
        finally:
            workbook.close()
        return count

    audit = {"obj": row, "fields": "donor_name" if shown else "", "filters": {"drive": row.pk},
             "org_path": row.org_path}  # fmt: skip
    return xlsx_response(request, f"donations-{row.pk}.xlsx", write, audit=audit)
