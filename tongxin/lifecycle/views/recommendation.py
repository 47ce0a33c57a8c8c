"""Party recommendation pages (推优入党): the list by status, proposing a member from their page, and the
record's page with the form of its next step. Every write goes through ``services.recommendation``."""

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
from tongxin.core.views import form_step, get_changeable_or_404, get_scoped_or_404, page_step, require_role
from tongxin.lifecycle.forms import (
    RecommendationOutcomeForm,
    RecommendationProposeForm,
    RecommendationStepForm,
    RecommendationVoteForm,
)
from tongxin.lifecycle.models import PartyRecommendation, RecommendationStatus
from tongxin.lifecycle.services import recommendation as services
from tongxin.lifecycle.views.steps import state_tabs, step_refused
from tongxin.people.models import Person

PAGE_SIZE = 50

STEP_DATE_LABELS = {
    "approve": gettext_lazy("Date of the committee's approval"),
    "hand_over": gettext_lazy("Date of the hand-over"),
}
STEP_BUTTONS = {
    "record_vote": gettext_lazy("Record the ballot"),
    "approve": gettext_lazy("Approve"),
    "hand_over": gettext_lazy("Hand over"),
    "record_outcome": gettext_lazy("Record the decision"),
}


@login_required
def recommendation_list(request: HttpRequest) -> HttpResponse:
    require_role(request)
    visible = PartyRecommendation.objects.visible_to(request.user)
    tab, qs, tabs = state_tabs(request, visible, services.waiting_for(request.user), "status", RecommendationStatus)
    page = Paginator(qs.select_related("person", "branch").order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "tab": tab,
        "tabs": tabs,
        "title": _("Party recommendation"),
    }
    return render(request, "lifecycle/recommendation/list.html", context)


@login_required
def recommendation_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose the member for recommendation to the Party (the branch side, from the member's page)."""
    person = get_changeable_or_404(request, Person.objects.select_related("branch"), pk)
    form = RecommendationProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _("%(name)s was proposed: the branch general meeting holds the ballot.") % {"name": person.name}
        with form_step(request, form, done, denied_as_404=True) as step:
            rec = services.propose(request.user, person=person,
                                   party_application_on=form.cleaned_data["party_application_on"])  # fmt: skip
        if step.ok:
            return redirect("lifecycle:recommendation_detail", pk=rec.pk)
    problems = services.eligibility_problems(person, None).get("person", [])
    members, places, taken = services.quota(person.branch) if person.branch else (0, 0, 0)
    context = {
        "form": form,
        "person": person,
        "problems": problems,
        "quota": {"members": members, "places": places, "taken": taken},
        "title": _("Recommend %(name)s to the Party") % {"name": person.name},
        "cancel_url": reverse("people:detail", args=[person.pk]),
    }
    return render(request, "lifecycle/recommendation/propose.html", context)


def _visible(request: HttpRequest, pk: int) -> PartyRecommendation:
    return get_scoped_or_404(request, PartyRecommendation.objects.select_related("person", "branch", "party_org"), pk)


def _step_form(step: str, data: Any = None) -> Any:
    initial = {"on": timezone.localdate()}
    if step == "record_vote":
        return RecommendationVoteForm(data, initial=initial, prefix="step")
    if step == "record_outcome":
        return RecommendationOutcomeForm(data, initial=initial, prefix="step")
    form = RecommendationStepForm(data, initial=initial, prefix="step")
    form.fields["on"].label = STEP_DATE_LABELS[step]
    return form


def _render_detail(request: HttpRequest, rec: PartyRecommendation, step_form: Any = None) -> HttpResponse:
    step = services.NEXT_STEP.get(rec.status)
    can_step = bool(step) and services.may_act(request.user, rec, step or "")
    users = {
        user.pk: actor_name(user)
        for user in get_user_model()
        .objects.select_related("person")
        .filter(pk__in=[v for v in rec.actors.values() if v])
    }
    rows = [
        ("propose", _("Proposed by the branch"), timezone.localtime(rec.created_at).date(),
         _("Party application filed on %(date)s") % {"date": rec.party_application_on.isoformat()}),
        ("record_vote", _("Secret ballot of the branch general meeting"), rec.meeting_on,
         _("%(for)s for, %(against)s against, of %(expected)s expected voters")
         % {"for": rec.votes_for, "against": rec.votes_against, "expected": rec.voters_expected}
         if rec.meeting_on else ""),
        ("approve", _("Approved by the committee"), rec.approved_on, ""),
        ("hand_over", _("Handed over"), rec.handed_over_on, rec.party_org.name if rec.party_org else ""),
        ("record_outcome", rec.get_status_display(), rec.outcome_on, ""),
    ]  # fmt: skip
    timeline = [
        {"label": label, "on": on, "by": users.get(rec.actors.get(key) or 0, ""), "note": note}
        for key, label, on, note in rows
        if on
    ]
    paired = services.paired_party_org(rec.branch) if step == "hand_over" else None
    context = {
        "rec": rec,
        "timeline": timeline,
        "step": step,
        "step_label": services.STEP_LABELS.get(step or ""),
        "step_button": STEP_BUTTONS.get(step or ""),
        "step_form": (step_form or _step_form(step)) if can_step and step else None,
        "paired": paired,
        "can_withdraw": rec.status in services.OPEN_STATUSES and services.may_act(request.user, rec, "withdraw"),
        "title": _("Party recommendation of %(name)s") % {"name": rec.person.name},
    }
    return render(request, "lifecycle/recommendation/detail.html", context)


@login_required
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible(request, pk))


@login_required
@require_POST
def recommendation_act(request: HttpRequest, pk: int) -> HttpResponse:
    rec = _visible(request, pk)
    step = request.POST.get("step", "")
    refused = step_refused(request, services, rec, step, state=rec.status, steps=services.RECOMMENDATION_STEPS,
                           detail="lifecycle:recommendation_detail")  # fmt: skip
    if refused is not None:
        return refused
    form = _step_form(step, request.POST)
    if not form.is_valid():
        return _render_detail(request, rec, form)
    data = form.cleaned_data
    try:
        if step == "record_vote":
            services.record_vote(request.user, rec, on=data["on"], voters_expected=data["voters_expected"],
                                 votes_for=data["votes_for"], votes_against=data["votes_against"])  # fmt: skip
        elif step == "record_outcome":
            services.record_outcome(request.user, rec, admitted=data["admitted"], on=data["on"])
        elif step == "hand_over":
            services.hand_over(request.user, rec, on=data["on"])
        else:
            services.approve(request.user, rec, on=data["on"])
    except DomainError as exc:
        exc.add_to_form(form)
        return _render_detail(request, rec, form)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Recorded."))
    return redirect("lifecycle:recommendation_detail", pk=rec.pk)


@login_required
@require_POST
def recommendation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    rec = _visible(request, pk)
    if not services.may_act(request.user, rec, "withdraw"):
        raise Http404
    with page_step(request, _("The recommendation was withdrawn.")):
        services.withdraw(request.user, rec)
    return redirect("lifecycle:recommendation_detail", pk=rec.pk)
