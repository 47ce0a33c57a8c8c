"""Study pages.

The member's phone flow: his study page (open periods, his receipts) → a period (the video) → the quiz (the
questions in his attempt's order, no answer key) → the result (score, the right answers and explanations,
once submitted) → the receipt (a page and a QR code carrying a signed token) that anyone verifies on the
public verify page. The secretary's pages: campaigns, a campaign (the rate of her organisation per period,
the season's drill-down), a period's drill-down from an organisation to each child, worst first, with the
members of a branch who have not taken part, and the Excel exports. A campaign's question bank and periods
are set up here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from tongxin.core import imports, params, tasks, uploads
from tongxin.core.codes import PoliticalStatus
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.exceptions import DomainError
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.headers import FILE_POLICY
from tongxin.core.pagination import keyset_page
from tongxin.core.rates import percent, share
from tongxin.core.scoping import CHANGE, VIEW, scope_for
from tongxin.core.spreadsheets import check_size
from tongxin.core.views import (
    flash_form_errors,
    form_step,
    get_changeable_or_404,
    get_scoped_or_404,
    has_role,
    page_step,
    require_role,
    xlsx_table_response,
)
from tongxin.orgs.models import STEP_WIDTH, Organization, OrgKind, path_ids
from tongxin.study import queries, services
from tongxin.study.models import (
    COMMENT_MAX_CHARS,
    NOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    Attempt,
    CheckIn,
    NoteStatus,
    Participation,
    Question,
    QuestionKind,
    Selection,
    StudyCampaign,
    StudyNote,
    StudyNoteComment,
    StudyNoteImage,
    StudyPeriod,
    StudyVideo,
    is_offered,
    offered_q,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _member_period(request: HttpRequest, pk: int) -> StudyPeriod:
    """A period the user may open: as a member in its campaign's audience, or as a role holder over the
    campaign's organisation (who previews it); 404 for anyone else."""
    period = get_object_or_404(StudyPeriod.objects.select_related("campaign__organization"), pk=pk)
    person = getattr(request.user, "person", None)
    if services.in_audience(period.campaign, person):
        return period
    if scope_for(request.user, VIEW).covers_path(period.org_path):
        return period
    raise Http404


# --- the member's flow --------------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's study: open periods and his receipts (empty for a user linked to no person record)."""
    person = getattr(request.user, "person", None)
    if person is None:
        return render(request, "study/mine.html", {"title": _("My study"), "periods": [], "receipts": []})
    done = {p.period_id: p for p in Participation.objects.filter(person=person).select_related("period__campaign")}
    periods = [p for p in queries.member_periods(person) if services.in_audience(p.campaign, person)]
    # His own rate: periods done ÷ periods opened so far of the campaigns he is in (DOMAIN.md, study).
    so_far = queries.member_periods(person, only_open=False).filter(opens_at__lte=timezone.now())
    opened = [p.pk for p in so_far if services.in_audience(p.campaign, person)]
    taken = sum(1 for pk in opened if pk in done)
    return render(
        request,
        "study/mine.html",
        {
            "title": _("My study"),
            "periods": [(p, done.get(p.pk)) for p in periods],
            "receipts": sorted(done.values(), key=lambda p: p.completed_at, reverse=True),
            "opened": len(opened),
            "taken": taken,
            "rate": percent(share(taken, len(opened))),
        },
    )


@login_required
def period(request: HttpRequest, pk: int) -> HttpResponse:
    study_period = _member_period(request, pk)
    person = getattr(request.user, "person", None)
    participation = open_attempt = None
    used = 0
    if person is not None:
        participation = Participation.objects.filter(period=study_period, person=person).first()
        open_attempt = Attempt.objects.filter(period=study_period, person=person, submitted_at__isnull=True).first()
        used = services.submitted_count(study_period, person)
    has_video = StudyVideo.objects.filter(period=study_period).exists()
    now = timezone.now()
    offered = is_offered(study_period)
    return render(
        request,
        "study/period.html",
        {
            "title": str(study_period),
            "period": study_period,
            "participation": participation,
            "open_attempt": open_attempt,
            "has_video": has_video,
            "left": max(study_period.max_attempts - used, 0),
            "is_open": offered and study_period.opens_at <= now < study_period.closes_at,
            "withdrawn": not offered,
        },
    )


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    study_period = _member_period(request, pk)
    try:
        attempt = services.start_attempt(request.user, study_period)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("study:period", pk=study_period.pk)
    return redirect("study:attempt", pk=attempt.pk)


