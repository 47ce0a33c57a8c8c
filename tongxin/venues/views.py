"""The positions pages: the venues one may book and their month, booking (once or repeating), the free-venue
search, the bookings of one's organisations, the usage per venue and month, and the public directory (no
login, no personal data)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.core import params, uploads
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.registry import linked
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
from tongxin.venues import queries, services
from tongxin.venues.forms import (
    ONCE,
    ActivityLinkForm,
    BookingForm,
    ClosureForm,
    ClosureRemoveForm,
    HonourForm,
    PhotoForm,
    SearchForm,
    VenueEditForm,
    VenueForm,
)
from tongxin.venues.models import Booking, BookingStatus, Honour, Venue, VenuePhoto, VenueStatus


def _can_change(request: HttpRequest, path: str) -> bool:
    return scope_for(request.user, CHANGE).covers_path(path)


# --- the public directory --------------------------------------------------------------------------------


def directory(request: HttpRequest) -> HttpResponse:
    """Open venues with their hours and address, for young people to find them: no login, no personal data
    (no booking, no organisation's member, no host's contact)."""
    return render(request, "venues/directory.html", {"title": _("Youth venues"), "venues": queries.directory()})


# --- venues ----------------------------------------------------------------------------------------------


@login_required
def venue_list(request: HttpRequest) -> HttpResponse:
    require_role(request)
    venues = Venue.objects.visible_to(request.user).select_related("host").order_by("status", "name", "id")[:500]
    context = {"title": _("Venues"), "venues": venues, "can_create": scope_for(request.user, CHANGE).has_subtrees}
    return render(request, "venues/list.html", context)


@login_required
def venue_create(request: HttpRequest) -> HttpResponse:
    require_role(request, CHANGE)
    form = VenueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The venue is saved."), denied_as_404=True) as step:
            venue = services.create_venue(request.user, **form.cleaned_data)
        if step.ok:
            return redirect("venues:detail", pk=venue.pk)
    context = {"form": form, "title": _("A new venue"), "submit_label": _("Save the venue"),
               "cancel_url": reverse("venues:list")}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A venue: where, when open, its closures, its coming bookings (the organisation's name, the purpose)."""
    venue = get_scoped_or_404(request, Venue.objects.select_related("host"), pk)
    today = timezone.localdate()
    can_change = _can_change(request, venue.org_path)
    # Every coming booking is listed (when the venue is taken); only those the user may open are links: a
    # secretary sees the district's venue, not another branch's booking of it.
    rows = queries.upcoming(Booking.objects.filter(venue=venue), limit=50)
    may_open = set(
        Booking.objects.visible_to(request.user).filter(pk__in=[b.pk for b in rows]).values_list("pk", flat=True)
    )
    for row in rows:
        row.may_open = row.pk in may_open  # type: ignore[attr-defined]  # read by the template only
    context = {
        "title": venue.name,
        "venue": venue,
        "closures": list(venue.closures.filter(ends_on__gte=today)),
        "bookings": rows,
        "can_change": can_change,
        "can_book": venue.status == VenueStatus.OPEN and scope_for(request.user, CHANGE).has_subtrees,
        "closure_form": ClosureForm() if can_change else None,
        "photos": list(venue.photos.defer("content")),
        "photo_form": PhotoForm() if can_change else None,
        "transitions": [t for t in services.VENUE_TRANSITIONS if services.VENUES.can_leave(venue, t)]
        if can_change
        else [],
    }
    return render(request, "venues/detail.html", context)


