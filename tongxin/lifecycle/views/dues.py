"""Dues pages (团费, 党费): a branch's monthly ledger where the secretary marks payments in bulk, the
arrears of a subtree, the monthly summary with drill-down to the children, a person's dues basis, and
the .xlsx exports of all three. Every organisation and person is fetched through ``visible_to``: out of
scope is 404; changing needs the CHANGE scope (403 otherwise)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import register_converter, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tongxin.core import params
from tongxin.core.dbrouting import reads_from_replica
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import InWindow
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import form_step, get_changeable_or_404, get_scoped_or_404, has_role, xlsx_table_response
from tongxin.lifecycle import dues_queries as queries
from tongxin.lifecycle.models import DuesCategory, DuesKind, DuesPayment
from tongxin.lifecycle.services import dues as services
from tongxin.orgs.models import Organization
from tongxin.orgs.queries import top_organizations
from tongxin.orgs.services import ancestors_of
from tongxin.people.models import Person

ARREARS_PAGE_SIZE = 100
ARREARS_CHOICES = (3, 6, 12)


class MonthConverter:
    """``yyyy-mm`` in a URL, as the first day of that month."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> datetime.date:
        month = services.parse_month(value)
        if month is None:
            raise ValueError(value)
        return month

    def to_url(self, value: datetime.date | str) -> str:
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        if services.parse_month(value) is None:
            raise ValueError(value)
        return value


register_converter(MonthConverter, "dues_month")


# --- helpers ---------------------------------------------------------------------------------------------


def _kind(request: HttpRequest, org: Organization) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind")
    return kind if kind in DuesKind.values else services.default_kind(org)


def _month(request: HttpRequest) -> datetime.date:
    return params.month_param(request)


def _ancestors(request: HttpRequest, org: Organization) -> list[Organization]:
    scope = scope_for(request.user)
    return [a for a in ancestors_of(org) if scope.covers_path(a.path)]


def _org_kind(request: HttpRequest, pk: int) -> tuple[Organization, str]:
    """The organisation of a dues page (404 outside the user's scope) and the kind of dues asked for."""
    org = get_scoped_or_404(request, Organization, pk)
    return org, _kind(request, org)


def _header(request: HttpRequest, org: Organization, kind: str, kind_query: str) -> dict[str, Any]:
    """What an organisation's dues page shows above its table: the kind tabs (their links keep ``kind_query``)
    and the way up."""
    ancestors = _ancestors(request, org)
    return {"org": org, "kind": kind, "kinds": DuesKind.choices, "ancestors": ancestors, "kind_query": kind_query}


def _month_header(
    request: HttpRequest, org: Organization, kind: str, month: datetime.date, kind_query: str = ""
) -> dict[str, Any]:
    """:func:`_header` of a page for one month (the ledger, the summary): its title and the months either side."""
    title = _("%(kind)s of %(org)s, %(month)s") % {
        "kind": services.kind_label(kind),
        "org": org.display_name,
        "month": f"{month:%Y-%m}",
    }
    return {
        **_header(request, org, kind, kind_query),
        "title": title,
        "month": month,
        "prev_month": services.add_months(month, -1),
        "next_month": services.add_months(month, 1),
    }


def dues_url(org: Organization, month: datetime.date, kind: str) -> str:
    """The page of ``org`` for ``month``: the ledger of a branch, else the summary of its subtree."""
    if org.holds_members:
        return f"{reverse('lifecycle:dues_ledger', args=[org.pk, month])}?kind={kind}"
    return f"{reverse('lifecycle:dues_summary', args=[org.pk])}?month={month:%Y-%m}&kind={kind}"


