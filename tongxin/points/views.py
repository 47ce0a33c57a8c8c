"""Points pages: the member's month on the phone (what earned or cost each point, the claim form), a claim
and its review, the branch's month (state of the cycle, distribution, members with no activity, publish,
objections, confirm at the general meeting)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.core import params, uploads
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import XlsxFileResponse, form_step, get_scoped_or_404, page_step, xlsx_table_response
from tongxin.orgs.models import Organization
from tongxin.people.models import Person
from tongxin.points import queries
from tongxin.points.meetings import general_meetings
from tongxin.points.models import Claim, ClaimStatus, CycleStatus, MonthCycle, Objection, ObjectionStatus
from tongxin.points.services import cycle as services


class ClaimForm(BootstrapFormMixin, forms.Form):
    rule = forms.ChoiceField(label=gettext_lazy("Item"))
    evidence = forms.CharField(label=gettext_lazy("Evidence"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=gettext_lazy("What you did, where and when."))  # fmt: skip
    photo = forms.FileField(label=gettext_lazy("Photo (optional)"), required=False)

    def __init__(self, *args: Any, versions: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v.rule_id, f"{v.name} ({v.points.normalize():+})") for v in versions]


class ReviewForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=[
        (ClaimStatus.ACCEPTED, gettext_lazy("Accept")), (ClaimStatus.ADJUSTED, gettext_lazy("Adjust")),
        (ClaimStatus.REJECTED, gettext_lazy("Reject")),
    ])  # fmt: skip
    points = forms.DecimalField(label=gettext_lazy("Points awarded (when adjusting)"), required=False,
                                max_digits=8, decimal_places=2, min_value=-1000, max_value=1000)  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)


class ObjectionForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=gettext_lazy("Your comment or objection"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class AnswerForm(BootstrapFormMixin, forms.Form):
    answer = forms.CharField(label=gettext_lazy("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def _member_or_none(request: HttpRequest) -> Person | None:
    person_id = getattr(request.user, "person_id", None)
    return Person.objects.filter(pk=person_id).select_related("branch").first() if person_id else None


def _not_a_member(request: HttpRequest) -> HttpResponse:
    """The member's pages for a user linked to no member record (a role holder): what they are for."""
    context = {"title": _("My points"),
               "text": _("Points are earned by members: your account is not linked to a member record.")}  # fmt: skip
    return render(request, "points/not_a_member.html", context)


def _can_change(request: HttpRequest, path: str) -> bool:
    return scope_for(request.user, CHANGE).covers_path(path)


# --- the member -----------------------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My points this month (and the months before), each entry with what earned or cost it."""
    person = _member_or_none(request)
    if person is None:
        return _not_a_member(request)
    month = params.month_param(request)
    data = queries.my_month(person, month)
    context = {
        "title": _("My points"), "person": person, "data": data, "labels": services.kind_labels(),
        "previous": (month - datetime.timedelta(days=1)).replace(day=1),
        "next": (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1),
        "can_claim": bool(services.claimable_versions(person, services.this_month())),
    }  # fmt: skip
    return render(request, "points/mine.html", context)


