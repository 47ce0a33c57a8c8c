"""Community reporting pages: the overview for role holders (who has registered and reported, this year), the
member's phone page (register, take up a need, report), a community's page (its registered units and members,
its needs, its reports), a unit's page (its members' reports this year), a need's page, and the yearly report of
one registration (an organisation's or a member's) with its Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.community import queries, services
from tongxin.community.forms import (
    NeedForm,
    RegisterForm,
    RegistrationChoiceForm,
    ReportFields,
    ReportForm,
    SendBackForm,
    photo_pairs,
    registrations_for,
)
from tongxin.community.models import (
    CommunityRegistration,
    NeedStatus,
    RegistrationStatus,
    ReportPhoto,
    ReportStatus,
    ServiceNeed,
    ServiceReport,
    TakeUp,
)
from tongxin.core import params, uploads
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.scoping import CHANGE, scope_for, subtree_q
from tongxin.core.views import (
    flash_form_errors,
    form_step,
    get_scoped_or_404,
    page_step,
    require_role,
    xlsx_table_response,
)
from tongxin.orgs.models import Organization
from tongxin.people.models import Person

SHOWN = 300


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    return params.parse_int(request.GET.get("year"), (2000, this_year)) or this_year


def _registrations(request: HttpRequest):
    return CommunityRegistration.objects.visible_to(request.user).select_related("community", "person",
                                                                                 "organization")  # fmt: skip


def _reports(request: HttpRequest):
    return ServiceReport.objects.visible_to(request.user)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Who has registered and who has reported what this year, in the user's scope (communities and units)."""
    require_role(request, members=True)
    year = _year(request)
    waiting = request.GET.get("waiting") == "1"  # the inbox's link: the reports waiting for my acknowledgement
    registrations = list(_registrations(request).order_by("community__path", "-started_on", "id")[:SHOWN])
    rows = services.reports_to_acknowledge(request.user) if waiting else queries.reports_of_year(_reports(request),
                                                                                               year)  # fmt: skip
    rows = rows.select_related("registration__community", "registration__person", "registration__organization",
                               "take_up__need")  # fmt: skip
    reports = list(rows.order_by("-done_on", "-id")[:SHOWN])
    reported = {r.registration_id for r in reports}
    communities = Organization.objects.filter(scope_for(request.user, CHANGE).q("path"),
                                              category="community").order_by("path")[:50]  # fmt: skip
    context = {"title": _("Community reporting"), "registrations": registrations, "reports": reports, "year": year,
               "reported": reported, "communities": list(communities), "waiting": waiting}  # fmt: skip
    return render(request, "community/index.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's phone page: his registrations, the open needs of his communities, what he took up and
    reported."""
    person_id = getattr(request.user, "person_id", None)
    registrations = list(CommunityRegistration.objects.filter(person_id=person_id).select_related("community")
                         .order_by("status", "-started_on")) if person_id else []  # fmt: skip
    active = [r for r in registrations if r.status == RegistrationStatus.ACTIVE]
    needs = list(ServiceNeed.objects.filter(community_id__in=[r.community_id for r in active],
                                            status=NeedStatus.OPEN).select_related("community")
                 .order_by("-created_at")[:50])  # fmt: skip
    taken = set(TakeUp.objects.filter(person_id=person_id).values_list("need_id", flat=True)) if person_id else set()
    reports = list(ServiceReport.objects.filter(person_id=person_id).select_related("registration__community",
                   "take_up__need").order_by("-done_on", "-id")[:30]) if person_id else []  # fmt: skip
    context = {"title": _("My community reports"), "person_id": person_id, "registrations": registrations,
               "needs": needs, "taken": taken, "reports": reports, "year": timezone.localdate().year}  # fmt: skip
    return render(request, "community/mine.html", context)


@login_required
def person_register(request: HttpRequest, pk: int) -> HttpResponse:
    """A serving party member registers with a community (himself, or his branch registers him)."""
    person = get_scoped_or_404(request, Person, pk)
    own = getattr(request.user, "person_id", None) == person.pk
    if not own and not scope_for(request.user, CHANGE).covers_path(person.org_path):
        raise Http404
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("Registered with the community."), denied_as_404=True) as step:
            services.register(request.user, person=person, **form.cleaned_data)
        if step.ok:
            return redirect("community:mine" if own else "community:index")
    context = {"form": form, "title": _("%(name)s registers with a community") % {"name": person.name},
               "submit_label": _("Register"), "cancel_url": reverse("community:mine")}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
def org_register(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation registers with a community (报到单位)."""
    org = get_scoped_or_404(request, Organization, pk, CHANGE)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("Registered with the community."), denied_as_404=True) as step:
            services.register(request.user, organization=org, **form.cleaned_data)
        if step.ok:
            return redirect("community:unit", pk=org.pk)
    context = {"form": form, "title": _("%(org)s registers with a community") % {"org": org.name},
               "submit_label": _("Register"), "cancel_url": reverse("community:unit", args=[org.pk])}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
