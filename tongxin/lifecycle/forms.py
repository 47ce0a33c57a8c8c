"""Forms of the lifecycle pages (one section per workflow)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tongxin.core import params
from tongxin.core.fields import InWindow, PersonName, length_refusal, text_refusal
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.lifecycle.models import ReviewGrade, TransferReason
from tongxin.orgs.models import LEAGUE_KINDS, MEMBER_HOLDING_KINDS, Organization, OrgKind, OrgStatus

# --- transfers ---------------------------------------------------------------------------------------------


def find_destination(text: str) -> Organization | str:
    """The active league organisation named by its code or full name, anywhere in the system (the sender
    must find the receiver outside their own subtree); else the message saying why not."""
    text = " ".join(text.split())
    refusal = text_refusal(text) or length_refusal(text, 200)  # a NUL reached PostgreSQL (issue 12 §3)
    if refusal:
        return refusal
    orgs = Organization.objects.filter(status=OrgStatus.ACTIVE, kind__in=LEAGUE_KINDS)
    found = list(orgs.filter(code=text)[:1]) or list(orgs.filter(name=text)[:6])
    if not found:
        return str(_("No active league organisation has this code or full name."))
    if len(found) > 1:
        codes = "、".join(f"{org.code}" for org in found[:5])
        return str(_("Several organisations have this name: write the code instead (%(codes)s).") % {"codes": codes})
    return found[0]


class TransferOutForm(BootstrapFormMixin, forms.Form):
    destination = forms.CharField(
        label=_("Receiving organisation"),
        required=False,
        max_length=200,
        help_text=_(
            "Type part of its name or its code, then pick it below by its full path. Leave empty when the "
            "member leaves the system."
        ),
        # While typing, htmx lists the matches below as choices by full path (第一团委 › 第2团支部), each
        # submitting the organisation itself (to_org_id); without JavaScript the exact code or full name works.
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "enterkeyhint": "search",
                "hx-get": reverse_lazy("lifecycle:transfer_destinations"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#destinations",
            }
        ),
    )
    external_destination = forms.CharField(
        label=_("Destination outside the system"),
        required=False,
        max_length=200,
        help_text=_("For a move abroad, to the army or to a unit without a league organisation in the system."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get("destination") or ""
        data["to_org"] = None
        picked = params.parse_int(self.data.get("to_org_id")) if self.data else None
        if picked is not None:  # chosen from the list by its full path
            org = Organization.objects.filter(pk=picked, status=OrgStatus.ACTIVE, kind__in=LEAGUE_KINDS).first()
            if org is None:
                self.add_error("destination", _("No active league organisation has this code or full name."))
            else:
                data["to_org"] = org
        elif text:
            found = find_destination(text)
            if isinstance(found, str):
                self.add_error("destination", found)
            else:
                data["to_org"] = found
        return data


class TransferInForm(BootstrapFormMixin, forms.Form):
    """The receiving side starts a transfer for a member it knows by ID number."""

    id_number = forms.CharField(label=_("ID number of the member"), max_length=40)
    to_org = forms.ModelChoiceField(label=_("Receiving organisation"), queryset=Organization.objects.none())
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user, CHANGE)
        tops = Q(parent__isnull=True) if scope.everything else scope.at_q("path")
        self.fields["to_org"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.visible_to(user, CHANGE)
            .filter(tops, status=OrgStatus.ACTIVE, kind__in=LEAGUE_KINDS)
            .order_by("path")
        )


class AcceptForm(BootstrapFormMixin, forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch that receives the member"), queryset=Organization.objects.none())

    def __init__(self, *args: Any, to_org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branches = Organization.objects.in_subtree(to_org.path).filter(
            kind__in=MEMBER_HOLDING_KINDS, status=OrgStatus.ACTIVE
        )
        self.fields["branch"].queryset = branches.exclude(pk=to_org.pk).order_by("path")  # type: ignore[attr-defined]


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


# --- annual review and registration (教育评议, 团籍注册) ------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class OpenReviewForm(BootstrapFormMixin, forms.Form):
    """Open a branch's review of a year (the branch is the page's, posted as its id)."""

    branch = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=9999)


class GradingForm(BootstrapFormMixin, forms.Form):
    """One select per member of a review (``grade_<person id>``); an empty choice leaves the member ungraded."""

    def __init__(self, *args: Any, entries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *ReviewGrade.choices]
        for entry in entries:
            self.fields[f"grade_{entry.person_id}"] = forms.ChoiceField(
                label=entry.person.name, choices=choices, required=False, initial=entry.grade
            )
        self.entries = entries

    def grades(self) -> dict[int, str]:
        """``{person id: grade}`` of the valid form."""
        return {entry.person_id: self.cleaned_data.get(f"grade_{entry.person_id}") or "" for entry in self.entries}

    def rows(self) -> list[tuple[Any, Any]]:
        """(entry, bound field) per member, for the grading table."""
        return [(entry, self[f"grade_{entry.person_id}"]) for entry in self.entries]


def _count(label: Any, min_value: int = 0) -> forms.IntegerField:
    """A head count or a vote count (a whole number, a numeric keypad on phones)."""
    widget = forms.NumberInput(attrs={"inputmode": "numeric"})
    return forms.IntegerField(label=label, min_value=min_value, max_value=100_000, widget=widget)


class SubmitReviewForm(BootstrapFormMixin, forms.Form):
    meeting_on = forms.DateField(label=_("Date of the review meeting"), widget=DateInput(),
                                 validators=[InWindow("history")])  # fmt: skip
    members_present = _count(_("Members present"))


class ReturnReviewForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for returning it"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class RegisterForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label=_("Registration date"), widget=DateInput(), validators=[InWindow("history")])
    defer_until = forms.DateField(
        label=_("Defer the Unqualified members until"),
        required=False,
        widget=DateInput(),
        validators=[InWindow("plan")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["defer_until"].help_text = _(
            "%(min)d to %(max)d months after the registration date; empty: the earliest allowed."
        ) % {"min": int(rule("registration_deferral_min_months")), "max": int(rule("registration_deferral_max_months"))}


class DeferForm(BootstrapFormMixin, forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    until = forms.DateField(label=_("Deferred until"), widget=DateInput(), validators=[InWindow("plan")])


# --- end of annual review --------------------------------------------------------------------------------------


# --- recruitment (团员发展) ------------------------------------------------------------------------------------


def _recruitment_date(label: Any, **kwargs: Any) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(label=label, widget=widget, validators=[InWindow("history")], **kwargs)


class RecruitmentApplyForm(BootstrapFormMixin, forms.Form):
    """A written application to join the League, received by a branch in the user's scope."""

    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Organization.objects.none())
    name = forms.CharField(label=_("Name of the applicant"), max_length=50, validators=[PersonName()])
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))  # fmt: skip
    applied_on = _recruitment_date(_("Date of the written application"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branches = Organization.objects.visible_to(user, CHANGE).filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
        self.fields["branch"].queryset = branches.order_by("path")  # type: ignore[attr-defined]


class RecruitmentStepForm(BootstrapFormMixin, forms.Form):
    """The date of a step that records nothing else (activist, candidate, pre-check, approval, oath)."""

    on = _recruitment_date(_("Date"))


class RecruitmentTrainingForm(BootstrapFormMixin, forms.Form):
    hours = forms.DecimalField(
        label=_("League class hours attended so far"),
        min_value=0,
        max_value=999,
        max_digits=4,  # as the API: 999.9 at most
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )


class RecruitmentVoteForm(BootstrapFormMixin, forms.Form):
    """The branch general meeting: its date, the two sponsors and the count."""

    on = _recruitment_date(_("Date of the branch general meeting"))
    sponsor_1 = forms.ModelChoiceField(label=_("First sponsor"), queryset=Organization.objects.none())
    sponsor_2 = forms.ModelChoiceField(label=_("Second sponsor"), queryset=Organization.objects.none())
    present = _count(_("Members present"))
    votes_for = _count(_("Votes for"))
    votes_against = _count(_("Votes against"))

    def __init__(self, *args: Any, sponsors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("sponsor_1", "sponsor_2"):
            self.fields[name].queryset = sponsors  # type: ignore[attr-defined]


class RecruitmentWithdrawForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


# --- end of recruitment ----------------------------------------------------------------------------------------


# --- party recommendation (推优入党) ---------------------------------------------------------------------------


class RecommendationProposeForm(BootstrapFormMixin, forms.Form):
    party_application_on = _recruitment_date(_("Date the member applied to join the Party"))


class RecommendationVoteForm(BootstrapFormMixin, forms.Form):
    """The secret ballot of the branch general meeting."""

    on = _recruitment_date(_("Date of the branch general meeting"))
    voters_expected = _count(_("Expected voters"), min_value=1)
    votes_for = _count(_("Votes for"))
    votes_against = _count(_("Votes against"))


class RecommendationStepForm(BootstrapFormMixin, forms.Form):
    """The date of the approval or of the hand-over."""

    on = _recruitment_date(_("Date"))


class RecommendationOutcomeForm(BootstrapFormMixin, forms.Form):
    admitted = forms.TypedChoiceField(
        label=_("The party's decision"),
        choices=[("yes", _("Admitted as a probationary party member")), ("no", _("Not admitted"))],
        coerce=lambda value: value == "yes",
    )
    on = _recruitment_date(_("Date of the decision"))


# --- end of party recommendation -------------------------------------------------------------------------------


# --- lapse (自行脱团) -----------------------------------------------------------------------------------------


class LapseProposeForm(BootstrapFormMixin, forms.Form):
    """The branch meeting's decision on a member of the lapse list."""

    meeting_on = _recruitment_date(_("Date of the branch meeting that decided"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           help_text=_("Optional: what the branch tried, what the meeting said."))  # fmt: skip


# --- end of lapse ----------------------------------------------------------------------------------------------
