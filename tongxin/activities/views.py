"""Activity pages: the list, planning, the activity's page (register, the organiser's decisions), the organiser's
rotating check-in code, the participant's check-in and check-out (typed code, or the scanned QR code), the
organiser's supplementary hours, and the member's own activities and hours. Made for a phone."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from captcha.fields import CaptchaField
from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from tongxin.activities import queries, services
from tongxin.activities.certificates import certificate_pdf
from tongxin.activities.filters import ActivityFilter
from tongxin.activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Certificate,
    CorrectionStatus,
    HoursCorrection,
    Registration,
    RegistrationStatus,
    Wish,
    WishStatus,
)
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.exceptions import DomainError
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import (
    flash_form_errors,
    form_step,
    get_scoped_or_404,
    page_step,
    require_role,
    xlsx_table_response,
)
from tongxin.orgs.models import Organization

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
LIST_LIMIT = 100


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class ActivityForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=gettext_lazy("Organised by"))
    joint_with = forms.CharField(
        label=gettext_lazy("Organised together with"), max_length=500, required=False,
        help_text=gettext_lazy("The codes of the other organisations organising it, separated by spaces."),
    )  # fmt: skip
    partners = forms.CharField(
        label=gettext_lazy("Partners"), max_length=500, required=False,
        help_text=gettext_lazy("Alliances, companies or charities taking part, separated by commas."),
    )  # fmt: skip
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = _datetime_field(gettext_lazy("Starts at"))
    ends_at = _datetime_field(gettext_lazy("Ends at"))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    capacity = forms.IntegerField(label=gettext_lazy("Capacity"), min_value=1, max_value=100_000)
    audience_code = forms.CharField(
        label=gettext_lazy("For the members of"), max_length=50, required=False,
        help_text=gettext_lazy("An organisation's code (its whole subtree); empty: the organising organisation's."),
    )  # fmt: skip
    public = forms.BooleanField(label=gettext_lazy("Open to the public"), required=False)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=10_000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.visible_to(user, CHANGE).filter(status="active").order_by("path")

    def clean_joint_with(self) -> list[Organization]:
        codes = list(dict.fromkeys(self.cleaned_data.get("joint_with", "").replace(",", " ").split()))
        if not codes:
            return []
        found = {org.code: org for org in Organization.objects.visible_to(self.user, CHANGE).filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("No organisation you may organise for has the code %(codes)s.") % {"codes": "、".join(unknown)}
            )
        return [found[code] for code in codes]

    def clean_partners(self) -> list[str]:
        text = self.cleaned_data.get("partners", "").replace("，", ",").replace("、", ",")
        return [name.strip() for name in text.split(",") if name.strip()]

    def clean_audience_code(self) -> Organization | None:
        code = self.cleaned_data.get("audience_code", "").strip()
        if not code:
            return None
        org = Organization.objects.visible_to(self.user).filter(code=code).first()
        if org is None:
            raise forms.ValidationError(_("No organisation in your scope has this code."))
        return org


class CodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=200,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))  # fmt: skip
    purpose = forms.ChoiceField(choices=[(services.CHECK_IN, gettext_lazy("Check in")),
                                         (services.CHECK_OUT, gettext_lazy("Check out"))],
                                widget=forms.HiddenInput)  # fmt: skip


class HoursForm(BootstrapFormMixin, forms.Form):
    hours = forms.DecimalField(label=gettext_lazy("Supplementary hours"), min_value=0, max_value=9999,
                               decimal_places=2, max_digits=6)  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)


class DeclineForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


# --- lists ------------------------------------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    qs = ActivityFilter(request.GET, queryset=queries.activities_for(request.user), request=request).qs
    context = {
        "title": _("Activities"),
        "activities": list(qs[:LIST_LIMIT]),
        "can_create": scope_for(request.user, CHANGE).has_subtrees,
        "to_confirm": services.to_confirm_count(request.user),
    }
    return render(request, "activities/list.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's registrations and hours, verified and supplementary shown apart."""
    person_id = getattr(request.user, "person_id", None)
    rows = list(services.my_registrations(request.user).select_related("activity").order_by("-activity__starts_at"))
    verified, supplementary = services.hours_of_person(person_id) if person_id else (0, 0)
    certificates = list(Certificate.objects.filter(person_id=person_id)) if person_id else []
    corrections: dict[int, list[HoursCorrection]] = {}
    if person_id:
        for item in HoursCorrection.objects.filter(person_id=person_id).order_by("created_at", "id"):
            corrections.setdefault(item.registration_id, []).append(item)
    now = timezone.now()
    for row in rows:
        asked = corrections.get(row.pk, [])
        row.asked = asked  # type: ignore[attr-defined]
        row.can_correct = (  # type: ignore[attr-defined]
            row.status == RegistrationStatus.CONFIRMED and row.activity.starts_at <= now
            and not any(c.status == CorrectionStatus.PENDING for c in asked)
        )  # fmt: skip
    context = {"title": _("My activities and hours"), "rows": rows, "verified": verified,
               "supplementary": supplementary, "has_person": person_id is not None,
               "certificates": certificates}  # fmt: skip
    return render(request, "activities/mine.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user, CHANGE).has_subtrees:
        raise Http404
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with form_step(request, form, _("The activity is planned.")) as step:
            try:
                activity = services.create_activity(
                    request.user, organization=data["organization"], kind=data["kind"], title=data["title"],
                    starts_at=data["starts_at"], ends_at=data["ends_at"], capacity=data["capacity"],
                    place=data["place"], description=data["description"], organizations=data["joint_with"],
                    partners=data["partners"], audience=data["audience_code"], public=data["public"],
                )  # fmt: skip
            except PermissionDenied:
                raise DomainError("joint_with", _("You may not organise for one of these organisations.")) from None
        if step.ok:
            return redirect("activities:detail", pk=activity.pk)
    context = {"form": form, "title": _("Plan an activity"), "submit_label": _("Plan the activity"),
               "cancel_url": reverse("activities:list")}  # fmt: skip
    return render(request, "form_page.html", context)


# --- the activity -----------------------------------------------------------------------------------------------


def _activity(request: HttpRequest, pk: int) -> Activity:
    return get_scoped_or_404(request, Activity.objects.select_related("organization", "audience"), pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    organiser = services.may_organise(request.user, activity)
    person_id = getattr(request.user, "person_id", None)
    own = Registration.objects.filter(activity=activity, person_id=person_id).first() if person_id else None
    context: dict[str, Any] = {
        "activity": activity,
        "title": activity.title,
        "organizations": list(activity.organizations.all()),
        "partners": list(activity.partners.all()),
        "taken": services.places_taken(activity),
        "own": own,
        "own_position": services.waiting_position(own) if own and own.status == RegistrationStatus.WAITING else None,
        "can_register": person_id is not None and activity.status == ActivityStatus.OPEN
        and (own is None or own.status == RegistrationStatus.CANCELLED),
        "can_cancel_own": own is not None and own.status in (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED,
                                                             RegistrationStatus.WAITING) and own.checked_in_at is None,
        "can_check": own is not None and own.status == RegistrationStatus.CONFIRMED,
        "organiser": organiser,
        "now": timezone.now(),
    }  # fmt: skip
    if organiser:
        rows = list(queries.registrations_of(activity))
        asked: dict[int, list[HoursCorrection]] = {}
        corrections = HoursCorrection.objects.filter(registration__activity=activity).select_related("person")
        for item in corrections.order_by("created_at", "id"):  # one query: each record shows its corrections
            asked.setdefault(item.registration_id, []).append(item)
        for row in rows:
            row.own = row.person_id == person_id  # type: ignore[attr-defined]
            row.asked = asked.get(row.pk, [])  # type: ignore[attr-defined]
        context["registrations"] = rows
        context["corrections"] = [c for items in asked.values() for c in items
                                  if c.status == CorrectionStatus.PENDING][:LIST_LIMIT]  # fmt: skip
        context["can_cancel_activity"] = activity.status != ActivityStatus.CANCELLED
    return render(request, "activities/detail.html", context)


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    try:
        registration = services.register(request.user, activity)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        level = messages.WARNING if registration.status == RegistrationStatus.WAITING else messages.SUCCESS
        messages.add_message(request, level, services.register_message(registration))
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def cancel_activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    if not services.may_organise(request.user, activity):
        raise Http404
    with page_step(request, _("The activity is cancelled.")):
        services.cancel_activity(request.user, activity)
    return redirect("activities:detail", pk=activity.pk)


def _registration(request: HttpRequest, pk: int) -> Registration:
    return get_scoped_or_404(request, Registration.objects.select_related("activity", "person"), pk)


def _registration_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    registration = _registration(request, pk)
    own = getattr(request.user, "person_id", None) == registration.person_id
    if step != "cancel" and not services.may_organise(request.user, registration.activity):
        raise Http404
    if step == "cancel" and not own and not services.may_organise(request.user, registration.activity):
        raise Http404
    if step == "confirm":
        with page_step(request, _("The registration is confirmed.")):
            services.confirm(request.user, registration)
    elif step == "decline":
        form = DeclineForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason for declining."))
        else:
            with page_step(request, _("The registration is declined.")):
                services.decline(request.user, registration, form.cleaned_data["reason"])
    else:
        with page_step(request, _("The registration is cancelled.")):
            services.cancel_registration(request.user, registration)
    return redirect("activities:detail", pk=registration.activity_id)


@login_required
@require_POST
def registration_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _registration_step(request, pk, "confirm")


@login_required
@require_POST
def registration_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _registration_step(request, pk, "decline")


@login_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _registration_step(request, pk, "cancel")


@login_required
def registration_hours(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's supplementary hours for one participant, with the reason."""
    registration = _registration(request, pk)
    activity = registration.activity
    if not services.may_organise(request.user, activity):
        raise Http404
    initial = {"hours": registration.supplementary_hours, "reason": registration.supplementary_reason}
    form = HoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The supplementary hours are saved.")) as step:
            services.set_supplementary_hours(request.user, registration, form.cleaned_data["hours"],
                                             form.cleaned_data["reason"])  # fmt: skip
        if step.ok:
            return redirect("activities:detail", pk=activity.pk)
    context = {
        "form": form,
        "title": _("Supplementary hours: %(name)s") % {"name": registration.person.name},
        "intro": _("Verified hours (from check-in and check-out): %(verified)s. Supplementary hours are shown apart "
                   "and, with the verified ones, never exceed the activity's %(length)s hours.")
        % {"verified": registration.verified_hours, "length": activity.length_hours},
        "submit_label": _("Save"),
        "cancel_url": reverse("activities:detail", args=[activity.pk]),
    }  # fmt: skip
    return render(request, "form_page.html", context)


# --- check-in and check-out ------------------------------------------------------------------------------------------


def _purpose(request: HttpRequest) -> str:
    value = request.GET.get("purpose") or services.CHECK_IN
    return value if value in services.PURPOSES else services.CHECK_IN


@login_required
def code(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's phone: the QR code and the typed code of this moment, renewed every 30 s."""
    activity = _activity(request, pk)
    if not services.may_organise(request.user, activity):
        raise Http404
    purpose = _purpose(request)
    token, digits, left = services.current_code(activity, purpose)
    url = request.build_absolute_uri(reverse("activities:check", args=[activity.pk])) + f"?purpose={purpose}&t={token}"
    qr = segno.make(url, error="m").svg_data_uri(scale=6, border=2)
    other = services.CHECK_OUT if purpose == services.CHECK_IN else services.CHECK_IN
    context = {"activity": activity, "title": activity.title, "purpose": purpose, "qr": qr, "digits": digits,
               "left": left, "other": other}  # fmt: skip
    return render(request, "activities/code.html", context)


# The zxing decoder is WebAssembly: compiling it needs 'wasm-unsafe-eval' (not 'unsafe-eval'), on this page only.
@csp_update({"script-src": ["'self'", "'wasm-unsafe-eval'"]})  # type: ignore[arg-type]
@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant's phone: type the code, or scan it (the QR code's link brings the token here)."""
    activity = _activity(request, pk)
    purpose = _purpose(request)
    token = request.GET.get("t", "")[:200]
    form = CodeForm(request.POST or None, initial={"purpose": purpose, "code": token})
    if request.method == "POST" and form.is_valid():
        purpose = form.cleaned_data["purpose"]
        done = _("You are checked in.") if purpose == services.CHECK_IN else _("You are checked out.")
        with form_step(request, form, done) as step:
            act = services.check_in if purpose == services.CHECK_IN else services.check_out
            act(request.user, activity, form.cleaned_data["code"])
        if step.ok:
            return redirect("activities:detail", pk=activity.pk)
    context = {"activity": activity, "title": activity.title, "form": form, "purpose": purpose}
    return render(request, "activities/check.html", context)


# --- the member's personal code, scanned (or typed) by the organiser -------------------------------------------------


@login_required
def my_code(request: HttpRequest) -> HttpResponse:
    """The member's phone: his personal check-in code (a QR code and a short code to type), renewed every 30 s."""
    person_id = getattr(request.user, "person_id", None)
    context: dict[str, Any] = {"title": _("My check-in code"), "has_person": person_id is not None}
    if person_id is not None:
        token, short, left = services.personal_code(person_id)
        context.update({"qr": segno.make(token, error="m").svg_data_uri(scale=6, border=2), "short": short,
                        "left": left})  # fmt: skip
    return render(request, "activities/my_code.html", context)


class PersonalCodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("The member's personal code"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
                           help_text=gettext_lazy("As his phone shows it, e.g. 1234-567890."))  # fmt: skip


# The zxing decoder is WebAssembly (as on the participant's scan page).
@csp_update({"script-src": ["'self'", "'wasm-unsafe-eval'"]})  # type: ignore[arg-type]
@login_required
def personal_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's phone: scan a participant's personal code with the camera, or type it, to check him in or
    out; the page stays open for the next one."""
    activity = _activity(request, pk)
    if not services.may_organise(request.user, activity):
        raise Http404
    # the step: ?purpose= on the page, the hidden field when posted (anything else: check-in)
    purpose = _purpose(request) if request.method != "POST" else request.POST.get("purpose", services.CHECK_IN)
    purpose = purpose if purpose in services.PURPOSES else services.CHECK_IN
    form = PersonalCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        act = services.check_in_person if purpose == services.CHECK_IN else services.check_out_person
        try:
            registration = act(request.user, activity, form.cleaned_data["code"])
        except DomainError as exc:
            exc.add_to_form(form)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, services.scanned_message(registration, purpose))
            return redirect(reverse("activities:personal_check", args=[activity.pk]) + f"?purpose={purpose}")
    other = services.CHECK_OUT if purpose == services.CHECK_IN else services.CHECK_IN
    context = {"activity": activity, "title": activity.title, "form": form, "purpose": purpose, "other": other}
    return render(request, "activities/personal_check.html", context)


# --- corrections of hours -----------------------------------------------------------------------------------------


class CorrectionRequestForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("What is wrong with the hours recorded"),
                             max_length=services.CORRECTION_REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    hours = forms.DecimalField(label=gettext_lazy("The hours you think right (optional)"), required=False,
                               min_value=0, max_value=9999, decimal_places=2, max_digits=6)  # fmt: skip


class CorrectionDecideForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=[("accept", gettext_lazy("Accept")), ("reject", gettext_lazy("Reject"))]
    )
    hours = forms.DecimalField(label=gettext_lazy("Corrected hours (verified and supplementary together)"),
                               required=False, min_value=0, max_value=9999, decimal_places=2, max_digits=6)  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Reason for the decision"), max_length=200)


@login_required
def correction_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer asks for a correction of the hours of his registration, with a reason."""
    registration = _registration(request, pk)
    own = getattr(request.user, "person_id", None) == registration.person_id
    activity = registration.activity
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _("Your request is sent: the organiser decides it.")
        with form_step(request, form, done) as step:
            services.request_correction(request.user, registration, form.cleaned_data["reason"],
                                        form.cleaned_data["hours"])  # fmt: skip
        if step.ok:
            return redirect("activities:mine")
    intro = _("Recorded: %(verified)s verified hours (from check-in and check-out) and %(supplementary)s "
              "supplementary hours; the activity lasted %(length)s hours. The organiser decides your request.") % {
        "verified": registration.verified_hours, "supplementary": registration.supplementary_hours,
        "length": activity.length_hours}  # fmt: skip
    if not own:  # an organiser sees the record; the request is the volunteer's alone
        intro = _("Only the volunteer himself asks for a correction of his hours.")
    context = {"form": form, "title": _("Ask for a correction: %(title)s") % {"title": activity.title},
               "intro": intro, "submit_label": _("Send the request"), "own": own, "activity": activity,
               "cancel_url": reverse("activities:mine")}  # fmt: skip
    return render(request, "activities/correction_request.html", context)


@login_required
def correction(request: HttpRequest, pk: int) -> HttpResponse:
    """A correction of hours: the volunteer's request, the record, and the organiser's decision (or its form)."""
    found = get_scoped_or_404(
        request, HoursCorrection.objects.select_related("registration__activity", "person", "decided_by"), pk
    )
    registration = found.registration
    own = getattr(request.user, "person_id", None) == found.person_id
    can_decide = (found.status == CorrectionStatus.PENDING and not own
                  and services.may_organise(request.user, registration.activity))  # fmt: skip
    initial = {"hours": found.requested_hours} if found.requested_hours is not None else {}
    context = {"title": _("Correction of hours"), "correction": found, "registration": registration,
               "activity": registration.activity, "can_decide": can_decide, "own": own,
               "form": CorrectionDecideForm(initial=initial) if can_decide else None}  # fmt: skip
    return render(request, "activities/correction.html", context)


@login_required
@require_POST
def correction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_scoped_or_404(request, HoursCorrection.objects.select_related("registration__activity"), pk)
    if not services.may_organise(request.user, found.registration.activity):
        raise Http404
    form = CorrectionDecideForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        accept = form.cleaned_data["decision"] == "accept"
        done = _("The correction is accepted.") if accept else _("The correction is rejected.")
        with page_step(request, done):
            services.decide_correction(request.user, found, accept=accept, reason=form.cleaned_data["reason"],
                                       hours=form.cleaned_data["hours"])  # fmt: skip
    return redirect("activities:correction", pk=found.pk)


# --- certificates of service hours ----------------------------------------------------------------------------------


@login_required
@require_POST
def registration_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser issues the participant a certificate of her hours at the lead organisation's activities."""
    registration = _registration(request, pk)
    activity = registration.activity
    if not services.may_organise(request.user, activity):
        raise Http404
    try:
        certificate = services.issue_certificate(request.user, person=registration.person,
                                                 organization=activity.organization)  # fmt: skip
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("Only the lead organisation's organisers issue its certificates."))
    else:
        messages.success(request, _("Certificate %(serial)s is issued.") % {"serial": certificate.serial})
    return redirect("activities:detail", pk=activity.pk)


def verify_url(request: HttpRequest, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("activities:verify", args=[certificate.verify_key]))


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as a printable PDF (the holder, or a role holder over the issuing organisation)."""
    found = get_scoped_or_404(request, Certificate, pk)
    response = HttpResponse(certificate_pdf(found, verify_url(request, found)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{found.serial}.pdf"'
    return response


def verify(request: HttpRequest, key: str) -> HttpResponse:
    """Public (no login): the server's record of a certificate, found by the key in its QR code. A forged or
    altered certificate has no record, or one that differs from the paper; the holder is named masked."""
    found = services.verify_certificate(key)
    if found is None:
        raise Http404
    masked = services.masked_holder(found.holder_name)
    context = {"title": _("Certificate verification"), "certificate": found, "masked_name": masked}
    return render(request, "activities/verify.html", context)


# --- micro-wishes (微心愿) -------------------------------------------------------------------------------------------

WISH_RATE = "5/h"  # wishes one address may submit per hour (the public form's flood guard)


class WishForm(BootstrapFormMixin, forms.Form):
    community = forms.ModelChoiceField(queryset=Organization.objects.none(), label=gettext_lazy("Community"))
    text = forms.CharField(label=gettext_lazy("What is needed"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    contact_name = forms.CharField(label=gettext_lazy("Your name"), max_length=50)
    contact_phone = forms.CharField(label=gettext_lazy("Your phone"), max_length=20,
                                    help_text=gettext_lazy("Seen by the community only, never published."))  # fmt: skip
    captcha = CaptchaField(label=gettext_lazy("Type the characters in the picture"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.filter(status="active", category="community").order_by("path")


def wish_submit(request: HttpRequest) -> HttpResponse:
    """Public (no login): a resident submits a wish; no files; a captcha and a rate per address."""
    form = WishForm(request.POST or None)
    if request.method == "POST":
        limited = is_ratelimited(request, group="activities.wish", key="ip", rate=WISH_RATE, method="POST",
                                 increment=True)  # fmt: skip
        if limited:
            form.add_error(None, _("Too many wishes from your address: please try again in an hour."))
        elif form.is_valid():
            data = form.cleaned_data
            done = _("Thank you: your wish is sent to the community.")
            with form_step(request, form, done) as step:
                services.submit_wish(
                    community=data["community"], text=data["text"], contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                )  # fmt: skip
            if step.ok:
                return redirect("activities:wish_submit")
    intro = _("Tell your community what you need. The community reads it, then publishes it without your contact "
              "details for a member to fulfil.")  # fmt: skip
    context = {"form": form, "title": _("Make a micro-wish"), "submit_label": _("Send the wish"), "intro": intro,
               "cancel_url": reverse("activities:fulfilled")}  # fmt: skip
    return render(request, "form_page.html", context)


def fulfilled(request: HttpRequest) -> HttpResponse:
    """Public (no login): fulfilled wishes, their published wording only (no names, no contacts)."""
    rows = list(
        Wish.objects.filter(status__in=(WishStatus.FULFILLED, WishStatus.CLOSED))
        .select_related("community").only("published_text", "fulfilled_at", "community__name")
        .order_by("-fulfilled_at", "-id")[:LIST_LIMIT]
    )  # fmt: skip
    return render(request, "activities/fulfilled.html", {"title": _("Fulfilled micro-wishes"), "rows": rows})


@login_required
def wishes(request: HttpRequest) -> HttpResponse:
    """Role holders: the wishes of their communities by status, stalled ones apart; members: wishes to claim and
    their own."""
    visible = Wish.objects.visible_to(request.user).select_related("community", "claimed_by")
    person_id = getattr(request.user, "person_id", None)
    context = {
        "title": _("Micro-wishes"),
        "open": list(visible.filter(status=WishStatus.PUBLISHED).order_by("submitted_at")[:LIST_LIMIT]),
        "mine": list(visible.filter(claimed_by_id=person_id)[:LIST_LIMIT]) if person_id else [],
        "is_role": scope_for(request.user, CHANGE).has_subtrees,
    }
    if context["is_role"]:
        managed = Wish.objects.visible_to(request.user, CHANGE, self_service=False).select_related("community")
        context["to_screen"] = list(managed.filter(status=WishStatus.SUBMITTED)[:LIST_LIMIT])
        context["to_confirm"] = list(managed.filter(status=WishStatus.FULFILLED)[:LIST_LIMIT])
        context["stalled"] = list(services.stalled_wishes(request.user).select_related("community")[:LIST_LIMIT])
    return render(request, "activities/wishes.html", context)


class ScreenForm(BootstrapFormMixin, forms.Form):
    published_text = forms.CharField(label=gettext_lazy("Published wording"), max_length=1000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Reason for rejecting"), max_length=200, required=False)
    decision = forms.ChoiceField(choices=[("publish", gettext_lazy("Publish")), ("reject", gettext_lazy("Reject"))],
                                 widget=forms.HiddenInput)  # fmt: skip


class FulfilForm(BootstrapFormMixin, forms.Form):
    fulfilment = forms.CharField(label=gettext_lazy("What was done"), max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


@login_required
def wish_detail(request: HttpRequest, pk: int) -> HttpResponse:
    wish = get_scoped_or_404(request, Wish.objects.select_related("community", "claimed_by"), pk)
    community = scope_for(request.user, CHANGE).covers_path(wish.org_path)
    person_id = getattr(request.user, "person_id", None)
    context = {
        "wish": wish,
        "title": _("Micro-wish"),
        "community": community,
        "screen_form": ScreenForm(initial={"published_text": wish.text}) if community else None,
        "can_claim": wish.status == WishStatus.PUBLISHED and person_id is not None,
        "can_fulfil": wish.status == WishStatus.CLAIMED and person_id == wish.claimed_by_id,
        "fulfil_form": FulfilForm(),
        "can_close": community and wish.status == WishStatus.FULFILLED and person_id != wish.claimed_by_id,
    }
    return render(request, "activities/wish_detail.html", context)


@login_required
@require_POST
def wish_screen(request: HttpRequest, pk: int) -> HttpResponse:
    wish = get_scoped_or_404(request, Wish, pk)
    if not scope_for(request.user, CHANGE).covers_path(wish.org_path):
        raise Http404
    form = ScreenForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        publish = form.cleaned_data["decision"] == "publish"
        done = _("The wish is published.") if publish else _("The wish is rejected.")
        with page_step(request, done):
            services.screen_wish(request.user, wish, publish=publish,
                                 published_text=form.cleaned_data["published_text"],
                                 reason=form.cleaned_data["reason"])  # fmt: skip
    return redirect("activities:wish_detail", pk=wish.pk)


@login_required
@require_POST
def wish_claim(request: HttpRequest, pk: int) -> HttpResponse:
    wish = get_scoped_or_404(request, Wish, pk)
    with page_step(request, _("You claimed the wish: thank you.")):
        services.claim_wish(request.user, wish)
    return redirect("activities:wish_detail", pk=wish.pk)


@login_required
@require_POST
def wish_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    wish = get_scoped_or_404(request, Wish, pk)
    form = FulfilForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done."))
    else:
        with page_step(request, _("The fulfilment is recorded; the community confirms it with the resident.")):
            services.fulfil_wish(request.user, wish, form.cleaned_data["fulfilment"])
    return redirect("activities:wish_detail", pk=wish.pk)


@login_required
@require_POST
def wish_close(request: HttpRequest, pk: int) -> HttpResponse:
    wish = get_scoped_or_404(request, Wish, pk)
    if not scope_for(request.user, CHANGE).covers_path(wish.org_path):
        raise Http404
    with page_step(request, _("The wish is closed.")):
        services.close_wish(request.user, wish)
    return redirect("activities:wish_detail", pk=wish.pk)


# --- volunteer hours per organisation and period ---------------------------------------------------------------


def _hours_report(request: HttpRequest) -> queries.HoursReport:
    require_role(request)
    get = request.GET.get
    return queries.hours_report(request.user, get("org"), get("from"), get("to"))


@login_required
def hours(request: HttpRequest) -> HttpResponse:
    """Volunteer hours of an organisation's participants per child organisation and period, verified and
    supplementary apart, with who took part (party members, league members, others)."""
    report = _hours_report(request)
    query = urlencode({"org": report.org.pk, "from": report.start.isoformat(), "to": report.end.isoformat()})
    context = {"title": _("Volunteer hours by organisation"), "org": report.org, "start": report.start,
               "end": report.end, "total": report.total, "rows": report.rows, "query": query}  # fmt: skip
    return render(request, "activities/hours.html", context)


@login_required
@reads_from_replica
def hours_export(request: HttpRequest) -> HttpResponseBase:
    report = _hours_report(request)
    org, start, end = report.org, report.start, report.end
    headers = [_("Organisation"), pgettext("hours", "Participants"), _("Party members"), _("League members"),
               _("Others"), _("Verified hours"), _("Supplementary hours"), _("Total hours")]  # fmt: skip
    table: list[list[Any]] = [
        [row.organization.name if row.organization else _("Total"), row.people, row.party, row.league, row.others,
         row.verified, row.supplementary, row.total]
        for row in [*report.rows, report.total]
    ]  # fmt: skip
    filename = f"volunteer-hours-{org.pk}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return xlsx_table_response(request, filename, str(_("Volunteer hours")), headers, table)
