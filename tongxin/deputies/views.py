"""The deputies' studios pages: the deputies and their studios, a deputy's page (reception days, requests),
recording a request on a phone, the request's page (assign, follow up, answer, close; the contact shown in full
only through an audited reveal), the requests list with the overdue filter, and a deputy's yearly summary with
its Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.core import params
from tongxin.core.audit import record_access
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.models import AccessLog
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import (
    flash_form_errors,
    form_step,
    get_scoped_or_404,
    page_step,
    require_role,
    xlsx_table_response,
)
from tongxin.deputies import queries, services
from tongxin.deputies.filters import RequestFilter
from tongxin.deputies.forms import (
    AnswerForm,
    AssignForm,
    CongressForm,
    DeputyForm,
    FollowUpForm,
    ReceptionForm,
    RequestForm,
)
from tongxin.deputies.models import Congress, ConstituentRequest, Deputy
from tongxin.people.models import Person

REQUESTS_SHOWN = 300


def _may_change(request: HttpRequest, *paths: str) -> bool:
    scope = scope_for(request.user, CHANGE)
    return any(p and scope.covers_path(p) for p in paths)


def _deputies(request: HttpRequest):
    return Deputy.objects.visible_to(request.user).select_related("person", "congress", "studio")


@login_required
def deputy_list(request: HttpRequest) -> HttpResponse:
    """The deputies the user sees, congress by congress, with their studio and open and overdue requests."""
    require_role(request)
    congresses = list(Congress.objects.visible_to(request.user).order_by("-term_start", "id")[:20])
    congress = None
    if raw := request.GET.get("congress"):
        congress_id = params.parse_id(raw)
        congress = next((c for c in congresses if c.pk == congress_id), None)
        if congress is None:
            raise Http404
    rows = _deputies(request)
    if congress is not None:
        rows = rows.filter(congress=congress)
    deputies = list(queries.with_counts(rows).order_by("congress_id", "-active", "person__name_pinyin", "id")[:500])
    studios: dict[int, tuple] = {}
    for d in deputies:
        if d.studio is not None:
            name, count = studios.get(d.studio.pk, (d.studio.name, 0))
            studios[d.studio.pk] = (name, count + 1)
    context = {"title": _("League deputies"), "deputies": deputies, "congresses": congresses,
               "congress": congress, "studios": sorted(studios.values()),
               "can_manage": scope_for(request.user, CHANGE).has_subtrees}  # fmt: skip
    return render(request, "deputies/list.html", context)


@login_required
def congress_create(request: HttpRequest) -> HttpResponse:
    """A league congress of one of the user's organisations, with its term."""
    require_role(request, CHANGE)
    form = CongressForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The congress is saved."), denied_as_404=True) as step:
            saved = services.create_congress(request.user, **form.cleaned_data)
        if step.ok:
            return redirect(f"{reverse('deputies:list')}?congress={saved.pk}")
    context = {"form": form, "title": _("A new league congress"), "submit_label": _("Save the congress"),
               "cancel_url": reverse("deputies:list")}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
def deputy_add(request: HttpRequest) -> HttpResponse:
    """A person elected to a congress (by her number on the roster), with the studio she receives at."""
    require_role(request, CHANGE)
    form = DeputyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        congress = data["congress"]
        person = Person.objects.filter(pk=data["person"], org_path__startswith=congress.org_path).first()
        if person is None:
            form.add_error("person", _("No such person under %(org)s.") % {"org": congress.organization.name})
        else:
            with form_step(request, form, _("The deputy is added."), denied_as_404=True) as step:
                saved = services.elect_deputy(request.user, congress=congress, person=person, studio=data["studio"])
            if step.ok:
                return redirect("deputies:deputy", pk=saved.pk)
    context = {"form": form, "title": _("Add a deputy"), "submit_label": _("Add the deputy"),
               "cancel_url": reverse("deputies:list")}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
def deputy(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, _deputies(request), pk)
    requests = list(row.requests.select_related("assigned_to").order_by("-received_on", "-id")[:REQUESTS_SHOWN])
    today = timezone.localdate()
    for r in requests:
        r.overdue = r.is_overdue(today)
    context = {
        "title": row.person.name,
        "deputy": row,
        "reception_days": list(row.reception_days.select_related("studio").order_by("-starts_at")[:24]),
        "requests": requests,
        "can_change": _may_change(request, row.org_path, row.congress_path),
        "year": today.year,
    }
    return render(request, "deputies/deputy.html", context)