def _own_attempt(request: HttpRequest, pk: int) -> Attempt:
    """The member's own attempt (or one a role holder over his branch looks at; only he may submit it)."""
    return get_scoped_or_404(request, Attempt.objects.select_related("period__campaign", "person"), pk)


def _posted_answers(request: HttpRequest, attempt: Attempt) -> dict[str, list[str]]:
    """``q<id>`` fields of the quiz form (every one named, so an answer for another question is refused)."""
    answers: dict[str, list[str]] = {}
    for key in request.POST:
        match = re.fullmatch(r"q(\d{1,12})", key)
        if match:
            answers[match.group(1)] = request.POST.getlist(key)[:20]
    return answers


@login_required
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = _own_attempt(request, pk)
    if request.method == "POST":
        done = _("Your answers are in.")
        with page_step(request, done):
            quiz = services.submit_attempt(
                request.user, quiz, answers=_posted_answers(request, quiz), token=request.POST.get("token", "")
            )
        if quiz.submitted_at is None:
            return redirect("study:attempt", pk=quiz.pk)
        return redirect("study:result", pk=quiz.pk)
    if quiz.submitted_at is not None:
        return redirect("study:result", pk=quiz.pk)
    return render(
        request,
        "study/quiz.html",
        {
            "title": str(quiz.period),
            "attempt": quiz,
            "questions": services.shown_questions(quiz),
        },
    )


