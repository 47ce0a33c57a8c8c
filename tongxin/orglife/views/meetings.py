"""Meeting pages: an organisation's calendar (a month as a list grouped by day, overdue ones first), the plan
form, the record form (one row per member with three big buttons, made for a phone during the meeting), the
meeting's page (minutes, attendance, quorum, attachments) and cancelling; attachments are served here too."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.core import params, uploads
from tongxin.core.exceptions import DomainError
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import get_scoped_or_404, page_step
from tongxin.orglife.models import (
    LESSON_KINDS,
    Attachment,
    AttendanceStatus,
    LessonTurn,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from tongxin.orglife.services import lessons
from tongxin.orglife.services import meetings as services
from tongxin.orgs.models import Organization
from tongxin.people.models import Person

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


# --- forms --------------------------------------------------------------------------------------------------


class PlanForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Meeting kind"))
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Date and time"),
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    joint_with = forms.CharField(
        label=gettext_lazy("Held together with"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("For a joint activity: the codes of the other organisations, separated by spaces."),
    )

    def __init__(self, *args: Any, organization: Organization, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = [*services.kinds_for(organization), MeetingKind.JOINT_ACTIVITY]
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(k, MeetingKind(k).label) for k in kinds]

    def clean_joint_with(self) -> list[Organization]:
        codes = list(
            dict.fromkeys(self.cleaned_data.get("joint_with", "").replace(",", " ").replace("，", " ").split())
        )
        if not codes:
            return []
        found = {org.code: org for org in Organization.objects.visible_to(self.user, CHANGE).filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("No organisation you may plan for has the code %(codes)s.") % {"codes": "、".join(unknown)}
            )
        return [found[code] for code in codes]


class HeldMeetingForm(BootstrapFormMixin, forms.Form):
    """What planning would have asked, for a meeting recorded directly once held (the rest is the record form)."""

    kind = forms.ChoiceField(label=gettext_lazy("Meeting kind"))
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(k, MeetingKind(k).label) for k in services.kinds_for(organization)]


# --- helpers ------------------------------------------------------------------------------------------------


def _can_change(request: HttpRequest, path_: str) -> bool:
    return scope_for(request.user, CHANGE).covers_path(path_)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


# --- calendar and planning ----------------------------------------------------------------------------------


@login_required
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation's meetings of one month, grouped by day; overdue ones are listed first."""
    org = get_scoped_or_404(request, Organization, pk)
    month = params.month_param(request)
    start = timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(_next_month(month), datetime.time.min))
    mine = services.of_organization(Meeting.objects.all(), org)
    now = timezone.now()
    rows = list(mine.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "id"))
    for meeting in rows:
        meeting.is_overdue = meeting.status == MeetingStatus.PLANNED and meeting.starts_at < now  # type: ignore[attr-defined]
    days = [(day, list(group)) for day, group in groupby(rows, key=lambda m: timezone.localdate(m.starts_at))]
    context = {
        "org": org,
        "title": _("Meetings of %(org)s") % {"org": org.name},
        "month": month,
        "previous": (month - datetime.timedelta(days=1)).replace(day=1),
        "next": _next_month(month),
        "days": days,
        "overdue": list(services.overdue(mine, now).order_by("starts_at", "id")[:50]),
        "can_change": _can_change(request, org.path),
    }
    return render(request, "orglife/meetings/calendar.html", context)


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped_or_404(request, Organization, pk)
    if not _can_change(request, org.path):
        raise Http404
    kind = request.GET.get("kind")  # the board's link to plan a missing meeting names its kind
    initial = {"kind": kind} if kind in MeetingKind.values else {}
    form = PlanForm(request.POST or None, organization=org, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.plan_meeting(
                request.user, organization=org, kind=data["kind"], starts_at=data["starts_at"], topic=data["topic"],
                place=data["place"], organizations=data["joint_with"],
            )  # fmt: skip
        except DomainError as exc:
            exc.add_to_form(form)
        except PermissionDenied:
            form.add_error("joint_with", _("You may not plan meetings for one of these organisations."))
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect("orglife:meeting_detail", pk=meeting.pk)
    context = {
        "form": form,
        "title": _("Plan a meeting of %(org)s") % {"org": org.name},
        "submit_label": _("Plan the meeting"),
        "cancel_url": reverse("orglife:meetings", args=[org.pk]),
    }
    return render(request, "form_page.html", context)


# --- the meeting --------------------------------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_scoped_or_404(request, Meeting.objects.select_related("organization"), pk)
    attendance = list(meeting.attendance.select_related("person").order_by("status", "person__name_pinyin", "id"))
    counts = {status: 0 for status in AttendanceStatus.values}
    for row in attendance:
        counts[row.status] += 1
    can_change = _can_change(request, meeting.org_path)
    overdue = services.overdue(Meeting.objects.filter(pk=meeting.pk)).exists()
    meeting.is_overdue = overdue
    context = {
        "meeting": meeting,
        "title": meeting.topic,
        "organizations": list(meeting.organizations.all()),
        "attendance": attendance,
        "counts": counts,
        "attachments": list(meeting.attachments.defer("content").order_by("uploaded_at", "id")),
        "overdue": overdue,
        "can_change": can_change,
        "can_record": can_change and meeting.status == MeetingStatus.PLANNED,
        "can_attach": can_change and meeting.status != MeetingStatus.CANCELLED,
        "max_mb": f"{uploads.max_bytes() / 1024 / 1024:g}",
        # The lesson in turn this lesson meeting gave (轮流讲党课/团课), if any.
        "lesson_turn": LessonTurn.objects.filter(meeting=meeting).select_related("lecturer").first(),
    }
    return render(request, "orglife/meetings/detail.html", context)


@login_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """One row per member: present / on leave / absent (with the reason), tapped during the meeting."""
    meeting = get_scoped_or_404(request, Meeting.objects.select_related("organization"), pk)
    if not _can_change(request, meeting.org_path):
        raise Http404
    if meeting.status != MeetingStatus.PLANNED:
        messages.info(request, _("This meeting is already “%(status)s”.") % {"status": meeting.get_status_display()})
        return redirect("orglife:meeting_detail", pk=meeting.pk)
    members = list(services.members_of(services.holding_ids(meeting)).select_related("branch"))
    errors: list[str] = []
    values: dict[str, Any] = {
        "starts_at": timezone.localtime(meeting.starts_at).strftime(DATETIME_FORMAT),
        "place": meeting.place,
        "host": "",
        "recorder": "",
        "lecturer": lessons.planned_lecturer(meeting),  # the lesson in turn's lecturer, when the rota names one
        "minutes": "",
    }
    marks = _initial_marks(request, members)
    if request.method == "POST":
        marks, record_values = _posted_record(request.POST, values, errors)
        if record_values is not None:
            saved = _saved(request, errors, lambda: services.record_meeting(request.user, meeting, **record_values))
            if saved is not None:
                return saved
    rows = [(person, *marks.get(person.pk, ("", ""))) for person in members]
    context = {
        "meeting": meeting,
        "title": _("Record: %(topic)s") % {"topic": meeting.topic},
        "rows": rows,
        "values": values,
        "errors": errors,
        "statuses": AttendanceStatus.choices,
        "needs_lecturer": meeting.kind in LESSON_KINDS,
        "host_choices": members,
        "holder_id": meeting.organization_id,
        "back_url": reverse("orglife:meeting_detail", args=[meeting.pk]),
    }
    return render(request, "orglife/meetings/record.html", context, status=400 if errors else 200)


RECORD_VALUES = ("starts_at", "place", "host", "recorder", "lecturer", "minutes")


def _initial_marks(request: HttpRequest, members: list[Person]) -> dict[int, tuple[str, str]]:
    """``?all=present``: every member marked so before tapping the exceptions; else nobody marked."""
    if request.GET.get("all") in AttendanceStatus.values:
        return {person.pk: (request.GET["all"], "") for person in members}
    return {}


def _posted_record(
    post: Any, values: dict[str, Any], errors: list[str]
) -> tuple[dict[int, tuple[str, str]], dict[str, Any] | None]:
    """Read the record form: its values (into ``values``), each member's mark, and the keyword arguments of
    the record services (attendance, time, host, recorder, …), or None with an error when no time is given."""
    values.update({key: post.get(key, "").strip() for key in RECORD_VALUES})
    marks = {}
    for key in post:
        if key.startswith("status-") and (person_id := params.parse_id(key[7:])) is not None:
            marks[person_id] = (post[key], post.get(f"reason-{person_id}", ""))
    try:
        starts_at = datetime.datetime.strptime(values["starts_at"], DATETIME_FORMAT)
    except ValueError:
        errors.append(_("Give the date and time the meeting was held."))
        return marks, None
    people = {p.pk: p for p in Person.objects.filter(pk__in=_ids(values["host"], values["recorder"]))}
    return marks, {
        "attendance": marks,
        "starts_at": starts_at,
        "host": people.get(_id(values["host"]) or 0),
        "recorder": people.get(_id(values["recorder"]) or 0),
        "lecturer": values["lecturer"],
        "minutes": values["minutes"],
        "place": values["place"],
    }


def _saved(request: HttpRequest, errors: list[str], save: Callable[[], Meeting]) -> HttpResponse | None:
    """Run the record service: the meeting's page with a success message, or None with its refusal in
    ``errors`` (a meeting outside the user's change scope is 404)."""
    try:
        meeting = save()
    except DomainError as exc:
        errors.extend(exc.messages)
        return None
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The meeting is recorded as held."))
    turn = LessonTurn.objects.filter(meeting=meeting).select_related("lecturer").first()
    if turn is not None and meeting.lecturer != turn.lecturer.name:  # the rota is checked against the record
        messages.warning(request, _("The rota named %(planned)s to give this quarter's lesson; the record names "
                                    "%(given)s. The turn counts as given.")
                         % {"planned": turn.lecturer.name, "given": meeting.lecturer})  # fmt: skip
    return redirect("orglife:meeting_detail", pk=meeting.pk)


@login_required
def record_held(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting already held that nobody planned (yesterday's branch meeting): its kind and topic, then the
    record form, saved in one step (``services.record_held_meeting``: planned and recorded together)."""
    org = get_scoped_or_404(request, Organization, pk)
    if not _can_change(request, org.path):
        raise Http404
    members = list(services.members_of([org.pk]).select_related("branch"))
    form = HeldMeetingForm(request.POST or None, organization=org)
    values: dict[str, Any] = dict.fromkeys(RECORD_VALUES, "")
    errors: list[str] = []
    marks = _initial_marks(request, members)
    if request.method == "POST":
        marks, record_values = _posted_record(request.POST, values, errors)
        if form.is_valid() and record_values is not None:
            kind, topic = form.cleaned_data["kind"], form.cleaned_data["topic"]
            saved = _saved(
                request,
                errors,
                lambda: services.record_held_meeting(
                    request.user, organization=org, kind=kind, topic=topic, **record_values
                ),
            )
            if saved is not None:
                return saved
    context = {
        "org": org,
        "held_form": form,
        "title": _("Record a held meeting of %(org)s") % {"org": org.name},
        "rows": [(person, *marks.get(person.pk, ("", ""))) for person in members],
        "values": values,
        "errors": errors,
        "statuses": AttendanceStatus.choices,
        "lecturer_if_lesson": True,
        "host_choices": members,
        "holder_id": org.pk,
        "back_url": reverse("orglife:meetings", args=[org.pk]),
    }
    failed = request.method == "POST"
    return render(request, "orglife/meetings/record.html", context, status=400 if failed else 200)


def _id(text: str) -> int | None:
    return params.parse_id(text)  # None for anything a primary key cannot be: no such person


def _ids(*texts: str) -> list[int]:
    return [pk for pk in (_id(t) for t in texts) if pk is not None]


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_scoped_or_404(request, Meeting.objects.select_related("organization"), pk)
    with page_step(request, _("The meeting was cancelled.")):
        services.cancel_meeting(request.user, meeting)
    return redirect("orglife:meeting_detail", pk=meeting.pk)


# --- attachments --------------------------------------------------------------------------------------------


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_scoped_or_404(request, Meeting.objects.select_related("organization"), pk)
    if not _can_change(request, meeting.org_path):
        raise Http404
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect("orglife:meeting_detail", pk=meeting.pk)
    # Read one byte past the limit at most: the service refuses a file over it without holding it all.
    content = uploaded.read(uploads.max_bytes() + 1)
    try:
        attachment = services.add_attachment(request.user, meeting, file_name=uploaded.name or "", content=content)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("%(name)s is attached.") % {"name": attachment.file_name})
    return redirect("orglife:meeting_detail", pk=meeting.pk)


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """The file itself: photos shown in the browser, PDFs downloaded; never sniffed into another type."""
    visible = Meeting.objects.visible_to(request.user).values("pk")
    found = get_object_or_404(Attachment.objects.filter(meeting__in=visible), pk=pk)
    return uploads.serve_upload(bytes(found.content), found.content_type, found.file_name)
