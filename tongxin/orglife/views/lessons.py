"""Lessons in turn (轮流讲党课/团课): an organisation's rota for a year (per quarter: the planned lecturer, and the
lesson meeting that gave it with its date, or not yet, or overdue), the secretary's form filling the quarters in
turn, a turn's page (changed by the secretary, with a reason once the quarter has begun), and the member's own
page: his turns, and who gives which lesson in his branch this year."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core import params
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, VIEW, scope_for
from tongxin.core.views import form_step, get_scoped_or_404
from tongxin.orglife.models import LessonTurn, MeetingKind
from tongxin.orglife.services import lessons as services
from tongxin.orgs.models import Organization
from tongxin.people.models import Person

TICK = {"class": "form-check-input"}
ROTA_CHOICES_MAX = 300  # members offered as lecturers on the form (a committee's subtree may hold thousands)


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and params.parse_id(value) is None:  # not an id the database holds
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name

    def clean(self, value: Any) -> Any:
        # An id beyond what a key column holds (the write sweep's 99999999999999999999) reached SQLite as an
        # OverflowError: refuse it as the unknown choice it is.
        for pk in value if isinstance(value, list | tuple) else ():
            if params.parse_id(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super().clean(value)


class RotaForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Lesson"))
    quarters = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Quarters"), coerce=int, widget=forms.CheckboxSelectMultiple(attrs=TICK),
        choices=[(q, gettext_lazy("Quarter %(q)d") % {"q": q}) for q in services.QUARTERS],
    )  # fmt: skip
    lecturers = PeopleChoice(
        label=gettext_lazy("Lecturers, in turn"), queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs=TICK),
        help_text=gettext_lazy("The quarters without a lecturer are given to these members in turn, in roster order, "
                               "going on after whoever gave the last lesson."),
    )  # fmt: skip
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200, required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(k, MeetingKind(k).label) for k in services.lesson_kinds_for(organization)]
        people = self.fields["lecturers"]
        assert isinstance(people, forms.ModelMultipleChoiceField)
        ids = list(services.members_for_rota(organization).values_list("pk", flat=True)[:ROTA_CHOICES_MAX])
        people.queryset = Person.objects.filter(pk__in=ids).order_by("org_path", "name_pinyin", "id")


class TurnForm(BootstrapFormMixin, forms.Form):
    lecturer = PersonChoice(label=gettext_lazy("Lecturer"), queryset=Person.objects.none())
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), max_length=200, required=False,
        help_text=gettext_lazy("Needed once the quarter has begun."),
    )  # fmt: skip

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lecturer"]
        assert isinstance(field, forms.ModelChoiceField)
        ids = list(services.members_for_rota(organization).values_list("pk", flat=True)[:ROTA_CHOICES_MAX])
        field.queryset = Person.objects.filter(pk__in=ids).order_by("org_path", "name_pinyin", "id")


def _year(request: HttpRequest) -> int:
    this = timezone.localdate().year
    return params.parse_int(request.GET.get("year"), (this - 1, this + 1)) or this


def _rows(turns: list[LessonTurn], today: Any) -> list[dict[str, Any]]:
    rows = []
    for turn in turns:
        state = "given" if turn.meeting_id else "overdue" if services.is_overdue(turn, today) else "planned"
        given_by = turn.meeting.lecturer if turn.meeting is not None else ""
        rows.append({"turn": turn, "state": state, "other_lecturer": bool(given_by) and given_by != turn.lecturer.name})
    return rows


def _quarters(org: Organization, year: int, today: Any) -> list[dict[str, Any]]:
    """One entry per quarter: its dates and its turns (one per lesson the organisation gives)."""
    rows = _rows(list(services.rota_of(org, year)), today)
    return [
        {
            "quarter": q,
            "start": services.quarter_start(year, q),
            "end": services.quarter_end(year, q),
            "current": year == today.year and services.quarter_of(today) == q,
            "rows": [row for row in rows if row["turn"].quarter == q],
        }
        for q in services.QUARTERS
    ]


@login_required
def rota(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's rota for a year (``?year=``): who gives each quarter's lesson, and whether it was given."""
    org = get_scoped_or_404(request, Organization, pk)
    can_change = scope_for(request.user, CHANGE).covers_path(org.path) and bool(services.lesson_kinds_for(org))
    year = _year(request)
    today = timezone.localdate()
    taken = set(LessonTurn.objects.filter(organization=org, year=year).values_list("quarter", flat=True))
    initial = {"quarters": [q for q in services.QUARTERS if q not in taken]}
    form = RotaForm(request.POST or None, organization=org, initial=initial)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            with form_step(request, form, _("The rota is planned.")) as step:
                services.plan_rota(request.user, organization=org, year=year, kind=data["kind"],
                                   lecturers=list(data["lecturers"]), quarters=data["quarters"],
                                   topic=data["topic"])  # fmt: skip
            if step.ok:
                return redirect(f"{request.path}?year={year}")
    context = {
        "title": _("Lessons in turn of %(org)s, %(year)d") % {"org": org.display_name, "year": year},
        "org": org,
        "year": year,
        "years": [today.year - 1, today.year, today.year + 1],
        "quarters": _quarters(org, year, today),
        "form": form,
        "can_change": can_change,
        "holds_lessons": bool(services.lesson_kinds_for(org)),
    }
    return render(request, "orglife/lessons/rota.html", context, status=400 if form.errors else 200)