@login_required
def result(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = _own_attempt(request, pk)
    if quiz.submitted_at is None:
        return render(request, "study/result.html", {"title": str(quiz.period), "attempt": quiz, "rows": []})
    participation = Participation.objects.filter(period=quiz.period, person=quiz.person).first()
    return render(
        request,
        "study/result.html",
        {
            "title": str(quiz.period),
            "attempt": quiz,
            "rows": services.results(quiz),
            "participation": participation,
        },
    )


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    participation = get_scoped_or_404(request, Participation.objects.select_related("person", "period__campaign"), pk)
    token = services.receipt_token(participation)
    url = request.build_absolute_uri(reverse("study:verify") + "?" + urlencode({"t": token}))
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return render(
        request,
        "study/receipt.html",
        {
            "title": _("Study receipt"),
            "participation": participation,
            "verify_url": url,
            "qr": qr,
            "masked": services.mask_name(participation.person.name),
        },
    )


def verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone holding a receipt's link (``?t=<signed token>``) checks it here; a forged or altered one
    is refused. Without a token the page says what it is for."""
    token = request.GET.get("t", "")
    if not token:
        return render(request, "study/verify.html", {"title": _("Verify a study receipt"), "data": None, "error": ""})
    try:
        data, error = services.verify_receipt(token[:2000]), ""
    except DomainError as exc:
        data, error = None, " ".join(exc.messages)
    return render(
        request,
        "study/verify.html",
        {"title": _("Verify a study receipt"), "data": data, "error": error},
        status=200 if data else 400,
    )


RANGE = re.compile(r"bytes=(\d{0,15})-(\d{0,15})$")


@login_required
def video(request: HttpRequest, pk: int) -> HttpResponse:
    """The period's uploaded video, with HTTP range requests (a phone seeks): only the asked part is read."""
    person = getattr(request.user, "person", None)
    qs = StudyVideo.objects.select_related("period__campaign")
    file = qs.filter(period_id=pk).only("pk", "size", "content_type", "file_name", "period").first()
    if file is None:
        raise Http404
    in_scope = scope_for(request.user, VIEW).covers_path(file.period.org_path)
    if not in_scope and not (person is not None and services.in_audience(file.period.campaign, person)):
        raise Http404
    size = file.size
    start, end, status = 0, size - 1, 200
    match = RANGE.match(request.headers.get("Range", ""))
    if match and (match.group(1) or match.group(2)):
        if match.group(1):
            start = int(match.group(1))
            end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
        else:
            start = max(size - int(match.group(2)), 0)
        if start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        status = 206
    part = (
        qs.filter(pk=file.pk)
        .annotate(part=Substr("content", start + 1, end - start + 1))
        .values_list("part", flat=True)[0]
    )
    response = HttpResponse(bytes(part), status=status, content_type=file.content_type)  # type: ignore[arg-type]
    response["Accept-Ranges"] = "bytes"
    response["Content-Length"] = str(end - start + 1)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    return response


class CheckInForm(BootstrapFormMixin, forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    what = forms.CharField(label=gettext_lazy("What I studied"), max_length=200)
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=1, max_value=1440)


@login_required
def checkins(request: HttpRequest) -> HttpResponse:
    """学习打卡: the member's own log, seen by him alone; his counts, never a ranking, never required."""
    person = getattr(request.user, "person", None)
    form = CheckInForm(request.POST or None, initial={"day": timezone.localdate()}) if person is not None else None
    if request.method == "POST" and form is not None and form.is_valid():
        with form_step(request, form, _("Your check-in is saved.")) as step:
            services.add_checkin(request.user, **form.cleaned_data)
        if step.ok:
            return redirect("study:checkins")
    rows = CheckIn.objects.visible_to(request.user).filter(person=person)[:100] if person is not None else []
    month = timezone.localdate().replace(day=1)
    this_month = [row for row in rows if row.day >= month]
    return render(request, "study/checkins.html", {
        "title": _("My check-ins"), "form": form, "rows": rows, "month_count": len(this_month),
        "month_minutes": sum(row.minutes for row in this_month),
    })  # fmt: skip


# --- the secretary's pages ---------------------------------------------------------------------------------


class CampaignFieldsForm(BootstrapFormMixin, forms.Form):
    """What a campaign's secretary sets and may change later: its title, audience and tiers."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    audience_statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Audience"),
        choices=PoliticalStatus.choices,
        initial=["03"],
        widget=forms.CheckboxSelectMultiple,
    )
    tiers_enabled = forms.BooleanField(label=gettext_lazy("Show tiers of the participation rate"), required=False)
    tier_thresholds = forms.CharField(label=gettext_lazy("Tier thresholds (%)"), max_length=32, initial="95,90,80")


class CampaignForm(CampaignFieldsForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=gettext_lazy("Organisation"))
    field_order = ["organization"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = Organization.objects.visible_to(user, CHANGE).exclude(kind__startswith="party")  # type: ignore[attr-defined]


class CampaignEditForm(CampaignFieldsForm):
    def __init__(self, *args: Any, audience_fixed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if audience_fixed:  # a period has opened: the rates count this audience (the service refuses a change)
            field = self.fields["audience_statuses"]
            field.disabled = True
            field.help_text = gettext_lazy("A period has opened: the audience stays as its rates count it.")


def _campaign(request: HttpRequest, pk: int) -> StudyCampaign:
    require_role(request)
    visible = queries.with_span(queries.visible_campaigns(request.user))
    return get_object_or_404(visible.select_related("organization"), pk=pk)


def _start_org(request: HttpRequest, campaign: StudyCampaign) -> Organization:
    """Where the drill-down starts (``queries.start_org``); ``?org=`` picks one; 404 for none she sees."""
    org = queries.start_org(request.user, campaign, params.parse_id(request.GET.get("org")))
    if org is None:
        raise Http404
    return org


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    require_role(request)
    form = None
    if scope_for(request.user, CHANGE).has_subtrees:
        form = CampaignForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            with form_step(request, form, _("The campaign is created."), denied_as_404=True) as step:
                created = services.create_campaign(request.user, **form.cleaned_data)
            if step.ok:
                return redirect("study:campaign", pk=created.pk)
    now = timezone.now()
    # In progress and not started first, ended after; the span and state in the same query (no query per row).
    visible = queries.with_span(queries.visible_campaigns(request.user), now)
    rows = list(queries.current_first(visible).select_related("organization")[:100])
    open_ids = set(
        StudyPeriod.objects.filter(
            offered_q(), campaign__in=[c.pk for c in rows], opens_at__lte=now, closes_at__gt=now
        ).values_list("campaign_id", flat=True)
    )
    return render(
        request,
        "study/campaigns.html",
        {
            "title": _("Study campaigns"),
            "campaigns": [(row, queries.span_of(row)) for row in rows],
            "open_ids": open_ids,
            "form": form,
        },
    )


class QuestionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=gettext_lazy("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    options = forms.CharField(
        label=gettext_lazy("Options, one a line"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Not needed for a true/false question."),
    )
    answer = forms.CharField(
        label=gettext_lazy("Right answers"),
        max_length=50,
        help_text=gettext_lazy("Numbers of the right options, such as 2 or 1,3 (true/false: 1 true, 2 false)."),
    )
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.CharField(label=gettext_lazy("Category"), max_length=50, required=False)

    def clean_answer(self) -> list[int]:
        parts = [p.strip() for p in re.split(r"[,，\s]+", self.cleaned_data["answer"]) if p.strip()]
        if not parts or not all(p.isdigit() and 0 < int(p) <= 20 for p in parts):
            raise forms.ValidationError(_("Give the numbers of the right options, such as 2 or 1,3."))
        return [int(p) - 1 for p in parts]


class PeriodForm(BootstrapFormMixin, forms.Form):
    number = forms.IntegerField(label=gettext_lazy("Period number"), min_value=1, max_value=999)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    opens_at = forms.DateTimeField(
        label=pgettext_lazy("study period", "Opens at"),
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    closes_at = forms.DateTimeField(
        label=pgettext_lazy("study period", "Closes at"),
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    video_url = forms.URLField(
        label=gettext_lazy("Video link (intranet)"), max_length=500, required=False, assume_scheme="https"
    )
    min_watch_seconds = forms.IntegerField(
        label=gettext_lazy("Minimum watch time (seconds)"), min_value=0, max_value=14400, initial=0
    )
    selection = forms.ChoiceField(label=gettext_lazy("Questions"), choices=Selection.choices)
    questions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Fixed questions"),
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    category = forms.CharField(label=gettext_lazy("Category (random questions)"), max_length=50, required=False)
    question_count = forms.IntegerField(
        label=gettext_lazy("Number of random questions"), min_value=1, max_value=50, initial=5
    )
    max_attempts = forms.IntegerField(label=gettext_lazy("Attempts allowed"), min_value=1, max_value=20, initial=3)

    def __init__(self, *args: Any, campaign: StudyCampaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = Question.objects.filter(campaign=campaign, active=True)  # type: ignore[attr-defined]


@login_required
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    study_campaign = _campaign(request, pk)
    org = _start_org(request, study_campaign)
    may_change = scope_for(request.user, CHANGE).covers_path(study_campaign.org_path)
    may_add = may_change and study_campaign.active  # a deactivated campaign takes no new question or period
    question_form = QuestionForm(prefix="q") if may_add else None
    period_form = PeriodForm(prefix="p", campaign=study_campaign) if may_add else None
    if request.method == "POST":
        if not may_change:
            raise Http404
        if not study_campaign.active:
            messages.error(request, _("This campaign has been deactivated: it takes no new periods or questions."))
            return redirect("study:campaign", pk=study_campaign.pk)
        if "q-text" in request.POST:
            question_form = QuestionForm(request.POST, prefix="q")
            if question_form.is_valid():
                data = dict(question_form.cleaned_data)
                data["options"] = [line for line in data["options"].splitlines() if line.strip()]
                with form_step(request, question_form, _("The question is added.")) as step:
                    services.add_question(request.user, study_campaign, **data)
                if step.ok:
                    return redirect("study:campaign", pk=study_campaign.pk)
        else:
            period_form = PeriodForm(request.POST, prefix="p", campaign=study_campaign)
            if period_form.is_valid():
                with form_step(request, period_form, _("The period is created.")) as step:
                    services.create_period(request.user, study_campaign, **period_form.cleaned_data)
                if step.ok:
                    return redirect("study:campaign", pk=study_campaign.pk)
    own, children = queries.season(study_campaign, org)
    rates = queries.period_rates(study_campaign, org)
    return render(
        request,
        "study/campaign.html",
        {
            "title": study_campaign.title,
            "campaign": study_campaign,
            "span": queries.span_of(study_campaign),
            "org": org,
            "own": own,
            "children": [(row, queries.tier_of(study_campaign, row.rate)) for row in children],
            "rates": [(p, row, is_offered(p, study_campaign)) for p, row in rates],
            "may_change": may_change,
            "question_form": question_form,
            "period_form": period_form,
            "question_count": Question.objects.filter(campaign=study_campaign).count(),
            "chart": {
                "labels": [str(p.number) for p, _r in rates],
                "rates": [round(r.rate * 100, 1) if r.rate is not None else None for _p, r in rates],
            },
            "tier": queries.tier_of(study_campaign, own.rate),
        },
    )


def _changeable_campaign(request: HttpRequest, pk: int) -> StudyCampaign:
    """A campaign of an organisation the user changes (404 for anyone else, those who only see it included)."""
    return get_changeable_or_404(request, StudyCampaign.objects.select_related("organization"), pk)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a campaign's title, audience (until a period has opened) or tiers, and deactivate it; reactivate a
    deactivated one."""
    study_campaign = _changeable_campaign(request, pk)
    now = timezone.now()
    opened = StudyPeriod.objects.filter(campaign=study_campaign, opens_at__lte=now).exists()
    form = None
    if study_campaign.active:
        initial = {
            "title": study_campaign.title,
            "audience_statuses": study_campaign.statuses,
            "tiers_enabled": study_campaign.tiers_enabled,
            "tier_thresholds": study_campaign.tier_thresholds,
        }
        form = CampaignEditForm(request.POST or None, initial=initial, audience_fixed=opened)
        if request.method == "POST" and form.is_valid():
            with form_step(request, form, _("The campaign is saved."), denied_as_404=True) as step:
                services.update_campaign(request.user, study_campaign, **form.cleaned_data)
            if step.ok:
                return redirect("study:campaign", pk=study_campaign.pk)
    periods = StudyPeriod.objects.filter(campaign=study_campaign)
    return render(
        request,
        "study/campaign_edit.html",
        {
            "title": _("Edit the campaign"),
            "campaign": study_campaign,
            "form": form,
            "cancel_url": reverse("study:campaign", args=[study_campaign.pk]),
            "open_now": periods.filter(opens_at__lte=now, closes_at__gt=now).count(),
            "to_open": periods.filter(opens_at__gt=now).count(),
        },
    )


@login_required
@require_POST
def campaign_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    study_campaign = _changeable_campaign(request, pk)
    done = _("The campaign is deactivated: its periods not yet open are withdrawn; those open stay answerable until "
             "they close.")  # fmt: skip
    with page_step(request, done):
        services.deactivate_campaign(request.user, study_campaign)
    return redirect("study:campaign", pk=study_campaign.pk)


@login_required
@require_POST
def campaign_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a deactivation (the same people and the same question first as to deactivate)."""
    study_campaign = _changeable_campaign(request, pk)
    done = _("The campaign is active again: its withdrawn periods are offered to members again.")
    with page_step(request, done):
        services.reactivate_campaign(request.user, study_campaign)
    return redirect("study:campaign", pk=study_campaign.pk)


def _period(request: HttpRequest, pk: int) -> StudyPeriod:
    require_role(request)
    visible = queries.visible_campaigns(request.user)
    return get_object_or_404(
        StudyPeriod.objects.filter(campaign__in=visible).select_related("campaign__organization"), pk=pk
    )


def _not_taken_part(request: HttpRequest, study_period: StudyPeriod, org: Organization) -> list[Any] | None:
    """For a branch the user changes (her own): its members who have not taken part; None elsewhere."""
    if org.kind != OrgKind.BRANCH or not scope_for(request.user, CHANGE).covers_path(org.path):
        return None
    return list(queries.not_taken_part(study_period, org)[:500])


@login_required
def drill(request: HttpRequest, pk: int) -> HttpResponse:
    study_period = _period(request, pk)
    org = _start_org(request, study_period.campaign)
    own, children = queries.drill_down(study_period, org)
    campaign_obj = study_period.campaign
    top = len(path_ids(campaign_obj.org_path))
    return render(
        request,
        "study/drill.html",
        {
            "title": str(study_period),
            "period": study_period,
            "org": org,
            "own": own,
            "children": [(row, queries.tier_of(campaign_obj, row.rate)) for row in children],
            "missing": _not_taken_part(request, study_period, org),
            "may_change": scope_for(request.user, CHANGE).covers_path(study_period.org_path),
            "ancestors": Organization.objects.filter(pk__in=path_ids(org.path)[top - 1 : -1])
            .visible_to(request.user)
            .order_by("path"),
        },
    )


@login_required
@reads_from_replica
def drill_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    study_period = _period(request, pk)
    org = _start_org(request, study_period.campaign)
    own, children = queries.drill_down(study_period, org)
    headers = [_("Organisation"), _("Members"), _("Participants"), _("Not taken part"), _("Participation rate")]
    rows: list[list[Any]] = [
        [r.organization.name, r.members, r.participants, r.missing, r.percent] for r in [own, *children]
    ]
    missing = _not_taken_part(request, study_period, org)
    audit = None
    if missing is not None:
        rows.append([])
        rows.append([_("Members who have not taken part")])
        rows.extend([[person.name] for person in missing])
        audit = {"fields": "name", "filters": {"period": study_period.pk, "org": org.pk}, "org_path": org.path}
    filename = f"study-{study_period.campaign_id}-{study_period.number}-{org.pk}.xlsx"
    return xlsx_table_response(
        request, filename, re.sub(r"[\[\]:*?/\\]", " ", str(study_period))[:31], headers, rows, audit=audit
    )


@login_required
@require_POST
def import_participations(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the national platform's participation export for this period: the import engine checks it (the
    matched rows, the unmatched ones reported) and nothing is written until the preview is confirmed."""
    study_period = _period(request, pk)
    scope = scope_for(request.user, CHANGE)
    if not scope.has_subtrees:
        raise Http404
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("Choose the platform's export file."))
        return redirect("study:drill", pk=study_period.pk)
    try:
        check_size(file.size or 0, settings.TONGXIN_IMPORT_MAX_BYTES)
        job = imports.create_job(
            request.user,
            kind="study_participation",
            file_name=file.name or "",
            content=file.read(),
            options={"period_id": study_period.pk},
            org_path=scope.common_prefix(STEP_WIDTH),
        )
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("study:drill", pk=study_period.pk)
    tasks.start_check(job, first=True)
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    study_period = _period(request, pk)
    file = request.FILES.get("video")
    with page_step(request, _("The video is uploaded.")):
        if file is None:
            raise DomainError("video", _("Choose a video file."))
        if file.size and file.size > services.video_max_bytes():
            raise DomainError(
                "video",
                _("The video is larger than the limit of %(mb)s MB.")
                % {"mb": f"{services.video_max_bytes() / 1024 / 1024:g}"},
            )
        services.upload_video(request.user, study_period, file_name=file.name or "", content=file.read())
    return redirect("study:drill", pk=study_period.pk)


