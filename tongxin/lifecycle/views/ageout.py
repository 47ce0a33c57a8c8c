"""Age-out pages (超龄离团): the members due, grouped by branch, and confirming a batch in two steps.

``/lifecycle/age-out/`` lists the members due today in the user's subtrees (``?org=`` narrows it to one
organisation's subtree); a secretary sees her branch. Ticking members (or "select all") and sending the
form shows the confirmation step (``age-out/confirm/``, ``step=review``: the batch checked without
writing); confirming it (``step=confirm``) calls ``confirm_age_out``, which checks every member again
and confirms all of them or none. No role: 404; a viewer sees the list without the checkboxes.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongxin.core.exceptions import DomainError
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Scope, scope_for
from tongxin.core.views import require_role
from tongxin.lifecycle.services.ageout import age_out_candidates, age_out_counts, check_age_out, confirm_age_out
from tongxin.orgs.models import Organization
from tongxin.orgs.queries import org_from_query
from tongxin.people.models import Person

# The page lists at most this many members (a phone must cope, and a form posts at most 1,000 fields);
# beyond it, it shows the count per branch, each a link to that branch's list.
LIST_LIMIT = 300


def _org(request: HttpRequest) -> Organization | None:
    """The ``org`` of the query (or of the posted form): an organisation the user may see, else 404."""
    raw = (request.POST.get("org") if request.method == "POST" else None) or request.GET.get("org")
    return org_from_query(request.user, raw, default_top=False)


def _list_url(org: Organization | None) -> str:
    url = reverse("lifecycle:age_out")
    return f"{url}?org={org.pk}" if org is not None else url


def _posted_ids(request: HttpRequest) -> set[int]:
    return {int(v) for v in request.POST.getlist("person_ids") if v.isdecimal() and int(v) < 2**63}


def _groups(people: list[Person], on: Any, change: Scope) -> list[dict[str, Any]]:
    """People (in branch order) grouped by branch, each marked with their age on ``on`` and whether the
    user may confirm them."""
    groups = []
    for _branch_id, rows in groupby(people, key=lambda p: p.branch_id):
        members = list(rows)
        for person in members:
            person.age_then = person.age_on(on)  # type: ignore[attr-defined]
            person.can_confirm = change.covers_path(person.org_path)  # type: ignore[attr-defined]
        groups.append({
            "branch": members[0].branch,
            "people": members,
            "can_confirm": any(p.can_confirm for p in members),  # type: ignore[attr-defined]
        })  # fmt: skip
    return groups


def _render_list(request: HttpRequest, org: Organization | None, *, errors: list[str] | None = None,
                 selected: set[int] | None = None) -> HttpResponse:  # fmt: skip
    on = timezone.localdate()
    change = scope_for(request.user, CHANGE)
    people = list(age_out_candidates(request.user, org, on).select_related("branch")[: LIST_LIMIT + 1])
    too_many = len(people) > LIST_LIMIT
    counts = age_out_counts(request.user, org, on) if too_many else []
    groups = [] if too_many else _groups(people, on, change)
    context = {
        "title": _("Age-out"),
        "org": org,
        "on": on,
        "max_age": rule("league_max_age"),
        "too_many": too_many,
        "counts": counts,
        "total": sum(c.count for c in counts) if too_many else len(people),
        "groups": groups,
        "can_confirm": any(g["can_confirm"] for g in groups),
        "errors": errors or [],
        "selected": selected or set(),
        "list_limit": LIST_LIMIT,
    }
    return render(request, "lifecycle/ageout/list.html", context)


@login_required
def age_out_list(request: HttpRequest) -> HttpResponse:
    require_role(request)
    return _render_list(request, _org(request))


@login_required
def age_out_confirm(request: HttpRequest) -> HttpResponse:
    """POST ``person_ids`` (or ``select_all``) with ``step=review``: the confirmation step; with
    ``step=confirm``: the batch is confirmed. A GET goes back to the list."""
    if request.method != "POST":
        return redirect(_list_url(_org(request)))
    change = require_role(request, CHANGE)
    org = _org(request)
    on = timezone.localdate()
    person_ids: list[Any]
    if request.POST.get("select_all"):
        rows = list(age_out_candidates(request.user, org, on).values_list("pk", "org_path")[: LIST_LIMIT + 1])
        if len(rows) > LIST_LIMIT:
            message = _("Too many members to confirm at once here: open one branch at a time.")
            return _render_list(request, org, errors=[message])
        person_ids = [pk for pk, org_path in rows if change.covers_path(org_path)]
    else:
        person_ids = request.POST.getlist("person_ids")
    if not person_ids:
        return _render_list(request, org, errors=[_("Tick the members to confirm first.")])
    confirming = request.POST.get("step") == "confirm"
    try:
        if confirming:
            count = confirm_age_out(request.user, person_ids=person_ids, on=on)
        else:
            people = check_age_out(request.user, person_ids=person_ids, on=on)
    except DomainError as exc:
        return _render_list(request, org, errors=exc.messages, selected=_posted_ids(request))
    if confirming:
        messages.success(
            request,
            ngettext(
                "%(count)d member has left the League (aged out). The roster keeps the record.",
                "%(count)d members have left the League (aged out). The roster keeps their records.",
                count,
            )
            % {"count": count},
        )
        return redirect(_list_url(org))
    context = {
        "title": _("Confirm the age-out"),
        "org": org,
        "on": on,
        "groups": _groups(people, on, change),
        "total": len(people),
        "list_url": _list_url(org),
    }
    return render(request, "lifecycle/ageout/review.html", context)