@login_required
def turn(request: HttpRequest, pk: int) -> HttpResponse:
    """One turn: the lecturer sees it; the secretary changes the lecturer or the topic."""
    found = get_scoped_or_404(request, LessonTurn.objects.select_related("organization", "lecturer", "meeting"), pk)
    can_change = scope_for(request.user, CHANGE).covers_path(found.org_path)
    org = found.organization
    form = TurnForm(request.POST or None, organization=org,
                    initial={"lecturer": found.lecturer_id, "topic": found.topic})  # fmt: skip
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            with form_step(request, form, _("The turn is changed.")) as step:
                services.change_turn(request.user, found, lecturer=data["lecturer"], topic=data["topic"],
                                     reason=data["reason"])  # fmt: skip
            if step.ok:
                return redirect("orglife:lesson_turn", pk=found.pk)
    today = timezone.localdate()
    context = {
        "title": _("%(kind)s, quarter %(quarter)d of %(year)d") % {"kind": found.get_kind_display(),
                                                                   "quarter": found.quarter, "year": found.year},
        "turn": found,
        "row": _rows([found], today)[0],
        "start": services.quarter_start(found.year, found.quarter),
        "end": services.quarter_end(found.year, found.quarter),
        "started": services.has_started(found, today),
        "form": form,
        "can_change": can_change and found.meeting_id is None,
        "may_change": can_change,
        "rota_url": _rota_url(found),
        # the lecturer who is no role holder there reads his turn, not the organisation's pages (404 to him)
        "may_view_org": scope_for(request.user, VIEW).covers_path(found.org_path),
    }  # fmt: skip
    return render(request, "orglife/lessons/turn.html", context, status=400 if form.errors else 200)


def _rota_url(turn: LessonTurn) -> str:
    return f"{reverse('orglife:lessons', args=[turn.organization_id])}?year={turn.year}"


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's lessons to give (and given), and who gives which lesson in his branch this year."""
    person_id = getattr(request.user, "person_id", None)
    today = timezone.localdate()
    turns: list[LessonTurn] = []
    branch_quarters: list[dict[str, Any]] = []
    branch = None
    if person_id:
        own = LessonTurn.objects.filter(lecturer_id=person_id, year__gte=today.year - 1)
        turns = list(own.select_related("organization", "meeting", "lecturer").order_by("year", "quarter", "id"))
        branch_id = Person.objects.filter(pk=person_id).values_list("branch_id", flat=True).first()
        branch = Organization.objects.filter(pk=branch_id).first() if branch_id else None
        if branch is not None:  # the rota of his own branch: who gives which lesson (names and topics only)
            branch_quarters = _quarters(branch, today.year, today)
    context = {
        "title": _("My lessons to give"),
        "rows": _rows(turns, today),
        "next": services.next_turn(person_id, today),
        "branch": branch,
        "branch_quarters": branch_quarters,
        "year": today.year,
    }
    return render(request, "orglife/lessons/mine.html", context)
