"""Roster pages: the filtered list, a person's page, the edit form, revealing personal data."""

from __future__ import annotations

import decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.core import search_terms
from tongxin.core.audit import record_access
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.masking import mask_phone
from tongxin.core.models import AccessLog
from tongxin.core.pagination import keyset_page
from tongxin.core.params import parse_int
from tongxin.core.registry import page_context
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import (
    form_step,
    get_changeable_or_404,
    get_scoped_or_404,
    require_role,
    xlsx_response,
)
from tongxin.orgs.models import STEP_WIDTH, Organization
from tongxin.people import services
from tongxin.people.exports import build_template, export_roster
from tongxin.people.filters import PersonFilter
from tongxin.people.forms import AppointCadreForm, EndCadreForm, PersonForm
from tongxin.people.models import CadrePosition, Person
from tongxin.people.queries import roster_count

ROSTER_PAGE_SIZE = 50
# What _roster_table.html shows, plus the sort keys (people.filters.SORTS): no other column is loaded.
ROSTER_COLUMNS = [
    "name", "name_pinyin", "sex", "birth_date", "political_status", "id_number", "phone", "status", "org_path",
    "branch__name", "branch__short_name",
]  # fmt: skip


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    """The filtered roster. The search form POSTs: the search term (a name, ID number or phone) is kept
    in the session and the page is redirected to ``?s=<key>`` (tongxin.core.search_terms), so no term is
    in a URL; a hand-typed ``?q=`` still works, and the page's own links carry only its key."""
    scope = require_role(request)
    if request.method == "POST":
        query = search_terms.link_query(request, request.POST, PersonFilter.base_filters)
        return redirect(f"{reverse('people:roster')}?{query}" if query else reverse("people:roster"))
    params, expired = search_terms.expand(request, request.GET)
    base = Person.objects.visible_to(request.user)
    filterset = PersonFilter(params, queryset=base)
    qs = filterset.qs.select_related("branch").only(*ROSTER_COLUMNS) if filterset.is_valid() else base.none()
    total = roster_count(request.user, filterset, qs)
    jump = parse_int(request.GET.get("page"))  # the pager's page-number form
    page = keyset_page(qs, filterset.sort_keys, request.GET.get("cursor"), ROSTER_PAGE_SIZE, total=total, jump=jump)
    org = filterset.subtree_org
    scope_org = org if org is not None and scope.covers_path(org.path) else None
    context = {
        "filter": filterset,
        "scope_org": scope_org,
        "page": page,
        "total": total,
        "query": search_terms.link_query(request, params, PersonFilter.base_filters),
        "search_expired": expired,
        "title": _("Roster"),
        "can_change": bool(scope_for(request.user, CHANGE).prefixes) or scope.everything,
        "can_export_full": full_export_allowed(request.user, filterset),
    }
    htmx = getattr(request, "htmx", None)
    # A history restore (back button after the cache dropped the page) needs the whole page.
    partial = bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]
    template = "people/_roster_table.html" if partial else "people/roster.html"
    return render(request, template, context)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped_or_404(request, Person.objects.select_related("branch"), pk)
    return render(request, "people/detail.html", _detail_context(request, person))


def _detail_context(request: HttpRequest, person: Person) -> dict:
    return {
        "person": person,
        "title": person.name,
        "can_change": scope_for(request.user, CHANGE).covers_path(person.org_path),
        "memberships": person.memberships.select_related("organization").order_by("-start", "-id"),
        "positions": person.positions.select_related("organization").order_by("-start"),
        **page_context("people:detail", request, person),  # the apps above add their parts (core.registry)
    }


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one person's full ID number and phone; each reveal leaves an AccessLog row."""
    person = get_scoped_or_404(request, Person.objects.select_related("branch"), pk)
    record_access(request.user, AccessLog.Action.REVEAL, obj=person, fields="id_number,phone", org_path=person.org_path)
    if getattr(request, "htmx", False):
        return render(request, "people/_revealed.html", {"person": person})
    return render(request, "people/detail.html", {**_detail_context(request, person), "revealed": True})


def _edit_form(request: HttpRequest, person: Person | None) -> HttpResponse:
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.changed_personal_data()
        name = form.cleaned_data.get("name") or (person.name if person else "")
        done = (_("The changes to %(name)s were saved.") if person else _("%(name)s was added.")) % {"name": name}
        with form_step(request, form, done) as step:
            saved = services.save_person(request.user, data, person)
        if step.ok:
            return redirect("people:detail", pk=saved.pk)
    title = _("Edit %(name)s") % {"name": person.name} if person else _("New person")
    cancel_url = reverse("people:detail", args=[person.pk]) if person else reverse("people:roster")
    return render(request, "form_page.html", {"form": form, "title": title, "cancel_url": cancel_url})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_changeable_or_404(request, Person.objects.select_related("branch"), pk, refuse=PermissionDenied)
    return _edit_form(request, person)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    require_role(request, CHANGE)
    return _edit_form(request, None)