def _money(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


# --- the dues home ----------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where the dues pages start: the summary (or ledger) of the user's organisation, or of the ``?org=``
    one if it is in scope; ``?month=yyyy-mm`` (default: this month)."""
    if not has_role(request):
        if getattr(request.user, "person_id", None):
            return redirect("lifecycle:my_dues")  # a member: his own dues, not "no role"
        return render(request, "core/no_role.html")
    month = params.month_param(request)
    org_id = params.parse_id(request.GET.get("org"))
    if org_id is not None:
        org = Organization.objects.visible_to(request.user).filter(pk=org_id).first()
        if org is not None:
            return redirect(dues_url(org, month, services.default_kind(org)))
    tops = top_organizations(request.user)
    if len(tops) == 1:
        return redirect(dues_url(tops[0], month, services.default_kind(tops[0])))
    links = [(org, dues_url(org, month, services.default_kind(org))) for org in tops]
    return render(request, "lifecycle/dues/home.html", {"links": links, "title": _("Dues")})


# --- the ledger of a branch ---------------------------------------------------------------------------------


class MarkPaidForm(BootstrapFormMixin, forms.Form):
    """The date of a bulk marking; the people are the ticked ``person`` checkboxes."""

    paid_on = forms.DateField(label=gettext_lazy("Paid on"), validators=[InWindow("history")])


@login_required
def ledger(request: HttpRequest, pk: int, month: datetime.date) -> HttpResponse:
    """The members of a branch for one month: category, amount due, paid or not; the secretary ticks the
    ones who paid and marks them in one go (POST), or takes back a payment marked by mistake."""
    branch, kind = _org_kind(request, pk)
    if not branch.holds_members:
        return redirect(dues_url(branch, month, kind))
    can_change = scope_for(request.user, CHANGE).covers_path(branch.path)
    errors: list[str] = []
    selected: set[int] = set()
    paid_on = timezone.localdate()
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        here = f"{reverse('lifecycle:dues_ledger', args=[branch.pk, month])}?kind={kind}"
        undo = request.POST.get("undo", "")
        try:
            if undo:
                payment = get_object_or_404(
                    DuesPayment.objects.filter(org_path=branch.path).select_related("person"),
                    pk=int(undo) if undo.isdecimal() and len(undo) <= 12 else 0,
                )
                services.undo_payment(request.user, payment)
                messages.success(
                    request,
                    _("The payment of %(name)s for %(month)s was taken back.")
                    % {"name": payment.person.name, "month": f"{payment.month:%Y-%m}"},
                )
                return redirect(here)
            ids = [int(v) for v in request.POST.getlist("person") if v.isdecimal() and len(v) <= 12]
            selected = set(ids)
            form = MarkPaidForm(request.POST)
            if not form.is_valid():
                raise DomainError(errors={k: list(v) for k, v in form.errors.items()})
            paid_on = form.cleaned_data["paid_on"]
            done = services.mark_paid(
                request.user, branch=branch, kind=kind, month=month, person_ids=ids, paid_on=paid_on
            )
        except DomainError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d member marked paid for %(month)s.",
                    "%(count)d members marked paid for %(month)s.",
                    len(done),
                )
                % {"count": len(done), "month": f"{month:%Y-%m}"},
            )
            return redirect(here)
    data = queries.ledger(branch, kind, month)
    context = {
        **_month_header(request, branch, kind, month),
        "ledger": data,
        "can_change": can_change,
        "errors": errors,
        "selected": selected,
        "paid_on": paid_on,
        "today": timezone.localdate(),
        "markable": sum(1 for row in data.rows if row.can_mark),
    }
    return render(request, "lifecycle/dues/ledger.html", context)


@login_required
@reads_from_replica
def ledger_export(request: HttpRequest, pk: int, month: datetime.date) -> HttpResponseBase:
    """The ledger as .xlsx (names, categories, amounts; no ID numbers), recorded in the access log."""
    branch, kind = _org_kind(request, pk)
    if not branch.holds_members:
        return redirect(dues_url(branch, month, kind))
    data = queries.ledger(branch, kind, month)
    yes, no = _("Paid"), _("Unpaid")
    rows = (
        [
            row.person.name,
            row.category_label,
            row.amount if row.amount is not None else _("Income needed"),
            yes if row.paid else (no if row.owes else _("Not a member yet")),
            row.paid_on,
        ]
        for row in data.rows
    )
    headers = [_("Name"), _("Dues category"), _("Amount due (yuan)"), _("Status"), _("Paid on")]
    filename = f"{branch.display_name}-{services.kind_label(kind)}-{month:%Y-%m}.xlsx"
    filters = {"kind": kind, "month": f"{month:%Y-%m}"}
    audit = {"obj": branch, "fields": "dues", "filters": filters, "org_path": branch.path}
    return xlsx_table_response(request, filename, _("Dues ledger"), headers, rows, audit=audit)


# --- arrears ---------------------------------------------------------------------------------------------


def _arrears_months(request: HttpRequest) -> int:
    value = params.parse_int(request.GET.get("months"))
    return value if value in ARREARS_CHOICES else queries.ARREARS_MONTHS


@login_required
def arrears(request: HttpRequest, pk: int) -> HttpResponse:
    """Members of the subtree with unpaid months in the last N months (``?months=``, default 6)."""
    org, kind = _org_kind(request, pk)
    months = _arrears_months(request)
    start, end = queries.arrears_window(months)
    page = queries.arrears_page(org, kind, months, request.GET.get("page"), ARREARS_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **_header(request, org, kind, f"months={months}&"),
        "title": _("Arrears of %(org)s") % {"org": org.display_name},
        "months": months,
        "month_choices": ARREARS_CHOICES,
        "start": start,
        "end": end,
        "page": page,
        "query": query.urlencode(),
        "current_month": services.current_month(),
    }
    return render(request, "lifecycle/dues/arrears.html", context)


@login_required
@reads_from_replica
def arrears_export(request: HttpRequest, pk: int) -> FileResponse:
    org, kind = _org_kind(request, pk)
    months = _arrears_months(request)
    qs = queries.arrears(org, kind, months)
    rows = (
        [
            p.name,
            p.branch.name if p.branch else "",
            p.unpaid_months,
            f"{p.last_paid_month:%Y-%m}" if p.last_paid_month else "",
        ]
        for p in qs.iterator(chunk_size=2000)
    )
    headers = [_("Name"), _("Branch"), _("Unpaid months"), _("Last month paid")]
    filename = f"{org.display_name}-{services.kind_label(kind)}-{_('arrears')}.xlsx"
    audit = {"obj": org, "fields": "dues", "filters": {"kind": kind, "months": months}, "org_path": org.path}
    return xlsx_table_response(request, filename, _("Dues arrears"), headers, rows, audit=audit)


# --- the monthly summary -------------------------------------------------------------------------------------


def _summary(request: HttpRequest, pk: int) -> tuple[Organization, str, datetime.date, queries.Summary]:
    """The organisation, kind and month asked for, and the summary of that month."""
    org, kind = _org_kind(request, pk)
    month = _month(request)
    return org, kind, month, queries.monthly_summary(org, kind, month)


@login_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    """Per child organisation: members who owe the month, paid, collected, rate; each row drills down."""
    org, kind, month, data = _summary(request, pk)
    rows = [(row, dues_url(row.org, month, kind)) for row in data.rows]
    header = _month_header(request, org, kind, month, f"month={month:%Y-%m}&")
    context = {**header, "summary": data, "rows": rows}
    return render(request, "lifecycle/dues/summary.html", context)


@login_required
@reads_from_replica
def summary_export(request: HttpRequest, pk: int) -> FileResponse:
    """The summary as .xlsx: counts and sums only, no personal data (no access log row)."""
    org, kind, month, data = _summary(request, pk)

    def values(name: str, row: queries.SummaryRow) -> list[Any]:
        return [name, row.members, row.paid, row.unpaid, row.rate, row.collected]

    rows = [values(row.org.name, row) for row in data.rows]
    rows.append(values(_("Total"), data.total))
    headers = [_("Organisation"), _("Members"), _("Paid"), _("Unpaid"), _("Rate"), _("Collected (yuan)")]
    filename = f"{org.display_name}-{services.kind_label(kind)}-{month:%Y-%m}.xlsx"
    return xlsx_table_response(request, filename, _("Dues summary"), headers, rows)


# --- a person's dues basis ---------------------------------------------------------------------------------


class DuesProfileForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Dues category"), choices=DuesCategory.choices)
    monthly_income = forms.DecimalField(
        label=gettext_lazy("Monthly income after tax (yuan)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("Needed for wage earners and retirees; leave empty for the other categories."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.attrs["class"] = "form-select"
        self.fields["monthly_income"].widget.attrs.update({"class": "form-control", "inputmode": "decimal"})


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """Set what a person's dues are worked out from: category and monthly income after tax."""
    person = get_changeable_or_404(request, Person.objects.select_related("dues_profile"), pk, refuse=PermissionDenied)
    current = services.profile_of(person)
    category, income = services.effective_basis(person, current)
    form = DuesProfileForm(request.POST or None, initial={"category": category, "monthly_income": income})
    next_url = _safe_next(request) or reverse("people:detail", args=[person.pk])
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("The dues basis of %(name)s was saved.") % {"name": person.name}) as step:
            services.set_dues_profile(
                request.user, person, form.cleaned_data["category"], form.cleaned_data["monthly_income"]
            )
        if step.ok:
            return redirect(next_url)
    amounts = []
    for kind in (DuesKind.LEAGUE, DuesKind.PARTY):
        if person.political_status in services.DUES_STATUSES[kind]:
            amount = services.monthly_amount(person, kind, current)
            label = services.kind_label(kind)
            if amount is None:
                amounts.append(_("%(kind)s: the monthly income is needed to work them out.") % {"kind": label})
            else:
                amounts.append(_("%(kind)s now: %(amount)s yuan a month.") % {"kind": label, "amount": _money(amount)})
    notes = [] if current else [_("No dues basis recorded yet: the category shown follows the occupation.")]
    intro = " ".join([*notes, *amounts])
    context = {
        "form": form,
        "title": _("Dues basis of %(name)s") % {"name": person.name},
        "intro": intro,
        "cancel_url": next_url,
        "next": next_url,
    }
    return render(request, "lifecycle/dues/profile.html", context)