@login_required
def claim_new(request: HttpRequest) -> HttpResponse:
    """The member claims an item of this month (自评), with evidence; a photo only if the item asks for one."""
    person = _member_or_none(request)
    if person is None:
        return _not_a_member(request)
    versions = services.claimable_versions(person, services.this_month())
    if not versions:
        messages.info(request, _("Your branch's rules have no item to claim this month."))
        return redirect("points:mine")
    form = ClaimForm(request.POST or None, request.FILES or None, versions=versions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = None
        if data.get("photo"):
            upload = data["photo"]
            photo = (upload.name or "", upload.read(uploads.max_bytes() + 1))
        rule = next(v.rule for v in versions if str(v.rule_id) == str(data["rule"]))
        with form_step(request, form, _("Your claim is submitted: the secretary reviews it.")) as step:
            services.submit_claim(request.user, person=person, rule=rule, evidence=data["evidence"], photo=photo)
        if step.ok:
            return redirect("points:mine")
    context = {"form": form, "title": _("Claim points"), "submit_label": _("Submit the claim"),
               "cancel_url": reverse("points:mine"), "multipart": True}  # fmt: skip
    return render(request, "form_page.html", context, status=400 if form.errors else 200)


@login_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_scoped_or_404(request, Claim.objects.select_related("person", "version", "reviewed_by"), pk)
    may_review = (
        found.status == ClaimStatus.SUBMITTED
        and _can_change(request, found.org_path)
        and services.CLAIMS.four_eyes_allow(request.user, found, "review")
        and found.created_by_id != request.user.pk
    )
    context = {
        "title": _("Claim: %(item)s") % {"item": found.version.name}, "claim": found,
        "form": ReviewForm() if may_review else None,
        "may_withdraw": found.status == ClaimStatus.SUBMITTED
        and (getattr(request.user, "person_id", None) == found.person_id or _can_change(request, found.org_path)),
        "branch_url": (reverse("points:branch", args=[int(found.org_path[-8:])]) if _can_change(request, found.org_path)
                       else reverse("points:my_branch")) + f"?month={found.month:%Y-%m}",
    }  # fmt: skip
    return render(request, "points/claim.html", context)


@login_required
@require_POST
def claim_review(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_scoped_or_404(request, Claim, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("points:claim", pk=found.pk)
    data = form.cleaned_data
    with page_step(request, _("The claim is reviewed.")):
        services.review_claim(request.user, found, decision=data["decision"], points=data["points"],
                              reason=data["reason"])  # fmt: skip
    return redirect("points:claim", pk=found.pk)


@login_required
@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_scoped_or_404(request, Claim, pk)
    with page_step(request, _("The claim is withdrawn.")):
        services.withdraw_claim(request.user, found)
    return redirect("points:claim", pk=found.pk)


# --- the branch's month ---------------------------------------------------------------------------------------


@login_required
def branch(request: HttpRequest, pk: int) -> HttpResponse:
    """The branch's month: the cycle's state and steps, the scores and their distribution, claims to review,
    members with no activity, objections; the ranking only where the rules switched it on."""
    org = get_scoped_or_404(request, Organization, pk)
    if not org.holds_members:
        raise Http404
    return _branch_page(request, org, params.month_param(request))


def _branch_page(request: HttpRequest, org: Organization, month: datetime.date) -> HttpResponse:
    data = queries.branch_month(org, month)
    can_change = _can_change(request, org.path)
    status = data.status
    can_confirm = can_change and status == CycleStatus.PUBLISHED
    context = {
        "title": _("Points of %(org)s") % {"org": org.name}, "org": org, "data": data, "month": month,
        "previous": (month - datetime.timedelta(days=1)).replace(day=1),
        "next": (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1),
        "can_change": can_change,
        "can_publish": can_change and status == CycleStatus.OPEN and month <= services.this_month(),
        "can_confirm": can_confirm,
        "meetings": list(general_meetings(org.pk, month)[:10]) if can_confirm else [],
        "may_object": status == CycleStatus.PUBLISHED
        and getattr(request.user, "person_id", None) in {m.pk for m, _p, _n in data.rows},
        "objection_form": ObjectionForm(), "answer_form": AnswerForm(),
    }  # fmt: skip
    return render(request, "points/branch.html", context)


def _branch_url(cycle: MonthCycle) -> str:
    return reverse("points:branch", args=[cycle.organization_id]) + f"?month={cycle.month:%Y-%m}"


@login_required
@require_POST
def branch_act(request: HttpRequest, pk: int) -> HttpResponse:
    """publish, reopen or confirm the month named in the form."""
    org = get_scoped_or_404(request, Organization, pk)
    month = params.parse_month(request.POST.get("month")) or services.this_month()
    step = request.POST.get("step", "")
    url = reverse("points:branch", args=[org.pk]) + f"?month={month:%Y-%m}"
    if step not in ("publish", "reopen", "confirm"):
        messages.error(request, _("Choose what to do."))
        return redirect(url)
    done = {"publish": _("The month is published to the branch."), "reopen": _("The month is open again."),
            "confirm": _("The month is confirmed and locked.")}[step]  # fmt: skip
    with page_step(request, done):
        meeting_id = params.parse_id(request.POST.get("meeting")) or 0
        services.act_on_month(request.user, org, month, step, meeting_id=meeting_id)
    return redirect(url)


@login_required
def cycle(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_scoped_or_404(request, MonthCycle.objects.select_related("organization"), pk)
    return _branch_page(request, found.organization, found.month)


@login_required
def my_branch(request: HttpRequest) -> HttpResponse:
    """The member's branch's month: once published, its scores (线上评), where he may object."""
    person = _member_or_none(request)
    if person is None or person.branch is None:
        return _not_a_member(request)
    return _branch_page(request, person.branch, params.month_param(request))


@login_required
@require_POST
def objection_new(request: HttpRequest) -> HttpResponse:
    """A member objects to (or comments on) his branch's published month."""
    person = _member_or_none(request)
    if person is None:
        messages.error(request, _("Points are earned by members: your account is not linked to a member record."))
        return redirect("points:my_branch")
    month = params.parse_month(request.POST.get("month")) or services.this_month()
    found = MonthCycle.objects.filter(organization_id=person.branch_id or 0, month=month).first()
    if found is None:
        raise Http404
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is wrong."))
    else:
        with page_step(request, _("Your objection is sent to the secretary.")):
            services.object_to_month(request.user, found, text=form.cleaned_data["text"])
    return redirect(reverse("points:my_branch") + f"?month={month:%Y-%m}")


@login_required
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_scoped_or_404(request, Objection.objects.select_related("cycle__organization"), pk)
    return _branch_page(request, found.cycle.organization, found.cycle.month)


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_scoped_or_404(request, Objection.objects.select_related("cycle"), pk)
    if not _can_change(request, found.org_path) or found.status != ObjectionStatus.OPEN:
        raise Http404
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer."))
        return redirect(_branch_url(found.cycle))
    with page_step(request, _("The objection is answered.")):
        services.answer_objection(request.user, found, answer=form.cleaned_data["answer"])
    return redirect(_branch_url(found.cycle))


# --- a subtree's months (the committee above) -----------------------------------------------------------------


@login_required
def subtree(request: HttpRequest, pk: int) -> HttpResponse:
    """The branches of an organisation's subtree in one month: average points, the month before, the cycle's
    state, and the branches whose reviewing looks nominal (flagged for the committee)."""
    org = get_scoped_or_404(request, Organization, pk)
    month = params.month_param(request)
    context = {
        "title": _("Points in %(org)s") % {"org": org.name}, "org": org, "month": month,
        "rows": queries.subtree_months(org, month),
        "previous": (month - datetime.timedelta(days=1)).replace(day=1),
        "next": (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1),
    }  # fmt: skip
    return render(request, "points/subtree.html", context)


@login_required
def subtree_export(request: HttpRequest, pk: int) -> XlsxFileResponse:
    org = get_scoped_or_404(request, Organization, pk)
    month = params.month_param(request)
    headers = [_("Branch"), _("Members"), _("Scored"), _("Average"), _("Month before"), _("State"),
               _("Claims reviewed"), _("Accepted as claimed"), _("Review looks nominal")]  # fmt: skip
    rows = [
        [r.branch.name, r.members, r.scored, float(r.average) if r.average is not None else "",
         float(r.previous) if r.previous is not None else "", r.status_label, r.reviewed, r.as_claimed,
         _("Yes") if r.flagged else ""]
        for r in queries.subtree_months(org, month)
    ]  # fmt: skip
    # counts and averages only: no personal data, so no access-log row
    return xlsx_table_response(request, f"points-{month:%Y-%m}.xlsx", f"{month:%Y-%m}", headers, rows)
