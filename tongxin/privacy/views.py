"""Privacy pages: minors without consent, recording and withdrawing consent, the right-of-access file and
anonymisation on request.

Every page starts from ``visible_to``: a person outside the user's scope is 404. Seeing a person is not
enough to act, and a page the user may not use is 404 too (it tells nothing about the record): recording
consent needs CHANGE over the person; withdrawing it CHANGE, or being the person (14 or over); the access
file is for the person themself or a user with CHANGE; anonymising for the district admin.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.exceptions import DomainError
from tongxin.core.pagination import keyset_page
from tongxin.core.params import parse_int
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import form_step, get_changeable_or_404, get_scoped_or_404, require_role, xlsx_response
from tongxin.orgs.queries import org_from_query
from tongxin.people.models import Person
from tongxin.privacy import services
from tongxin.privacy.forms import AnonymiseForm, ConsentForm, WithdrawForm

PAGE_SIZE = 50
MINOR_KEYS = [
    ("org_path", "people_person.org_path"),
    ("name_pinyin", "people_person.name_pinyin"),
    ("id", "people_person.id"),
]


@login_required
def minors(request: HttpRequest) -> HttpResponse:
    """Minors in the user's subtrees with no consent that stands, a page at a time, with counts per branch."""
    require_role(request)
    org = org_from_query(request.user, request.GET.get("org"), default_top=False)
    on = timezone.localdate()
    qs = services.minors_lacking_consent(request.user, org, on).select_related("branch")
    counts = services.lacking_counts(request.user, org, on)
    total = sum(c.count for c in counts)
    jump = parse_int(request.GET.get("page"))  # the pager's page-number form
    page = keyset_page(qs, MINOR_KEYS, request.GET.get("cursor"), PAGE_SIZE, total=total, jump=jump)
    for person in page.rows:
        person.age_now = person.age_on(on)
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("page", None)
    context = {
        "title": _("Minors without consent"),
        "org": org,
        "page": page,
        "counts": counts,
        "total": total,
        "query": query.urlencode(),
        "can_change": scope_for(request.user, CHANGE).has_subtrees,
    }
    return render(request, "privacy/minors.html", context)


@login_required
def consent_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_changeable_or_404(request, Person.objects.select_related("branch"), pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The consent is recorded.")) as step:
            services.record_consent(request.user, person, **form.cleaned_data)
        if step.ok:
            return redirect("people:detail", pk=person.pk)
    context = {
        "form": form,
        "person": person,
        "title": _("Record consent: %(name)s") % {"name": person.name},
        "cancel_url": reverse("people:detail", args=[person.pk]),
        "guardian_age": rule("guardian_consent_below_age"),
        "age": person.age,
    }
    return render(request, "privacy/consent_form.html", context)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped_or_404(request, Person.objects.select_related("branch"), pk)
    if not services.may_withdraw_for(request.user, person):
        raise Http404
    form = WithdrawForm(request.POST, person=person)
    if not form.is_valid():
        messages.error(request, _("Choose the consent to withdraw."))
        return redirect("people:detail", pk=person.pk)
    record = form.cleaned_data["consent"]
    try:
        services.withdraw_consent(request.user, record)
    except DomainError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The consent is marked withdrawn."))
    return redirect("people:detail", pk=person.pk)


@login_required
@reads_from_replica
def access_export(request: HttpRequest, pk: int) -> FileResponse:
    """The person's data as an .xlsx file (right of access), for themself or a user who may change them."""
    person = get_scoped_or_404(request, Person.objects.select_related("branch"), pk)
    if not services.may_export(request.user, person):
        raise Http404
    # No name in the file name: it would land in download histories and proxy logs.
    filename = f"个人信息-{person.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(request, filename, lambda out: services.export_person_data(request.user, person, out))


@login_required
def anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    """Anonymise a former member's record: the district admin, on the person's request or after retention."""
    person = get_scoped_or_404(request, Person.objects.select_related("branch"), pk)
    if not services.may_anonymise(request.user, person):
        raise Http404
    ends = services.retention_ends(person)
    allowed = person.status in services.LEFT_STATUSES and not services.is_anonymised(person)
    initial = {"reason": "retention" if ends is not None and ends <= timezone.localdate() else "request"}
    form = AnonymiseForm(request.POST or None, initial=initial)
    if request.method == "POST" and allowed and form.is_valid():
        with form_step(request, form, _("The record is anonymised.")) as step:
            services.anonymise_person(
                request.user, person, reason=form.cleaned_data["reason"], reference=form.cleaned_data["reference"]
            )
        if step.ok:
            return redirect("people:detail", pk=person.pk)
    context = {
        "form": form,
        "person": person,
        "allowed": allowed,
        "retention_ends": ends,
        "title": _("Anonymise a record"),
        "cancel_url": reverse("people:detail", args=[person.pk]),
    }
    return render(request, "privacy/anonymise.html", context)