# --- study notes (微心得) ---------------------------------------------------------------------------------------

NOTES_PAGE_SIZE = 20
BRANCHES_PAGE_SIZE = 30


class NoteForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your note"),
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Plain text, at most 1000 characters. Sharing a note is up to you."),
    )
    image = forms.FileField(
        label=gettext_lazy("Image (optional, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


class CommentForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Comment"), max_length=COMMENT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )


class HideForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for hiding"), max_length=REASON_MAX_CHARS)


def _can_post(request: HttpRequest) -> bool:
    person = getattr(request.user, "person", None)
    return person is not None and person.branch_id is not None


@login_required
def notes(request: HttpRequest) -> HttpResponse:
    """The notes the user reads (his branch's as a member; those of his subtrees as a role holder), newest first,
    and the form to share one (members of a branch)."""
    if not _can_post(request) and not has_role(request):
        raise Http404
    form = NoteForm(request.POST or None, request.FILES or None) if _can_post(request) else None
    if request.method == "POST":
        if form is None:
            form = NoteForm(request.POST, request.FILES)  # shows why: the service refuses a user without a branch
        if form.is_valid():
            upload = form.cleaned_data.get("image")
            image = (upload.name or "", upload.read()) if upload else None
            with form_step(request, form, _("Your note is shared with your branch.")) as step:
                note_row = services.post_note(request.user, text=form.cleaned_data["text"], image=image)
            if step.ok:
                return redirect("study:note", pk=note_row.pk)
    qs = queries.visible_notes(request.user)
    featured_only = request.GET.get("featured") == "1"
    hidden_only = not featured_only and has_role(request) and request.GET.get("hidden") == "1"
    if featured_only:
        qs = qs.filter(status=NoteStatus.FEATURED)
    if hidden_only:  # role holders review what they hid (a member sees only his own hidden notes anyway)
        qs = qs.filter(status=NoteStatus.HIDDEN)
    page = keyset_page(qs, queries.NOTE_KEYS, request.GET.get("cursor"), NOTES_PAGE_SIZE, descending=True)
    ids = [n.pk for n in page.rows]
    with_image = set(StudyNoteImage.objects.filter(note_id__in=ids).values_list("note_id", flat=True))
    comments = dict(
        StudyNoteComment.objects.filter(note_id__in=ids).order_by().values_list("note_id").annotate(n=Count("id"))
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "study/notes.html",
        {
            "title": _("Study notes"),
            "form": form,
            "rows": [(n, n.pk in with_image, comments.get(n.pk, 0)) for n in page.rows],
            "page": page,
            "query": query.urlencode(),
            "featured_only": featured_only,
            "hidden_only": hidden_only,
            "is_role_holder": has_role(request),
        },
    )


def _note(request: HttpRequest, pk: int) -> StudyNote:
    return get_scoped_or_404(request, queries.visible_notes(request.user), pk)


@login_required
def note(request: HttpRequest, pk: int) -> HttpResponse:
    row = _note(request, pk)
    moderates = queries.may_moderate(request.user, row)
    own = getattr(request.user, "person_id", None) == row.author_id
    return render(
        request,
        "study/note.html",
        {
            "title": _("Study note"),
            "note": row,
            "has_image": StudyNoteImage.objects.filter(note=row).exists(),
            "comments": row.comments.select_related("author"),
            "comment_form": CommentForm() if row.status != NoteStatus.HIDDEN else None,
            "hide_form": HideForm(),
            "moderates": moderates and services.NOTES.four_eyes_allow(request.user, row, "feature"),
            "own": own,
        },
    )


@login_required
def note_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The note's image, for those who read the note only."""
    image = StudyNoteImage.objects.visible_to(request.user).filter(note_id=pk).first()
    if image is None:
        raise Http404
    return uploads.serve_upload(bytes(image.content), image.content_type, image.file_name)


@login_required
@require_POST
def note_comment(request: HttpRequest, pk: int) -> HttpResponse:
    row = _note(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        with page_step(request, _("Your comment is added.")):
            services.comment_on_note(request.user, row, text=form.cleaned_data["text"])
    else:
        flash_form_errors(request, form)
    return redirect("study:note", pk=row.pk)


NOTE_STEPS: dict[str, tuple[Callable[..., StudyNote], Any]] = {
    "feature": (services.feature_note, gettext_lazy("The note is featured.")),
    "unfeature": (services.unfeature_note, gettext_lazy("The note is no longer featured.")),
    "hide": (services.hide_note, gettext_lazy("The note is hidden from the branch.")),
    "restore": (services.restore_note, gettext_lazy("The note is shown to the branch again.")),
}


def _note_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    row = _note(request, pk)
    service, done = NOTE_STEPS[step]
    extra: dict[str, Any] = {}
    if step == "hide":
        form = HideForm(request.POST)
        if not form.is_valid():
            flash_form_errors(request, form)
            return redirect("study:note", pk=row.pk)
        extra["reason"] = form.cleaned_data["reason"]
    with page_step(request, str(done)):
        service(request.user, row, **extra)
    return redirect("study:note", pk=row.pk)


@login_required
@require_POST
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = _note(request, pk)
    with page_step(request, _("Your note is deleted.")):
        services.delete_note(request.user, row)
        return redirect("study:notes")
    return redirect("study:note", pk=row.pk)


@login_required
def note_counts(request: HttpRequest) -> HttpResponse:
    """For role holders: notes posted and featured per branch of a subtree in a month (the current one by
    default), branches by name. A count to read, never a target: no branch and no person is ranked."""
    scope = require_role(request)
    org_id = params.parse_id(request.GET.get("org"))
    if org_id is not None:
        org = get_scoped_or_404(request, Organization, org_id)
    else:
        first = scope.prefixes[0] if scope.prefixes else ""
        org = get_object_or_404(Organization, pk=path_ids(first)[-1]) if first else None
        if org is None:  # everything: the tree's root
            org = get_object_or_404(Organization.objects.filter(parent__isnull=True).order_by("path")[:1])
    month = params.month_param(request)
    branches = queries.subtree_branches(org)
    total = branches.count()
    jump = params.parse_int(request.GET.get("page"))
    page = keyset_page(branches, queries.BRANCH_KEYS, request.GET.get("cursor"), BRANCHES_PAGE_SIZE, total=total,
                       jump=jump)  # fmt: skip
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("page", None)
    return render(
        request,
        "study/note_counts.html",
        {
            "title": _("Study notes by branch"),
            "org": org,
            "month": month,
            "rows": queries.note_counts(page.rows, month),
            "totals": queries.subtree_note_totals(org, month),
            "branch_count": total,
            "scopes": list(queries.count_scopes(request.user)),
            "page": page,
            "query": query.urlencode(),
        },
    )
