"""The compliance board (一表通) and the required frequencies behind it.

* ``board/?org=&year=&period=&sort=``: the board of an organisation's subtree (``queries.compliance_board``):
  at a committee one row per child organisation with its counts per required kind (drilling down with
  ``?org=``), at a branch its cells period by period; the compliance rates; ``sort=worst`` puts the worst
  rows first. A party branch also shows its members' political birthdays this month, the dues day and
  whether this year's yearly meetings are held. The table scrolls sideways inside itself on a phone.
* ``board/export/``: the same cells as .xlsx.
* ``board/requirements/``: the required frequencies, listed and edited by the district admin alone
  (``services.requirements.set_requirement``); 404 for everyone else, as on the rules page.

Organisations are fetched through ``visible_to``: out of scope is 404.
"""

from __future__ import annotations

from typing import IO, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core import xlsx
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.exceptions import DomainError
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.services import may_edit_rules
from tongxin.core.views import has_role, xlsx_response
from tongxin.orglife import queries
from tongxin.orglife.filters import FIRST_YEAR, board_year
from tongxin.orglife.models import Frequency, Meeting, MeetingKind, MeetingRequirement, MeetingStatus
from tongxin.orglife.services import meetings as meeting_services
from tongxin.orglife.services import requirements as requirement_services
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.queries import org_from_query, top_organizations
from tongxin.orgs.services import ancestors_of

# --- helpers ---------------------------------------------------------------------------------------------


def board_org(request: Any, raw: str | None) -> Organization | None:
    """The board's organisation: ``?org=`` (404 when not visible), else the viewer's single top one."""
    return org_from_query(request.user, raw)


def board_url(org: Organization, year: int, period: str = "", sort: str = "") -> str:
    url = f"{reverse('orglife:board')}?org={org.pk}&year={year}"
    if period:
        url += f"&period={period}"
    if sort and sort != "tree":
        url += f"&sort={sort}"
    return url


def _sort(request: HttpRequest) -> str:
    sort = request.GET.get("sort") or "tree"
    return sort if sort in queries.SORTS else "tree"


