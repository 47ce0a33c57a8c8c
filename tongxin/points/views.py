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
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.filters import MonthField
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, MANAGE, scope_for
from tongxin.core.views import (
    XlsxFileResponse,
    flash_form_errors,
    form_step,
    get_scoped_or_404,
    page_step,
    xlsx_table_response,
)
from tongxin.orgs.models import Organization
from tongxin.people.models import Person
from tongxin.points import queries
from tongxin.points.meetings import general_meetings
from tongxin.points.models import (
    POINTS_LIMIT,
    Claim,
    Claimant,
    ClaimStatus,
    CycleStatus,
    MonthCycle,
    Objection,
    ObjectionStatus,
    PointEntry,
    Rule,
    RuleSet,
)
from tongxin.points.services import cycle as services
from tongxin.points.services import ledger, rules


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
        flash_form_errors(request, form)
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
        "corrections": list(ledger.is_live(PointEntry.objects.filter(org_path=org.path, month=month))
                            .select_related("person", "version").order_by("person__name_pinyin", "id"))
        if can_change and status == CycleStatus.LOCKED else [],
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
    rows = queries.subtree_months(org, month)
    context = {
        "title": _("Points in %(org)s") % {"org": org.name}, "org": org, "month": month,
        "rows": rows, "trend": queries.subtree_trend(org, month, [r.branch for r in rows]),
        "previous": (month - datetime.timedelta(days=1)).replace(day=1),
        "next": (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1),
    }  # fmt: skip
    return render(request, "points/subtree.html", context)


@login_required
@reads_from_replica
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


# --- the rules (the committee edits them) ----------------------------------------------------------------------


def _next_month_text() -> str:
    return f"{ledger.next_month(services.this_month()):%Y-%m}"