@login_required
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The host changes the venue: its fields, its status (open, suspended, closed) and, below the form, its
    closures (add one, take one back). Only CHANGE over the host; others get 404."""
    venue = get_scoped_or_404(request, Venue.objects.select_related("host"), pk)
    if not _can_change(request, venue.org_path):  # the venues above one's own are seen, not changed: 404
        raise Http404
    reachable = [venue.status, *(services.VENUE_TRANSITIONS[t][1] for t in services.VENUE_TRANSITIONS
                                 if services.VENUES.can_leave(venue, t))]  # fmt: skip
    initial = {**services.venue_values(venue), "status": venue.status}
    initial["opens_at"], initial["closes_at"] = venue.opens_at.strftime("%H:%M"), venue.closes_at.strftime("%H:%M")
    form = VenueEditForm(request.POST or None, user=request.user, reachable=reachable, initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The venue is saved."), denied_as_404=True) as step:
            services.update_venue(request.user, venue, **form.cleaned_data)
        if step.ok:
            return redirect("venues:detail", pk=venue.pk)
    context = {
        "form": form,
        "title": _("Edit %(venue)s") % {"venue": venue.name},
        "submit_label": _("Save the venue"),
        "cancel_url": reverse("venues:detail", args=[venue.pk]),
        "venue": venue,
        "closures": list(venue.closures.filter(ends_on__gte=timezone.localdate())),
        "closure_form": ClosureForm(),
    }
    return render(request, "venues/edit.html", context)


@login_required
@require_POST
def closure_remove(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_scoped_or_404(request, Venue.objects.select_related("host"), pk)
    if not _can_change(request, venue.org_path):  # the venues above one's own are seen, not changed: 404
        raise Http404
    form = ClosureRemoveForm(request.POST)
    if form.is_valid():
        with page_step(request, _("The closure is taken back.")):
            services.remove_closure(request.user, venue, form.cleaned_data["closure"])
    else:
        messages.error(request, _("Unknown closure."))
    return redirect("venues:edit", pk=venue.pk)


# --- photos ----------------------------------------------------------------------------------------------


@login_required
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The host adds a photo of the venue (optional: nothing asks for one)."""
    venue = get_scoped_or_404(request, Venue, pk)
    if not _can_change(request, venue.org_path):
        raise Http404
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        with page_step(request, _("The photo is added.")):
            services.add_venue_photo(request.user, venue, file_name=upload.name or "", content=upload.read())
    else:
        flash_form_errors(request, form)
    return redirect("venues:detail", pk=venue.pk)


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, VenuePhoto, pk)
    return uploads.serve_upload(bytes(row.content), row.content_type, row.file_name)


@login_required
@require_POST
def photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, VenuePhoto.objects.select_related("venue").defer("content"), pk)
    if not _can_change(request, row.venue.org_path):
        raise Http404
    with page_step(request, _("The photo is removed.")):
        services.remove_venue_photo(request.user, row)
    return redirect("venues:detail", pk=row.venue_id)


