"""Recruitment pages (团员发展): the list by stage, a new application, and the record's page with its timeline
and the form of its next step only. Every write goes through ``services.recruitment``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.core.actors import actor_name
from tongxin.core.exceptions import DomainError
from tongxin.core.masking import mask_id_number, mask_phone
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import form_step, get_scoped_or_404, page_step, require_role
from tongxin.lifecycle.forms import (
    RecruitmentApplyForm,
    RecruitmentStepForm,
    RecruitmentTrainingForm,
    RecruitmentVoteForm,
    RecruitmentWithdrawForm,
)
from tongxin.lifecycle.models import Recruitment, RecruitmentStage
from tongxin.lifecycle.services import recruitment as services
from tongxin.lifecycle.views.steps import state_tabs, step_refused

PAGE_SIZE = 50

# The label of each step's date field and button.
STEP_FORMS: dict[str, tuple[Any, Any]] = {
    "name_activist": (gettext_lazy("Date the branch committee named the activist"),
                      gettext_lazy("Name as activist")),
    "choose_candidate": (gettext_lazy("Date the branch committee chose the candidate"),
                         gettext_lazy("Choose as candidate")),
    "precheck": (gettext_lazy("Date of the committee's pre-check"), gettext_lazy("Record the pre-check")),
    "record_vote": (None, gettext_lazy("Record the vote")),
    "approve": (gettext_lazy("Date of the committee's approval"), gettext_lazy("Approve")),
    "record_oath": (gettext_lazy("Date of the oath"), gettext_lazy("Record the oath")),
}  # fmt: skip


def _may_apply(user: Any) -> bool:
    change = scope_for(user, CHANGE)
    return change.has_subtrees


@login_required
def recruitment_list(request: HttpRequest) -> HttpResponse:
    """Recruitments in the user's subtrees, by stage (with counts) or waiting for the user's step."""
    require_role(request)
    visible = Recruitment.objects.visible_to(request.user)
    tab, qs, tabs = state_tabs(request, visible, services.waiting_for(request.user), "stage", RecruitmentStage)
    page = Paginator(qs.select_related("branch").order_by("-updated_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "tab": tab,
        "tabs": tabs,
        "can_apply": _may_apply(request.user),
        "title": _("Recruitment"),
    }
    return render(request, "lifecycle/recruitment/list.html", context)


@login_required
def recruitment_new(request: HttpRequest) -> HttpResponse:
    """Record a written application received by a branch in the user's scope."""
    if not _may_apply(request.user):
        raise Http404
    initial = {"applied_on": timezone.localdate()}
    form = RecruitmentApplyForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _("The application of %(name)s was recorded.") % {"name": data["name"]}
        with form_step(request, form, done, denied_as_404=True) as step:
            recruitment = services.apply(
                request.user, branch=data["branch"], name=data["name"], id_number=data["id_number"],
                phone=data["phone"], applied_on=data["applied_on"],
            )  # fmt: skip
        if step.ok:
            return redirect("lifecycle:recruitment_detail", pk=recruitment.pk)
    context = {
        "form": form,
        "title": _("New application to join the League"),
        "intro": _("Record the written application the branch received. The applicant is 14 to 28 years old on "
                   "the application date; they join the roster when the committee approves."),
        "submit_label": _("Record the application"),
        "cancel_url": reverse("lifecycle:recruitments"),
    }  # fmt: skip
    return render(request, "form_page.html", context)


def _visible(request: HttpRequest, pk: int) -> Recruitment:
    return get_scoped_or_404(
        request, Recruitment.objects.select_related("branch", "sponsor_1", "sponsor_2", "person"), pk
    )


def _timeline(recruitment: Recruitment) -> list[dict[str, Any]]:
    """Each step done: its label, date, who recorded it and what it recorded."""
    users = {
        user.pk: actor_name(user)
        for user in get_user_model()
        .objects.select_related("person")
        .filter(pk__in=[v for v in recruitment.actors.values() if v])
    }
    r = recruitment
    rows: list[tuple[str, Any, Any, str]] = [
        ("apply", _("Written application"), r.applied_on, ""),
        ("name_activist", _("Named activist"), r.activist_on, ""),
        ("choose_candidate", _("Chosen as candidate"), r.candidate_on,
         _("%(hours)s League class hours") % {"hours": services.format_hours(r.training_hours)}),
        ("precheck", _("Pre-checked by the committee"), r.prechecked_on, ""),
        ("record_vote", _("Branch general meeting"), r.meeting_on,
         _("%(present)s of %(expected)s members present; %(for)s for, %(against)s against; sponsors %(s1)s and %(s2)s")
         % {"present": r.members_present, "expected": r.members_expected, "for": r.votes_for,
            "against": r.votes_against, "s1": r.sponsor_1.name if r.sponsor_1 else "",
            "s2": r.sponsor_2.name if r.sponsor_2 else ""} if r.meeting_on else ""),
        ("approve", _("Approved by the committee"), r.approved_on,
         _("Member number %(number)s") % {"number": r.league_number} if r.league_number else ""),
        ("record_oath", _("Oath taken"), r.oath_on, ""),
    ]  # fmt: skip
    return [
        {"label": label, "on": on, "by": users.get(recruitment.actors.get(step) or 0, ""), "note": note}
        for step, label, on, note in rows
        if on
    ]


