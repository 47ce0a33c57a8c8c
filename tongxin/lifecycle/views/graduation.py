"""Graduation pages: the batch screen of a school branch, and graduates left in a flow branch too long."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.exceptions import DomainError
from tongxin.core.fields import date_refusal, length_refusal, text_refusal
from tongxin.core.scoping import CHANGE
from tongxin.core.views import get_scoped_or_404, require_role
from tongxin.lifecycle.forms import find_destination
from tongxin.lifecycle.models import GraduationDestination, Transfer
from tongxin.lifecycle.services.graduation import Assignment, overdue_in_flow, send_graduates
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization
from tongxin.people.models import Person

PAGE_SIZE = 50


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    branch = get_scoped_or_404(request, Organization, pk, CHANGE)
    if branch.kind not in MEMBER_HOLDING_KINDS:
        raise Http404
    members = list(Person.objects.active().filter(branch=branch).order_by("name_pinyin", "id"))
    rows = {person.pk: {"person": person, "pick": False, "dest": "", "org": "", "ext": ""} for person in members}
    date_text = request.POST.get("graduation_date") or ""
    problems: list[str] = []
    if request.method == "POST":
        for pk_, row in rows.items():
            row["pick"] = request.POST.get(f"pick-{pk_}") == "1"
            row["dest"] = request.POST.get(f"dest-{pk_}", "")
            row["org"] = request.POST.get(f"org-{pk_}", "").strip()
            row["ext"] = request.POST.get(f"ext-{pk_}", "").strip()
        try:
            graduation_date: datetime.date | None = datetime.date.fromisoformat(date_text)
        except ValueError:
            problems.append(_("Enter the graduation date."))
            graduation_date = None
        refusal = date_refusal(graduation_date, "any")  # year 1 or 9999 is no graduation (issue 12 §3)
        if refusal:
            problems.append(refusal)
            graduation_date = None
        assignments = []
        for row in rows.values():
            if not row["pick"]:
                continue
            to_org = None
            if row["dest"] != GraduationDestination.OUTSIDE and row["org"]:
                found = find_destination(row["org"])
                if isinstance(found, str):
                    problems.append(f"{row['person'].name}: {found}")
                    continue
                to_org = found
            refusal = text_refusal(row["ext"]) or length_refusal(row["ext"], 200)
            if refusal:
                problems.append(f"{row['person'].name}: {refusal}")
                continue
            assignments.append(Assignment(row["person"], row["dest"], to_org, row["ext"]))
        if not problems and graduation_date is not None:
            try:
                done = send_graduates(request.user, branch=branch, graduation_date=graduation_date,
                                      assignments=assignments)  # fmt: skip
            except DomainError as exc:
                problems.extend(exc.messages)
            else:
                messages.success(request, _("%(n)d graduates sent on; each receiving organisation has been asked "
                                            "to accept.") % {"n": done.transfers.count()})  # fmt: skip
                return redirect(f"{reverse('lifecycle:transfers')}?tab=out")
    context = {
        "branch": branch,
        "rows": list(rows.values()),
        "destinations": GraduationDestination.choices,
        "graduation_date": date_text or timezone.localdate().isoformat(),
        "problems": problems,
        "title": _("Graduation of %(branch)s") % {"branch": branch.name},
    }
    return render(request, "lifecycle/graduation/batch.html", context)


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    require_role(request)
    qs = overdue_in_flow(Transfer.objects.visible_to(request.user)).order_by("in_accepted_at", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "title": _("Graduates in a flow branch too long")}
    return render(request, "lifecycle/graduation/overdue.html", context)