def community(request: HttpRequest, pk: int) -> HttpResponse:
    """A community's page: the units and members registered with it, its needs, and who reported what this year."""
    org = get_scoped_or_404(request, Organization, pk)
    year = _year(request)
    rows = CommunityRegistration.objects.filter(community=org).select_related("person", "organization")
    registrations = list(rows.order_by("status", "-started_on")[:SHOWN])
    reports = list(queries.reports_of_year(ServiceReport.objects.filter(community_path=org.path,
                                                                        registration__community=org), year)
                   .order_by("-done_on", "-id")[:SHOWN])  # fmt: skip
    reported = {r.registration_id for r in reports}
    needs = list(ServiceNeed.objects.filter(community=org).order_by("status", "-created_at")[:100])
    context = {"title": org.name, "org": org, "registrations": registrations, "reports": reports, "needs": needs,
               "year": year, "reported": reported,
               "can_change": scope_for(request.user, CHANGE).covers_path(org.path)}  # fmt: skip
    return render(request, "community/community.html", context)


@login_required
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's page: its own registrations and its members' (under it), and their reports this year."""
    org = get_scoped_or_404(request, Organization, pk)
    year = _year(request)
    registrations = list(CommunityRegistration.objects.filter(subtree_q("org_path", org.path))
                         .select_related("community", "person", "organization")
                         .order_by("status", "-started_on")[:SHOWN])  # fmt: skip
    reports = list(queries.reports_of_year(ServiceReport.objects.filter(subtree_q("org_path", org.path)), year)
                   .order_by("-done_on", "-id")[:SHOWN])  # fmt: skip
    reported = {r.registration_id for r in reports}
    context = {"title": _("%(org)s: community reports") % {"org": org.name}, "org": org, "year": year,
               "registrations": registrations, "reports": reports, "reported": reported,
               "can_change": scope_for(request.user, CHANGE).covers_path(org.path)}  # fmt: skip
    return render(request, "community/unit.html", context)


@login_required
def need_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped_or_404(request, Organization, pk, CHANGE)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The need is posted."), denied_as_404=True) as step:
            saved = services.post_need(request.user, community=org, **form.cleaned_data)
        if step.ok:
            return redirect("community:need", pk=saved.pk)
    context = {"form": form, "title": _("A need of %(org)s") % {"org": org.name}, "submit_label": _("Post the need"),
               "cancel_url": reverse("community:community", args=[org.pk])}  # fmt: skip
    return render(request, "form_page.html", context)


def _need(request: HttpRequest, pk: int) -> ServiceNeed:
    return get_scoped_or_404(request, ServiceNeed.objects.select_related("community"), pk)


@login_required
def need(request: HttpRequest, pk: int) -> HttpResponse:
    row = _need(request, pk)
    mine = registrations_for(request.user, row.community_id)
    take_ups = list(TakeUp.objects.visible_to(request.user).filter(need=row)
                    .select_related("registration__person", "registration__organization"))  # fmt: skip
    reports = ServiceReport.objects.visible_to(request.user).filter(take_up__need=row)
    reports = reports.select_related("registration__person", "registration__organization", "take_up__need")
    taken_by_me = TakeUp.objects.filter(need=row, registration__in=mine)
    context = {
        "title": row.title,
        "need": row,
        "take_ups": take_ups,
        "reports": list(reports.order_by("-done_on", "-id")[:100]),
        "take_form": RegistrationChoiceForm(choices=mine.exclude(pk__in=taken_by_me.values("registration_id")))
        if row.status == NeedStatus.OPEN
        else None,
        "report_form": ReportForm(choices=mine.filter(pk__in=taken_by_me.values("registration_id"))),
        "can_close": row.status == NeedStatus.OPEN and scope_for(request.user, CHANGE).covers_path(row.community_path),
    }
    return render(request, "community/need.html", context)


@login_required
@require_POST
def need_take_up(request: HttpRequest, pk: int) -> HttpResponse:
    row = _need(request, pk)
    form = RegistrationChoiceForm(request.POST, choices=registrations_for(request.user, row.community_id))
    if form.is_valid():
        with page_step(request, _("You took up the need.")):
            services.take_up(request.user, row, registration=form.cleaned_data["registration"])
    else:
        messages.error(request, _("Register with this community first."))
    return redirect("community:need", pk=row.pk)


@login_required
@require_POST
def need_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report what was done on a need taken up (a record: photos are never required)."""
    row = _need(request, pk)
    form = ReportForm(request.POST, request.FILES, choices=registrations_for(request.user, row.community_id))
    if form.is_valid():
        data = form.cleaned_data
        registration = data["registration"]
        taken = TakeUp.objects.filter(need=row, registration=registration).first()
        with page_step(request, _("Your report is recorded.")):
            services.file_report(request.user, registration, content=data["content"], done_on=data["done_on"],
                                 hours=data["hours"], people=data["people"], take_up=taken,
                                 photos=photo_pairs(data["photos"]))  # fmt: skip
    else:
        flash_form_errors(request, form)
    return redirect("community:need", pk=row.pk)