def _cell_links(
    request: HttpRequest, org: Organization, year: int, cells_by_kind: dict[str, list[Any]]
) -> dict[tuple[str, int], str]:
    """Where each cell of a branch's board leads: the meeting of its kind in its period (held first, else a
    planned one still to record), or, for one who may plan, the form to plan it. Keyed by (kind, index)."""
    found: dict[tuple[str, int], tuple[bool, int]] = {}
    meetings = meeting_services.of_organization(Meeting.objects.exclude(status=MeetingStatus.CANCELLED), org)
    rows = meetings.filter(starts_at__year=year, kind__in=list(cells_by_kind)).order_by("starts_at", "id")
    for pk, kind, status, starts_at in rows.values_list("pk", "kind", "status", "starts_at"):
        cells = cells_by_kind[kind]
        if not cells:
            continue
        key = (kind, (timezone.localtime(starts_at).month - 1) // cells[0].months)
        held = status == MeetingStatus.HELD
        if key not in found or (held and not found[key][0]):
            found[key] = (held, pk)
    may_plan = scope_for(request.user, CHANGE).covers_path(org.path)
    plan = reverse("orglife:meeting_plan", args=[org.pk])
    links: dict[tuple[str, int], str] = {}
    for kind, cells in cells_by_kind.items():
        for cell in cells:
            key = (kind, cell.index)
            if key in found:
                links[key] = reverse("orglife:meeting_detail", args=[found[key][1]])
            elif may_plan and cell.status in ("due", "overdue", "upcoming"):
                links[key] = f"{plan}?kind={kind}"
    return links


# --- the board -------------------------------------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    if not has_role(request):
        return render(request, "core/no_role.html")
    year = board_year(request.GET.get("year"))
    period = request.GET.get("period") or ""
    sort = _sort(request)
    org = board_org(request, request.GET.get("org"))
    if org is None:
        links = [(top, board_url(top, year)) for top in top_organizations(request.user)]
        return render(request, "orglife/board/home.html", {"links": links, "year": year,
                                                            "title": _("Compliance board")})  # fmt: skip
    try:
        data = queries.compliance_board(request.user, org, year=year, period=period)
    except PermissionDenied:
        raise Http404 from None
    scope = scope_for(request.user)
    rows = [
        (row, board_url(row.org, year, data.period, sort) if row.drills and not data.is_leaf else "",
         [row.by_kind.get(kind) for kind, _label in data.kinds])
        for row in data.sorted_rows(sort)
    ]  # fmt: skip
    this_year = timezone.localdate().year
    leaf_cells = []
    if data.is_leaf and data.rows:
        row = data.rows[0]
        cell_links = _cell_links(request, org, year, {kind: row.cells.get(kind, []) for kind, _label in data.kinds})
        for kind, label in data.kinds:
            cells = row.cells.get(kind, [])
            offset = cells[0].index * cells[0].months if cells else 0
            leaf_cells.append((kind, label, offset, [(cell, cell_links.get((kind, cell.index), "")) for cell in cells]))
    context = {
        "title": _("Compliance board %(year)d: %(org)s") % {"year": year, "org": org.display_name},
        "org": org,
        "year": year,
        "period": data.period,
        "sort": sort,
        "board": data,
        "rows": rows,
        "leaf_cells": leaf_cells,
        "month_numbers": list(range(1, 13)),
        "total_cells": [data.total_by_kind.get(kind) for kind, _label in data.kinds],
        "periods": queries.period_choices(),
        "ancestors": [a for a in ancestors_of(org) if scope.covers_path(a.path)],
        "prev_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year <= this_year else None,
        "can_edit_requirements": may_edit_rules(request.user),
        "export_url": board_url(org, year, data.period, sort).replace(
            reverse("orglife:board"), reverse("orglife:board_export"), 1
        ),
    }
    return render(request, "orglife/board/board.html", context)


@login_required
@reads_from_replica
def board_export(request: HttpRequest) -> FileResponse:
    """The board as .xlsx, the same cells as the page. Counts and organisation names only: no personal data
    (the party branch's birthdays are left out), so no AccessLog row is written."""
    if not has_role(request):
        raise Http404
    year = board_year(request.GET.get("year"))
    org = board_org(request, request.GET.get("org"))
    if org is None:
        raise Http404
    try:
        data = queries.compliance_board(request.user, org, year=year, period=request.GET.get("period") or "")
    except PermissionDenied:
        raise Http404 from None
    status_text = {key: str(label) for key, label in queries.STATUS_LABELS.items()}

    def write(out: IO[bytes]) -> None:
        workbook = xlsx.open_workbook(out)
        try:
            formats = xlsx.standard_formats(workbook, text_as_text=False)
            sheet = workbook.add_worksheet(str(_("Compliance board"))[:31])
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, 60, 12)
            if data.is_leaf:
                headers = [_("Meeting kind"), _("Frequency")] + [
                    _("Month %(month)d") % {"month": m} for m in range(1, 13)
                ]
                xlsx.write_header(sheet, headers, formats)
                frequencies = dict(Frequency.choices)
                index = 1
                for kind, label in data.kinds:
                    cells = data.rows[0].cells.get(kind, []) if data.rows else []
                    by_month: list[str] = [""] * 12
                    for cell in cells:
                        for m in range(cell.index * cell.months, cell.index * cell.months + cell.months):
                            by_month[m] = status_text[cell.status]
                    frequency = str(frequencies.get(cells[0].frequency, "")) if cells else ""
                    xlsx.write_row(sheet, index, [label, frequency, *by_month], formats)
                    index += 1
                counts = data.total
                xlsx.write_row(sheet, index, [_("Compliance rate"), counts.percent, _("Including current periods"),
                                              counts.percent_current], formats)  # fmt: skip
            else:
                headers = [_("Organisation")]
                for _kind, label in data.kinds:
                    headers += [f"{label} {status_text['done']}", f"{label} {status_text['due']}",
                                f"{label} {status_text['overdue']}"]  # fmt: skip
                headers += [_("Compliance rate"), _("Including current periods")]
                xlsx.write_header(sheet, headers, formats)

                def values(name: str, by_kind: dict[str, queries.Counts], total: queries.Counts) -> list[Any]:
                    cells: list[Any] = [name]
                    for kind, _label in data.kinds:
                        c = by_kind.get(kind) or queries.Counts()
                        cells += [c.done, c.due, c.overdue]
                    return [*cells, _ratio(total.rate), _ratio(total.rate_current)]

                index = 1
                for row in data.sorted_rows(_sort(request)):
                    xlsx.write_row(sheet, index, values(row.org.name, row.by_kind, row.total), formats)
                    index += 1
                xlsx.write_row(sheet, index, values(_("Total"), data.total_by_kind, data.total), formats)
        finally:
            workbook.close()

    filename = f"{org.display_name}-{_('Compliance board')}-{year}.xlsx"
    return xlsx_response(request, filename, write)


def _ratio(rate: float | None) -> float | str:
    return "" if rate is None else round(rate, 4)


# --- the requirements ------------------------------------------------------------------------------------


class RequirementForm(BootstrapFormMixin, forms.Form):
    org_kind = forms.ChoiceField(label=gettext_lazy("Organisation kind"), choices=OrgKind.choices)
    meeting_kind = forms.ChoiceField(label=gettext_lazy("Meeting kind"), choices=MeetingKind.choices)
    frequency = forms.ChoiceField(label=gettext_lazy("Frequency"), choices=Frequency.choices)
    active = forms.BooleanField(label=gettext_lazy("Required"), required=False, initial=True)


@login_required
def requirements(request: HttpRequest) -> HttpResponse:
    """The required frequencies: a row per requirement with its own small form, and a form adding one."""
    if not may_edit_rules(request.user):
        raise Http404
    if request.method == "POST":
        form = RequirementForm(request.POST)
        if form.is_valid():
            try:
                changed = requirement_services.set_requirement(request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, " ".join(exc.messages))
            except PermissionDenied:
                raise Http404 from None
            else:
                if changed is None:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(request, _("The requirement is saved: the compliance board uses it at once."))
                return redirect("orglife:requirements")
        else:
            messages.error(request, _("Choose an organisation kind, a meeting kind and a frequency from the lists."))
    else:
        form = RequirementForm(initial={"active": True})
    org_labels = dict(OrgKind.choices)
    meeting_labels = dict(MeetingKind.choices)
    rows = [
        (req, org_labels.get(req.org_kind, req.org_kind), meeting_labels.get(req.meeting_kind, req.meeting_kind))
        for req in MeetingRequirement.objects.order_by("org_kind", "meeting_kind")
    ]
    context = {
        "title": _("Required meetings"),
        "rows": rows,
        "form": form,
        "frequencies": Frequency.choices,
    }
    return render(request, "orglife/board/requirements.html", context)