def _step_form(recruitment: Recruitment, step: str, data: Any = None) -> Any:
    if step == "record_vote":
        return RecruitmentVoteForm(data, sponsors=services.sponsor_choices(recruitment).order_by("name_pinyin"),
                                   initial={"on": timezone.localdate()}, prefix="step")  # fmt: skip
    form = RecruitmentStepForm(data, initial={"on": timezone.localdate()}, prefix="step")
    form.fields["on"].label = STEP_FORMS[step][0]
    return form


def _training_form(recruitment: Recruitment, data: Any = None) -> RecruitmentTrainingForm:
    return RecruitmentTrainingForm(data, initial={"hours": recruitment.training_hours}, prefix="training")


def _render_detail(
    request: HttpRequest,
    recruitment: Recruitment,
    *,
    step_form: Any = None,
    training_form: Any = None,
    withdraw_form: Any = None,
) -> HttpResponse:
    step = services.NEXT_STEP.get(recruitment.stage)
    can_step = bool(step) and services.may_act(request.user, recruitment, step or "")
    can_branch = services.may_act(request.user, recruitment, "withdraw")
    activist = recruitment.stage == RecruitmentStage.ACTIVIST
    context = {
        "recruitment": recruitment,
        "masked_id_number": mask_id_number(recruitment.id_number),
        "masked_phone": mask_phone(recruitment.phone),
        "timeline": _timeline(recruitment),
        "step": step,
        "step_label": services.STEP_LABELS.get(step or ""),
        "step_button": STEP_FORMS[step][1] if step else "",
        "step_by_committee": step in services.COMMITTEE_STEPS,
        "can_step": can_step,
        "step_form": (step_form or _step_form(recruitment, step)) if can_step and step else None,
        "training_form": (training_form or _training_form(recruitment)) if activist and can_branch else None,
        "withdraw_form": (withdraw_form or RecruitmentWithdrawForm(prefix="withdraw"))
        if can_branch and recruitment.stage in services.WITHDRAWABLE_STAGES
        else None,
        "earliest_candidate": services.earliest_candidate_date(recruitment) if activist else None,
        "hours_required": rule("recruitment_training_hours"),
        "title": _("Recruitment of %(name)s") % {"name": recruitment.name},
    }
    return render(request, "lifecycle/recruitment/detail.html", context)


@login_required
def recruitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible(request, pk))


@login_required
@require_POST
def recruitment_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the record's next step (``step`` posted), or record the training hours (``step=record_training``)."""
    recruitment = _visible(request, pk)
    step = request.POST.get("step", "")
    if step == "record_training":
        form: Any = _training_form(recruitment, request.POST)
        if not form.is_valid():
            return _render_detail(request, recruitment, training_form=form)
        with page_step(request, _("The training hours were recorded.")):
            services.record_training(request.user, recruitment, hours=form.cleaned_data["hours"])
        return redirect("lifecycle:recruitment_detail", pk=recruitment.pk)
    refused = step_refused(request, services, recruitment, step, state=recruitment.stage,
                           steps=services.RECRUITMENT_STEPS, detail="lifecycle:recruitment_detail")  # fmt: skip
    if refused is not None:
        return refused
    form = _step_form(recruitment, step, request.POST)
    if not form.is_valid():
        return _render_detail(request, recruitment, step_form=form)
    data = form.cleaned_data
    try:
        if step == "record_vote":
            services.record_vote(
                request.user, recruitment, on=data["on"], sponsors=(data["sponsor_1"], data["sponsor_2"]),
                present=data["present"], votes_for=data["votes_for"], votes_against=data["votes_against"],
            )  # fmt: skip
        else:
            getattr(services, step)(request.user, recruitment, on=data["on"])
    except DomainError as exc:
        names = {"sponsors": "sponsor_1", "hours": None}
        for field, texts in exc.errors.items():
            target = names.get(field, field)
            for text in texts:
                form.add_error(target if target in form.fields else None, text)
        return _render_detail(request, recruitment, step_form=form)
    except PermissionDenied:
        raise Http404 from None
    done = {
        "name_activist": _("%(name)s was named an activist."),
        "choose_candidate": _("%(name)s was chosen as a candidate: the committee has been asked to pre-check."),
        "precheck": _("The pre-check of %(name)s was recorded: the branch may hold the general meeting."),
        "record_vote": _("The vote was recorded: the committee has been asked to approve %(name)s."),
        "approve": _("%(name)s is now a League member of the branch."),
        "record_oath": _("The oath of %(name)s was recorded: the recruitment is complete."),
    }
    messages.success(request, done[step] % {"name": recruitment.name})
    return redirect("lifecycle:recruitment_detail", pk=recruitment.pk)


@login_required
@require_POST
def recruitment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    recruitment = _visible(request, pk)
    if not services.may_act(request.user, recruitment, "withdraw"):
        raise Http404
    form = RecruitmentWithdrawForm(request.POST, prefix="withdraw")
    if not form.is_valid():
        return _render_detail(request, recruitment, withdraw_form=form)
    with page_step(request, _("The recruitment was withdrawn.")):
        services.withdraw(request.user, recruitment, reason=form.cleaned_data["reason"])
    return redirect("lifecycle:recruitment_detail", pk=recruitment.pk)