def directory_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo of an open venue, for the public directory (no login: a picture of the place, nobody's data)."""
    row = VenuePhoto.objects.filter(pk=pk, venue__status=VenueStatus.OPEN).first()
    if row is None:
        raise Http404
    return uploads.serve_upload(bytes(row.content), row.content_type, row.file_name)


@login_required
@require_POST
def venue_status(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_scoped_or_404(request, Venue, pk)
    if not _can_change(request, venue.org_path):
        raise Http404
    step = request.POST.get("step", "")
    service = {"suspend": services.suspend_venue, "close": services.close_venue, "reopen": services.reopen_venue}
    if step not in service:
        messages.error(request, _("Unknown step."))
        return redirect("venues:detail", pk=venue.pk)
    with page_step(request, _("The venue's status is changed.")):
        service[step](request.user, venue)
    return redirect("venues:detail", pk=venue.pk)


@login_required
@require_POST
def closure(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_scoped_or_404(request, Venue, pk)
    if not _can_change(request, venue.org_path):
        raise Http404
    form = ClosureForm(request.POST)
    if form.is_valid():
        with page_step(request, _("The closure is saved.")):
            services.add_closure(request.user, venue, **form.cleaned_data)
    else:
        flash_form_errors(request, form)
    return redirect("venues:edit" if request.POST.get("back") == "edit" else "venues:detail", pk=venue.pk)


# --- booking ---------------------------------------------------------------------------------------------


@login_required
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book the venue once, or weekly or monthly until a date. A refused repeating booking lists each date
    that conflicts or falls on a closure; ticking "skip" books the others."""
    venue = get_scoped_or_404(request, Venue, pk)
    require_role(request, CHANGE)
    initial = {}
    if day := params.parse_date(request.GET.get("day")):
        initial["day"] = day
    form = BookingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.times()
        common = {"venue": venue, "organization": data["organization"], "starts_at": starts_at, "ends_at": ends_at,
                  "purpose": data["purpose"], "expected_attendance": data["expected_attendance"]}  # fmt: skip
        if data["repeat"] == ONCE:
            with form_step(request, form, _("The venue is booked."), denied_as_404=True) as step:
                booking = services.book(request.user, **common, activity=data.get("activity"))
            if step.ok:
                return redirect("venues:booking", pk=booking.pk)
        else:
            with form_step(request, form, _("The repeating booking is saved."), denied_as_404=True) as step:
                series = services.book_series(request.user, **common, frequency=data["repeat"], until=data["until"],
                                              skip_problems=data["skip_problems"])  # fmt: skip
            if step.ok:
                skipped = series.bookings.filter(status=BookingStatus.SKIPPED).order_by("starts_at")
                if skipped:
                    reasons = " ".join(b.skip_reason for b in skipped)
                    messages.warning(request, _("Skipped: %(list)s") % {"list": reasons})
                first = series.bookings.order_by("starts_at").first()
                return redirect("venues:booking", pk=first.pk if first else 0)
    context = {
        "form": form,
        "title": _("Book %(venue)s") % {"venue": venue.name},
        "intro": _("Open %(days)s, %(opens)s–%(closes)s, up to %(capacity)s people.")
        % {
            "days": venue.open_days_display(),
            "opens": venue.opens_at.strftime("%H:%M"),
            "closes": venue.closes_at.strftime("%H:%M"),
            "capacity": venue.capacity,
        },
        "submit_label": _("Book"),
        "cancel_url": reverse("venues:detail", args=[venue.pk]),
    }
    return render(request, "form_page.html", context)


@login_required
def bookings(request: HttpRequest) -> HttpResponse:
    """Coming bookings of the user's organisations and of the venues they host."""
    require_role(request)
    rows = queries.upcoming(Booking.objects.visible_to(request.user), limit=200)
    return render(request, "venues/bookings.html", {"title": _("Bookings"), "bookings": rows})


@login_required
def booking(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, Booking.objects.select_related("venue", "organization", "series"), pk)
    occurrences = list(row.series.bookings.order_by("starts_at", "id")) if row.series_id else []
    can_change = _can_change(request, row.org_path)
    activity = linked("activity", request.user, [row.activity_id]).get(row.activity_id) if row.activity_id else None
    can_link = can_change and row.status != BookingStatus.CANCELLED
    context = {
        "title": _("Booking of %(venue)s") % {"venue": row.venue.name},
        "booking": row,
        "activity": activity,
        "link_form": ActivityLinkForm(user=request.user, initial={"activity": row.activity_id}) if can_link else None,
        "occurrences": occurrences,
        "can_cancel": (can_change or _can_change(request, row.venue_path)) and row.status == BookingStatus.CONFIRMED,
        "can_add_back": can_change,
    }
    return render(request, "venues/booking.html", context)


@login_required
@require_POST
def booking_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """The booking organisation names the activity held at this booking, or takes the link away."""
    row = get_scoped_or_404(request, Booking, pk)
    form = ActivityLinkForm(request.POST, user=request.user)
    if form.is_valid():
        with page_step(request, _("The activity of the booking is saved.")):
            services.link_activity(request.user, row, form.cleaned_data.get("activity"))
    else:
        flash_form_errors(request, form)
    return redirect("venues:booking", pk=row.pk)


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, Booking, pk)
    with page_step(request, _("The booking is cancelled.")):
        services.cancel_booking(request.user, row)
    return redirect("venues:booking", pk=row.pk)


@login_required
@require_POST
def booking_add_back(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, Booking, pk)
    with page_step(request, _("The date is booked again.")):
        services.add_back(request.user, row)
    return redirect("venues:booking", pk=row.pk)


# --- search and usage ------------------------------------------------------------------------------------


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The free-venue search ("which venue is free on Saturday afternoon for 30 people?"): time, capacity, area."""
    require_role(request)
    form = SearchForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        start = timezone.make_aware(datetime.datetime.combine(data["day"], data["start"]))
        end = timezone.make_aware(datetime.datetime.combine(data["day"], data["end"]))
        found = list(queries.free_venues(Venue.objects.visible_to(request.user), starts_at=start, ends_at=end,
                                         capacity=data.get("capacity") or 1,
                                         division_code=data.get("division_code") or "")[:100])  # fmt: skip
    return render(request, "venues/search.html", {"title": _("Find a free venue"), "form": form, "found": found})


@login_required
def usage(request: HttpRequest) -> HttpResponse:
    """Per venue and month of a year: bookings held, hours booked, expected attendance."""
    require_role(request)
    this_year = timezone.localdate().year
    year = params.parse_int(request.GET.get("year"), (2000, this_year + 1)) or this_year
    venues = Venue.objects.visible_to(request.user)
    rows = queries.usage(venues, year=year)
    context = {"title": _("Venue usage"), "rows": rows, "year": year, "previous": year - 1,
               "next": year + 1 if year <= this_year else None}  # fmt: skip
    return render(request, "venues/usage.html", context)


# --- honours and brands ----------------------------------------------------------------------------------------


def _honours_in_scope(request: HttpRequest):
    """The honours of the user's subtrees (and, for a member, her own), ``?org=`` narrowing to one subtree."""
    honours = Honour.objects.visible_to(request.user).select_related("organization", "person")
    org = None
    if raw := request.GET.get("org"):
        org_id = params.parse_id(raw)
        org = Organization.objects.visible_to(request.user).filter(pk=org_id).first() if org_id else None
        if org is None:
            raise Http404
        honours = honours.filter(subtree_q("org_path", org.path))
    waiting = request.GET.get("waiting")
    if waiting in (services.WAITING_REVIEW, services.WAITING_DUE):  # from the inbox: the honours to act on
        honours = honours & services.honours_waiting(request.user, waiting)
    return honours, org


@login_required
def honours(request: HttpRequest) -> HttpResponse:
    """Honours of the subtree with their counts by kind and level (revoked ones listed, not counted)."""
    require_role(request)
    rows, org = _honours_in_scope(request)
    levels, counts = queries.honour_counts(rows)
    can_award = scope_for(request.user, CHANGE).has_subtrees
    waiting = {services.WAITING_REVIEW: _("Honours under review"),
               services.WAITING_DUE: _("Honours due for re-review")}.get(request.GET.get("waiting", ""))  # fmt: skip
    context = {"title": _("Honours"), "honours": list(rows.order_by("-year", "kind", "id")[:300]), "org": org,
               "levels": levels, "counts": counts, "can_award": can_award, "waiting": waiting}  # fmt: skip
    return render(request, "venues/honours.html", context)


@login_required
@reads_from_replica
def honours_export(request: HttpRequest) -> FileResponse:
    require_role(request)
    rows, org = _honours_in_scope(request)
    headers = [_("Kind"), _("Level"), _("Year"), _("Organisation"), _("Person"), _("Awarding body"), _("Valid until"),
               _("Status")]  # fmt: skip
    table = [
        [h.get_kind_display(), h.get_level_display(), h.year, h.organization.name, h.person.name if h.person else "",
         h.awarding_body, h.valid_until.isoformat() if h.valid_until else "", h.get_status_display()]
        for h in rows.order_by("-year", "kind", "id")
    ]  # fmt: skip
    audit = {"fields": "person", "filters": {"org": org.pk if org else None}, "org_path": org.path if org else ""}
    return xlsx_table_response(request, "honours.xlsx", str(_("Honours")), headers, table, audit=audit)


@login_required
def honour_award(request: HttpRequest) -> HttpResponse:
    """Award an honour to an organisation of the user's subtrees, or to a person (``?person=<id>``)."""
    require_role(request, CHANGE)
    person = None
    if raw := request.GET.get("person") or request.POST.get("person"):
        person_id = params.parse_id(raw)
        person = Person.objects.visible_to(request.user, CHANGE).filter(pk=person_id).first() if person_id else None
        if person is None:
            raise Http404
    form = HonourForm(request.POST or None, request.FILES or None, user=request.user,
                      initial={"person": person.pk if person else None, "year": timezone.localdate().year})  # fmt: skip
    if person is not None:
        del form.fields["organization"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("certificate")
        certificate = (upload.name or "", upload.read()) if upload else None
        with form_step(request, form, _("The honour is recorded."), denied_as_404=True) as step:
            honour = services.award_honour(
                request.user, kind=data["kind"], level=data["level"], year=data["year"],
                awarding_body=data["awarding_body"], organization=None if person else data.get("organization"),
                person=person, valid_until=data.get("valid_until"), certificate=certificate,
            )  # fmt: skip
        if step.ok:
            return redirect("venues:honour", pk=honour.pk)
    title = _("An honour for %(name)s") % {"name": person.name} if person else _("Award an honour")
    context = {"form": form, "title": title, "submit_label": _("Record the honour"), "multipart": True,
               "cancel_url": reverse("venues:honours")}  # fmt: skip
    return render(request, "form_page.html", context)


@login_required
def honour(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, Honour.objects.select_related("organization", "person").defer("certificate"), pk)
    steps = []
    if _can_change(request, row.org_path):
        steps = [t for t in services.HONOUR_TRANSITIONS if services.HONOURS.can_leave(row, t)
                 and services.HONOURS.four_eyes_allow(request.user, row, t)]  # fmt: skip
    return render(request, "venues/honour.html", {"title": row.get_kind_display(), "honour": row, "steps": steps})


@login_required
def honour_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, Honour, pk)
    if not row.certificate:
        raise Http404
    return uploads.serve_upload(bytes(row.certificate), row.certificate_type, row.certificate_name)


@login_required
@require_POST
def honour_act(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(request, Honour, pk)
    if not _can_change(request, row.org_path):
        raise Http404
    step = request.POST.get("step", "")
    if step == "revoke":
        with page_step(request, _("The honour is revoked.")):
            services.revoke_honour(request.user, row, reason=request.POST.get("reason", ""))
    elif step in ("review", "confirm"):
        service = services.review_honour if step == "review" else services.confirm_honour
        with page_step(request, _("The honour's status is changed.")):
            service(request.user, row)
    else:
        messages.error(request, _("Unknown step."))
    return redirect("venues:honour", pk=row.pk)
