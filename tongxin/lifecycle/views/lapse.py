"""Lapse case pages (自行脱团): proposing a member of the lapse list (from the list, one form per member), the
cases by tab, and a case's page with the committee's approval or rejection. Every write goes through
``services.lapse``; the lapse list itself is the orglife app's page, where this app puts its buttons
(``register_page_part`` in ``LifecycleConfig.ready()``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.views import form_step, get_changeable_or_404, get_scoped_or_404, page_step, require_role
from tongxin.lifecycle.forms import LapseProposeForm, RejectForm
from tongxin.lifecycle.models import LapseCase, LapseStatus
from tongxin.lifecycle.services import lapse as services
from tongxin.lifecycle.views.steps import state_tabs
from tongxin.people.models import Person

PAGE_SIZE = 50


@login_required
def lapse_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the branch meeting's decision on a member of the lapse list (the branch side)."""
    person = get_changeable_or_404(request, Person.objects.select_related("branch"), pk)
    form = LapseProposeForm(request.POST or None, initial={"meeting_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        done = _("The lapse of %(name)s was proposed: the committee above the branch has been asked to approve.") % {
            "name": person.name
        }
        with form_step(request, form, done, denied_as_404=True) as step:
            case = services.propose(request.user, person=person, meeting_on=form.cleaned_data["meeting_on"],
                                    note=form.cleaned_data["note"])  # fmt: skip
        if step.ok:
            return redirect("lifecycle:lapse_case", pk=case.pk)
    shown = services.listed(person)
    existing = services.open_case(person)
    context = {
        "form": form,
        "person": person,
        "shown": shown,
        "problem": services.not_listed_message(person) if shown is None else "",
        "existing": existing,
        "title": _("Lapse of %(name)s (自行脱团)") % {"name": person.name},
        "cancel_url": reverse("orglife:lapse") + f"?org={person.branch_id}",
    }
    return render(request, "lifecycle/lapse/propose.html", context)


@login_required
def lapse_cases(request: HttpRequest) -> HttpResponse:
    require_role(request)
    visible = LapseCase.objects.visible_to(request.user)
    tab, qs, tabs = state_tabs(request, visible, services.waiting_for(request.user), "status", LapseStatus)
    page = Paginator(qs.select_related("person", "branch").order_by("-proposed_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "tab": tab,
        "tabs": tabs,
        "title": _("Lapse cases (自行脱团)"),
        "lapse_url": reverse("orglife:lapse"),
    }
    return render(request, "lifecycle/lapse/list.html", context)


def _visible(request: HttpRequest, pk: int) -> LapseCase:
    related = ("person", "branch", "proposed_by__person", "decided_by__person")
    return get_scoped_or_404(request, LapseCase.objects.select_related(*related), pk)


def _may_decide(user: Any, case: LapseCase) -> bool:
    """Whether the page shows the committee's buttons: above the branch, not his own case nor his proposal."""
    return (
        case.status == LapseStatus.PROPOSED
        and services.may_decide(user, case)
        and services.LAPSES.four_eyes_allow(user, case, "approve")
        and case.proposed_by_id != user.pk
    )


@login_required
def lapse_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible(request, pk)
    may_decide = _may_decide(request.user, case)
    context = {
        "case": case,
        "may_decide": may_decide,
        "reject_form": RejectForm() if may_decide else None,
        "title": _("Lapse of %(name)s (自行脱团)") % {"name": case.person.name},
    }
    return render(request, "lifecycle/lapse/detail.html", context)


def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The committee's POSTed step (``lapse/<pk>/approve/``, ``lapse/<pk>/reject/``)."""
    case = _visible(request, pk)
    if action == "approve":
        done = _("Approved: %(name)s has left the League (自行脱团).") % {"name": case.person.name}
        with page_step(request, done):
            services.approve(request.user, case)
    else:
        with page_step(request, _("The lapse was rejected: %(name)s stays a member.") % {"name": case.person.name}):
            services.reject(request.user, case, reason=request.POST.get("reason", ""))
    return redirect("lifecycle:lapse_case", pk=case.pk)


def lapse_list_cases(request: HttpRequest, people: list[Person]) -> dict[str, Any]:
    """The lapse list's part (``page_context("orglife:lapse", …)``): marks each member of the page with his open
    case or whether the user may propose him (one query), which ``lifecycle/lapse/_row_action.html`` shows."""
    services.mark_open_cases(request.user, list(people))
    return {}