@login_required
@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    row = _need(request, pk)
    with page_step(request, _("The need is closed.")):
        services.close_need(request.user, row)
    return redirect("community:need", pk=row.pk)


def _registration(request: HttpRequest, pk: int) -> CommunityRegistration:
    return get_scoped_or_404(request, _registrations(request), pk)


@login_required
def registration(request: HttpRequest, pk: int) -> HttpResponse:
    """The yearly report (年度报告) of one registration: an organisation's or a member's."""
    row = _registration(request, pk)
    year = _year(request)
    this_year = timezone.localdate().year
    context = {"title": _("%(name)s: the year %(year)s") % {"name": row.registrant_name, "year": year},
               "reg": row, "report": queries.year_of(row, year), "year": year, "previous": year - 1,
               "next": year + 1 if year < this_year else None,
               "can_report": row.status == RegistrationStatus.ACTIVE and services.may_act_for(request.user, row),
               "can_end": row.status == RegistrationStatus.ACTIVE and (
                   services.may_act_for(request.user, row)
                   or scope_for(request.user, CHANGE).covers_path(row.community_path))}  # fmt: skip
    return render(request, "community/registration.html", context)


@login_required
@reads_from_replica
def registration_export(request: HttpRequest, pk: int) -> FileResponse:
    row = _registration(request, pk)
    year = _year(request)
    data = queries.year_of(row, year)
    headers = [_("Done on"), _("Need"), _("What was done"), _("Hours"), _("People taking part"), _("Status")]
    table: list[list] = [[r.done_on.isoformat(), r.take_up.need.title if r.take_up else _("Other service"), r.content,
                          float(r.hours) if r.hours is not None else "", r.people or "", r.get_status_display()]
                         for r in data.reports]  # fmt: skip
    table.append([_("Total"), "", str(data.count), float(data.hours), "", ""])
    table.append([_("Acknowledged"), "", str(data.acknowledged), float(data.acknowledged_hours), "", ""])
    return xlsx_table_response(request, f"community-report-{row.pk}-{year}.xlsx", str(_("Yearly report")), headers,
                               table)  # fmt: skip