@login_required
def request_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a request brought to the deputy (a phone-sized form)."""
    row = get_scoped_or_404(request, _deputies(request), pk)
    if not _may_change(request, row.org_path, row.congress_path):
        raise Http404
    form = RequestForm(request.POST or None, deputy=row)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The request is recorded."), denied_as_404=True) as step:
            saved = services.record_request(request.user, row, **form.cleaned_data)
        if step.ok:
            return redirect("deputies:request", pk=saved.pk)
    context = {"form": form, "title": _("A request to %(name)s") % {"name": row.person.name},
               "submit_label": _("Record the request"),
               "cancel_url": reverse("deputies:deputy", args=[row.pk])}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
def reception_create(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, _deputies(request), pk)
    if not _may_change(request, row.org_path, row.congress_path):
        raise Http404
    form = ReceptionForm(request.POST or None, user=request.user, deputy=row)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        with form_step(request, form, _("The reception day is saved."), denied_as_404=True) as step:
            services.hold_reception_day(request.user, row, starts_at=starts_at, ends_at=ends_at,
                                        studio=form.cleaned_data["studio"], note=form.cleaned_data["note"])  # fmt: skip
        if step.ok:
            return redirect("deputies:deputy", pk=row.pk)
    context = {"form": form, "title": _("A reception day of %(name)s") % {"name": row.person.name},
               "submit_label": _("Save the reception day"),
               "cancel_url": reverse("deputies:deputy", args=[row.pk])}  # fmt: skip
    return render(request, "form_page.html", context)


def _requests(request: HttpRequest):
    return ConstituentRequest.objects.visible_to(request.user).select_related("deputy__person", "assigned_to")


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    """The requests the user sees; ``?overdue=1`` those past their due date, ``?status=`` by status."""
    require_role(request)
    filterset = RequestFilter(request.GET or None, queryset=_requests(request))
    rows = filterset.qs if filterset.is_valid() else _requests(request).none()
    shown = list(rows.order_by("due_on", "id")[:REQUESTS_SHOWN])
    today = timezone.localdate()
    for r in shown:
        r.overdue = r.is_overdue(today)
    context = {"title": _("Deputies' requests"), "filter": filterset, "requests": shown,
               "overdue_only": request.GET.get("overdue") in ("1", "true", "True")}  # fmt: skip
    return render(request, "deputies/requests.html", context)


def _request_context(request: HttpRequest, row: ConstituentRequest, **extra) -> dict:
    deputy_side = _may_change(request, row.deputy_path, row.congress_path)
    handler = deputy_side or _may_change(request, row.assigned_path)
    steps = [t for t in services.REQUEST_TRANSITIONS if services.REQUESTS.can_leave(row, t)]
    allowed = {"assign": deputy_side, "follow_up": handler, "answer": handler, "close": deputy_side}
    steps = [t for t in steps if allowed[t]]
    return {
        "title": row.subject,
        "req": row,
        "overdue": row.is_overdue(),
        "steps": steps,
        "assign_form": AssignForm(congress_path=row.congress_path) if "assign" in steps else None,
        "follow_up_form": FollowUpForm() if "follow_up" in steps else None,
        "answer_form": AnswerForm() if "answer" in steps else None,
        "revealed": False,
        # the organisation a request is assigned to sees the request, not the deputy's page
        "deputy_visible": Deputy.objects.visible_to(request.user).filter(pk=row.deputy_id).exists(),
        **extra,
    }


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, _requests(request).select_related("reception_day__studio"), pk)
    return render(request, "deputies/request.html", _request_context(request, row))


@login_required
@require_POST
def request_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The young person's phone in full; each reveal leaves an AccessLog row."""
    row = get_scoped_or_404(request, _requests(request).select_related("reception_day__studio"), pk)
    record_access(request.user, AccessLog.Action.REVEAL, obj=row, fields="phone", org_path=row.deputy_path)
    return render(request, "deputies/request.html", _request_context(request, row, revealed=True))


@login_required
@require_POST
def request_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One step on the request: ``step`` is assign (``organization``), follow_up (``note``), answer (``answer``)
    or close."""
    row = get_scoped_or_404(request, ConstituentRequest, pk)
    step = request.POST.get("step", "")
    if step == "assign":
        form = AssignForm(request.POST, congress_path=row.congress_path)
        if form.is_valid():
            with page_step(request, _("The request is assigned.")):
                services.assign_request(request.user, row, organization=form.cleaned_data["organization"])
        else:
            flash_form_errors(request, form)
    elif step == "follow_up":
        with page_step(request, _("The follow-up is noted.")):
            services.follow_up_request(request.user, row, note=request.POST.get("note", ""))
    elif step == "answer":
        with page_step(request, _("The answer is recorded.")):
            services.answer_request(request.user, row, answer=request.POST.get("answer", ""))
    elif step == "close":
        with page_step(request, _("The request is closed.")):
            services.close_request(request.user, row)
    else:
        messages.error(request, _("Unknown step."))
    return redirect("deputies:request", pk=row.pk)


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    return params.parse_int(request.GET.get("year"), (2000, this_year)) or this_year


@login_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    """A deputy's year: requests received, answered and overdue, month by month."""
    row = get_scoped_or_404(request, _deputies(request), pk)
    year = _year(request)
    this_year = timezone.localdate().year
    context = {"title": _("%(name)s: the year %(year)s") % {"name": row.person.name, "year": year}, "deputy": row,
               "summary": queries.yearly_summary(row, year), "year": year, "previous": year - 1,
               "next": year + 1 if year < this_year else None}  # fmt: skip
    return render(request, "deputies/summary.html", context)


@login_required
@reads_from_replica
def summary_export(request: HttpRequest, pk: int) -> FileResponse:
    row = get_scoped_or_404(request, _deputies(request), pk)
    year = _year(request)
    data = queries.yearly_summary(row, year)
    headers = [_("Month"), _("Received"), _("Answered"), _("Overdue")]
    table = [[f"{year}-{m.month:02d}", m.received, m.answered, m.overdue] for m in data.months]
    table.append([_("Total"), data.received, data.answered, data.overdue])
    return xlsx_table_response(request, f"deputy-{row.pk}-{year}.xlsx", str(_("Deputy's year")), headers, table)