class ItemForm(BootstrapFormMixin, forms.Form):
    rule = forms.ChoiceField(label=gettext_lazy("Item"), widget=forms.HiddenInput)  # chosen by ?rule= (the title)
    valid_from = forms.CharField(
        label=gettext_lazy("In force from (month)"), max_length=7,
        help_text=gettext_lazy("yyyy-mm. Months before it keep the rules they were scored with; a month already "
                               "published or locked cannot be reached."),
    )  # fmt: skip
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    points = forms.DecimalField(label=gettext_lazy("Points"), max_digits=8, decimal_places=2,
                                min_value=-POINTS_LIMIT, max_value=POINTS_LIMIT)  # fmt: skip
    cap_month = forms.DecimalField(label=gettext_lazy("Cap per month (empty: none)"), required=False, max_digits=8,
                                   decimal_places=2, min_value=0, max_value=POINTS_LIMIT)  # fmt: skip
    cap_year = forms.DecimalField(label=gettext_lazy("Cap per year (empty: none)"), required=False, max_digits=8,
                                  decimal_places=2, min_value=0, max_value=POINTS_LIMIT)  # fmt: skip
    claimant = forms.ChoiceField(label=gettext_lazy("Who claims"), choices=Claimant.choices)
    evidence_required = forms.BooleanField(label=gettext_lazy("Evidence required"), required=False)
    photo_required = forms.BooleanField(label=gettext_lazy("Photo required"), required=False)
    active = forms.BooleanField(label=gettext_lazy("In force"), required=False)

    def clean_valid_from(self) -> datetime.date | None:
        return MonthField().clean(self.cleaned_data["valid_from"])

    def __init__(self, *args: Any, items: list[Rule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(rule.pk, rule.key) for rule in items]


class ScoresForm(BootstrapFormMixin, forms.Form):
    valid_from = forms.CharField(label=gettext_lazy("In force from (month)"), max_length=7,
                                 help_text=gettext_lazy("yyyy-mm"))  # fmt: skip
    base_score = forms.DecimalField(label=gettext_lazy("Base score"), max_digits=8, decimal_places=2, min_value=0,
                                    max_value=POINTS_LIMIT)  # fmt: skip
    floor = forms.DecimalField(label=gettext_lazy("Floor"), max_digits=8, decimal_places=2, min_value=0,
                               max_value=POINTS_LIMIT)  # fmt: skip

    def clean_valid_from(self) -> datetime.date | None:
        return MonthField().clean(self.cleaned_data["valid_from"])


def _rule_items(rule_set: RuleSet, month: datetime.date) -> list[Rule]:
    """The items of ``rule_set``, each with ``current`` (its version in force in ``month``, retired included),
    ``upcoming`` (versions from a later month) and ``history`` (every version, newest first)."""
    items = list(rule_set.rules.prefetch_related("versions").order_by("key"))
    for rule in items:
        history = sorted(rule.versions.all(), key=lambda v: v.valid_from, reverse=True)
        rule.history = history  # type: ignore[attr-defined]
        rule.current = next((v for v in history if v.valid_from <= month), None)  # type: ignore[attr-defined]
        rule.upcoming = [v for v in history if v.valid_from > month]  # type: ignore[attr-defined]
    return items


def _managed_org(request: HttpRequest, pk: int) -> Organization:
    """The organisation ``pk`` for one of its admins (MANAGE); 404 to anyone else."""
    org = get_scoped_or_404(request, Organization, pk)
    if not scope_for(request.user, MANAGE).covers_path(org.path):
        raise Http404
    return org


def _source_name(rule_set: RuleSet) -> str:
    if not rule_set.org_path:
        return _("the district's default rules")
    return ledger.branch_of(rule_set.org_path).name


@login_required
def rules_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The rules in force for an organisation: its own or inherited (from where), the base score and floor
    with their versions, each item with its version in force and those to come; the admins' edit links."""
    org = get_scoped_or_404(request, Organization, pk)
    rule_set = rules.set_in_force(org)
    month = services.this_month()
    can_manage = scope_for(request.user, MANAGE).covers_path(org.path)
    own = rule_set is not None and rule_set.org_path == org.path
    context = {
        "title": _("Points rules of %(org)s") % {"org": org.name}, "org": org, "rule_set": rule_set,
        "own": own, "source": _source_name(rule_set) if rule_set is not None else "",
        "items": _rule_items(rule_set, month) if rule_set is not None else [],
        "scores": rules.scores_in_force(rule_set, month) if rule_set is not None else None,
        "score_versions": list(rule_set.versions.order_by("-valid_from")) if rule_set is not None else [],
        "can_edit": can_manage and rule_set is not None and rules.may_edit(request.user, rule_set),
        "can_override": can_manage and rule_set is not None and not own, "month": month,
        "labels": services.kind_labels(),
    }  # fmt: skip
    return render(request, "points/rules.html", context)


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version of an item from a month on (``?rule=`` picks the item and fills in what it says now)."""
    org = _managed_org(request, pk)
    rule_set = rules.set_in_force(org)
    if rule_set is None:
        raise Http404
    month = services.this_month()
    items = _rule_items(rule_set, month)
    chosen = next((r for r in items if str(r.pk) == request.GET.get("rule", "")), items[0] if items else None)
    initial: dict[str, Any] = {"valid_from": _next_month_text()}
    current = getattr(chosen, "current", None)
    if chosen is not None and current is not None:
        initial |= {"rule": chosen.pk, "name": current.name, "points": current.points, "cap_month": current.cap_month,
                    "cap_year": current.cap_year, "claimant": current.claimant,
                    "evidence_required": current.evidence_required, "photo_required": current.photo_required,
                    "active": current.active}  # fmt: skip
    form = ItemForm(request.POST or None, initial=initial, items=items)
    url = reverse("points:rules", args=[org.pk])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        rule_id, valid_from = int(data.pop("rule")), data.pop("valid_from")
        with form_step(request, form, _("The item's new version is saved."), denied_as_404=True) as step:
            rules.edit_item(request.user, org, rule=rule_id, valid_from=valid_from, **data)
        if step.ok:
            return redirect(url)
    name = current.name if current is not None else getattr(chosen, "key", "")
    intro = " ".join([
        _("The change is a new version from the month you give; the months before keep their rules."),
        _("The rules changed are those of %(source)s: every organisation that inherits them follows the change.")
        % {"source": _source_name(rule_set)},
    ])  # fmt: skip
    context = {"form": form, "title": _("Change “%(item)s”") % {"item": name}, "cancel_url": url, "intro": intro,
               "submit_label": _("Save the new version")}  # fmt: skip
    return render(request, "form_page.html", context, status=400 if form.errors else 200)


@login_required
def rule_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """New base score and floor from a month on."""
    org = _managed_org(request, pk)
    rule_set = rules.set_in_force(org)
    if rule_set is None:
        raise Http404
    base, floor = rules.scores_in_force(rule_set, services.this_month())
    form = ScoresForm(request.POST or None, initial={"valid_from": _next_month_text(), "base_score": base,
                                                     "floor": floor})  # fmt: skip
    url = reverse("points:rules", args=[org.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_step(request, form, _("The new base score and floor are saved."), denied_as_404=True) as step:
            rules.edit_scores(request.user, org, valid_from=data["valid_from"], base_score=data["base_score"],
                              floor=data["floor"])  # fmt: skip
        if step.ok:
            return redirect(url)
    intro = _("The rules changed are those of %(source)s: every organisation that inherits them follows the change.")
    context = {"form": form, "title": _("Change the base score and floor"), "cancel_url": url,
               "intro": intro % {"source": _source_name(rule_set)},
               "submit_label": _("Save the new version")}  # fmt: skip
    return render(request, "form_page.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def rules_override(request: HttpRequest, pk: int) -> HttpResponse:
    """This organisation's own rules for its subtree, copied from those it inherits."""
    org = _managed_org(request, pk)
    with page_step(request, _("This organisation has its own rules now, copied from those it inherited.")):
        rules.make_own(request.user, org)
    return redirect("points:rules", pk=org.pk)


# --- corrections of a locked month -----------------------------------------------------------------------------


class CorrectionForm(BootstrapFormMixin, forms.Form):
    how = forms.ChoiceField(label=gettext_lazy("Correction"), choices=[
        ("reverse", gettext_lazy("Reverse the entry")), ("adjust", gettext_lazy("Add or take away points")),
    ])  # fmt: skip
    points = forms.DecimalField(label=gettext_lazy("Points (when adding or taking away; negative takes away)"),
                                required=False, max_digits=8, decimal_places=2, min_value=-POINTS_LIMIT,
                                max_value=POINTS_LIMIT)  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


@login_required
def entry_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretary records a correction of an entry of a locked month (never of his own entries)."""
    entry = get_scoped_or_404(request, PointEntry.objects.select_related("person", "version"), pk)
    if not _can_change(request, entry.org_path):
        raise Http404
    form = CorrectionForm(request.POST or None)
    url = reverse("points:branch", args=[int(entry.org_path[-8:])]) + f"?month={entry.month:%Y-%m}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["how"] == "adjust" and data["points"] is None:
            form.add_error("points", _("Give the points to add or take away."))
        else:
            points = data["points"] if data["how"] == "adjust" else None
            with form_step(request, form, _("The correction is recorded."), denied_as_404=True) as step:
                services.correct_entry(request.user, entry, reason=data["reason"], points=points)
            if step.ok:
                return redirect(url)
    intro = _("%(name)s, %(month)s: %(item)s, %(points)s points. The correction is booked in the first open "
              "month; the locked month stays as it was confirmed.") % {
        "name": entry.person.name, "month": f"{entry.month:%Y-%m}", "item": entry.version.name,
        "points": entry.points.normalize()}  # fmt: skip
    context = {"form": form, "title": _("Correct a locked month"), "intro": intro, "cancel_url": url,
               "submit_label": _("Record the correction")}  # fmt: skip
    return render(request, "form_page.html", context, status=400 if form.errors else 200)


# --- the member's history --------------------------------------------------------------------------------------


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """All my months, newest first, grouped by year with the year's total; each month opens its entries."""
    person = _member_or_none(request)
    if person is None:
        return _not_a_member(request)
    context = {"title": _("My points over the months"), "years": queries.my_years(person)}
    return render(request, "points/history.html", context)