@login_required
@require_POST
def registration_end(request: HttpRequest, pk: int) -> HttpResponse:
    row = _registration(request, pk)
    with page_step(request, _("The registration has ended.")):
        services.end_registration(request.user, row)
    return redirect("community:registration", pk=row.pk)


# --- reports: free-standing, acknowledged or sent back, photos ---------------------------------------------------


@login_required
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A free-standing report: service the registrant did for the community without a posted need (photos
    optional)."""
    row = _registration(request, pk)
    if not services.may_act_for(request.user, row):
        raise Http404
    form = ReportFields(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_step(request, form, _("Your report is recorded."), denied_as_404=True) as step:
            saved = services.file_report(request.user, row, content=data["content"], done_on=data["done_on"],
                                         hours=data["hours"], people=data["people"],
                                         photos=photo_pairs(data["photos"]))  # fmt: skip
        if step.ok:
            return redirect("community:report", pk=saved.pk)
    context = {"form": form, "multipart": True, "submit_label": _("Send the report"),
               "title": _("%(name)s reports to %(community)s") % {"name": row.registrant_name,
                                                                  "community": row.community.name},
               "intro": _("Service done for the community without a posted need. Photos are never required."),
               "cancel_url": reverse("community:registration", args=[row.pk])}  # fmt: skip
    return render(request, "form_page.html", context)


def _report(request: HttpRequest, pk: int) -> ServiceReport:
    rows = ServiceReport.objects.select_related(
        "registration__community", "registration__person", "registration__organization", "take_up__need", "created_by"
    )
    return get_scoped_or_404(request, rows, pk)


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """One report: what was done, its photos, where it stands with the community; the community's admin
    acknowledges it or sends it back, the reporter completes one sent back."""
    row = _report(request, pk)
    may_complete = row.status == ReportStatus.RETURNED and services.may_act_for(request.user, row.registration)
    initial = {"content": row.content, "done_on": row.done_on, "hours": row.hours, "people": row.people}
    context = {
        "title": _("Report of %(name)s") % {"name": row.registration.registrant_name},
        "report": row,
        "photos": list(row.photos.defer("content")),
        "can_acknowledge": services.may_acknowledge(request.user, row),
        "send_back_form": SendBackForm(),
        "resubmit_form": ReportFields(initial=initial) if may_complete else None,
    }
    return render(request, "community/report.html", context)


@login_required
@require_POST
def report_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    row = _report(request, pk)
    with page_step(request, _("The report is acknowledged.")):
        services.acknowledge_report(request.user, row)
    return redirect("community:report", pk=row.pk)


@login_required
@require_POST
def report_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    row = _report(request, pk)
    form = SendBackForm(request.POST)
    if form.is_valid():
        with page_step(request, _("The report is sent back to be completed.")):
            services.send_back_report(request.user, row, reason=form.cleaned_data["reason"])
    else:
        flash_form_errors(request, form)
    return redirect("community:report", pk=row.pk)


@login_required
@require_POST
def report_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    row = _report(request, pk)
    form = ReportFields(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        with page_step(request, _("The completed report is sent again.")):
            services.resubmit_report(request.user, row, content=data["content"], done_on=data["done_on"],
                                     hours=data["hours"], people=data["people"],
                                     photos=photo_pairs(data["photos"]))  # fmt: skip
    else:
        flash_form_errors(request, form)
    return redirect("community:report", pk=row.pk)


@login_required
def report_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A report's photo, to those who see the report."""
    row = get_scoped_or_404(request, ReportPhoto, pk)
    return uploads.serve_upload(bytes(row.content), row.content_type, row.file_name)