@login_required
def appoint_cadre(request: HttpRequest, pk: int) -> HttpResponse:
    """Appoint a secretary or committee member of an organisation (定人定岗定责)."""
    org = get_changeable_or_404(request, Organization, pk, path_field="path", refuse=PermissionDenied)
    form = AppointCadreForm(request.POST or None, initial={"start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        done = _("The cadre of %(org)s was appointed.") % {"org": org.name}
        with form_step(request, form, done) as step:
            person = services.find_person_by_number(request.user, form.cleaned_data["person_number"])
            services.appoint_cadre(
                request.user,
                person=person,
                organization=org,
                title=form.cleaned_data["title"],
                start=form.cleaned_data["start"],
            )
        if step.ok:
            return redirect("orgs:detail", pk=org.pk)
    title = _("Appoint a cadre of %(org)s") % {"org": org.name}
    cancel_url = reverse("orgs:detail", args=[org.pk])
    return render(request, "form_page.html", {"form": form, "title": title, "cancel_url": cancel_url})


@login_required
def end_cadre(request: HttpRequest, pk: int) -> HttpResponse:
    """End a position: the cadre leaves it on the given day, and the history keeps it."""
    position = get_changeable_or_404(
        request, CadrePosition.objects.select_related("person", "organization"), pk, refuse=PermissionDenied
    )
    form = EndCadreForm(request.POST or None, initial={"end": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        done = _("%(name)s's position ends on %(day)s.") % {
            "name": position.person.name,
            "day": form.cleaned_data["end"].isoformat(),
        }
        with form_step(request, form, done) as step:
            services.end_cadre(request.user, position, form.cleaned_data["end"])
        if step.ok:
            return redirect("orgs:detail", pk=position.organization_id)
    title = _("End %(name)s's position as %(title)s") % {
        "name": position.person.name,
        "title": position.get_title_display(),
    }
    cancel_url = reverse("orgs:detail", args=[position.organization_id])
    return render(request, "form_page.html", {"form": form, "title": title, "cancel_url": cancel_url})


# --- Excel export and the import template -------------------------------------------------------------


def full_export_allowed(user: Any, filterset: PersonFilter) -> bool:
    """May ``user`` export the rows of ``filterset`` with full ID numbers and phones?

    Only when the user may change every row listed: their CHANGE scope covers the part of their VIEW
    scope that the filter's ``?org=`` subtree (or, without one, the whole VIEW scope) selects. Decided
    from the scopes and the organisation's path alone, without counting rows.
    """
    change = scope_for(user, CHANGE)
    if change.everything:
        return True
    if not filterset.is_valid():
        return False
    view = scope_for(user)
    if filterset.form.cleaned_data.get("org") is None:
        parts: tuple[str, ...] | list[str] = () if view.everything else view.prefixes
    else:
        org = filterset.subtree_org
        if org is None:
            return False
        if change.covers_path(org.path):
            return True
        if view.covers_path(org.path):  # the whole subtree is listed, and it is not all the user's to change
            return False
        parts = [prefix for prefix in view.prefixes if prefix.startswith(org.path)]
    return bool(parts) and all(change.covers_path(prefix) for prefix in parts)


def _audited_filters(filterset: PersonFilter) -> dict[str, Any]:
    """The filter's cleaned values as JSON (empty ones left out), for the AccessLog row."""
    filters: dict[str, Any] = {}
    for key, value in filterset.form.cleaned_data.items():
        if value is None or value == "":
            continue
        if isinstance(value, decimal.Decimal):
            value = int(value) if value == value.to_integral_value() else str(value)
        elif not isinstance(value, str | int | float | bool):
            value = str(value)
        if key == "q" and isinstance(value, str) and sum(c.isdigit() for c in value) > 6:
            value = mask_phone(value)  # a whole phone or ID number typed as the search: masked, as in the logs
        filters[key] = value
    return filters


def _export_org_path(user: Any, filterset: PersonFilter) -> str:
    """The subtree an export was drawn from, for the AccessLog row: the ``?org=`` organisation's path,
    else the deepest path shared by the user's VIEW subtrees ("" for the whole system)."""
    if filterset.form.cleaned_data.get("org") is not None:
        org = filterset.subtree_org
        return org.path if org is not None else ""
    return scope_for(user).common_prefix(STEP_WIDTH)


@login_required
@reads_from_replica
def export(request: HttpRequest) -> HttpResponse | FileResponse:
    """The roster as filtered on the roster page, as an .xlsx file; ``?full=1`` for full ID numbers and
    phones (only for rows the user may change, else 403). Every export leaves one AccessLog row."""
    require_role(request)
    params, _expired = search_terms.expand(request, request.GET)
    filterset = PersonFilter(params, queryset=Person.objects.visible_to(request.user))
    if not filterset.is_valid():
        errors = " ".join(str(error) for errors in filterset.errors.values() for error in errors)
        message = _("These filters are not valid: %(errors)s") % {"errors": errors}
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    full = request.GET.get("full") == "1"
    if full and not full_export_allowed(request.user, filterset):
        raise PermissionDenied
    qs = filterset.qs.order_by(*(attribute for attribute, _column in filterset.sort_keys))

    filename = f"团员名册-{timezone.localdate():%Y%m%d}.xlsx"
    audit = {
        "fields": "id_number,phone" if full else "",
        "filters": _audited_filters(filterset),
        "org_path": _export_org_path(request.user, filterset),
    }
    return xlsx_response(request, filename, lambda out: export_roster(qs, out, full=full), audit=audit)


@login_required
def import_template(request: HttpRequest) -> FileResponse:
    """The empty roster workbook to fill in for an import, with drop-down lists and instructions."""
    require_role(request)
    return xlsx_response(request, "团员导入模板.xlsx", build_template)
