"""Transfer pages: the lists (waiting for me, outgoing, incoming, stalled), starting one from either
side, the transfer's page with the actions open to the viewer, and the bulk approval."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.core import params
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import text_refusal
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import get_scoped_or_404, has_role, require_role
from tongxin.lifecycle.forms import AcceptForm, RejectForm, TransferInForm, TransferOutForm
from tongxin.lifecycle.models import Transfer, TransferSide, TransferStatus
from tongxin.lifecycle.services import transfers as services
from tongxin.orgs.models import LEAGUE_KINDS, MEMBER_HOLDING_KINDS, Organization, OrgStatus, path_ids
from tongxin.people.models import Person

PAGE_SIZE = 50
TABS = ("waiting", "out", "in", "stalled", "all")


def _tab_queryset(request: HttpRequest, tab: str):
    user = request.user
    visible = Transfer.objects.visible_to(user)
    if tab == "waiting":
        return services.waiting_for(user)
    if tab == "stalled":
        return services.stalled(visible)
    if tab in ("out", "in"):  # one side only: the user's subtrees on that side
        return visible.filter(scope_for(user).q("from_path" if tab == "out" else "to_path"))
    return visible


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    require_role(request, members=True)
    tab = request.GET.get("tab") or "waiting"
    if tab not in TABS:
        tab = "waiting"
    qs = _tab_queryset(request, tab).select_related("person", "from_org", "to_org", "to_branch")
    status = request.GET.get("status") or ""
    if status in TransferStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-last_action_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    services.mark_revealed(request.user, page.object_list)
    context = {
        "page": page,
        "tab": tab,
        "status": status,
        "statuses": TransferStatus.choices,
        "title": _("Transfers"),
        "can_act": tab == "waiting",
        "can_ask_in": has_role(request, CHANGE),  # a viewer or a member may not ask: no button leading to a 404
        "counts": {"waiting": services.waiting_for(request.user).count()},
        "query": f"tab={tab}&status={status}",
    }
    return render(request, "lifecycle/transfers/list.html", context)


@login_required
@require_POST
def act_on_selected(request: HttpRequest) -> HttpResponse:
    """Approve or accept the selected transfers of the "waiting for me" list in one go."""
    ids = params.parse_ids(request.POST.getlist("ids"), limit=PAGE_SIZE * 4)
    chosen = list(services.waiting_for(request.user).filter(pk__in=ids).select_related("person", "to_org"))
    if not chosen:
        messages.warning(request, _("Select the transfers to approve first."))
        return redirect(f"{reverse('lifecycle:transfers')}?tab=waiting")
    done, failed = services.act_on_many(request.user, chosen)
    if done:
        messages.success(request, _("%(n)d transfers moved on.") % {"n": len(done)})
    for transfer, reason in failed:
        messages.error(request, f"{transfer.person.name}: {reason}")
    return redirect(f"{reverse('lifecycle:transfers')}?tab=waiting")


def _visible(request: HttpRequest, pk: int) -> Transfer:
    """A transfer in the user's scope, or a member's own (they follow it)."""
    qs = Transfer.objects.select_related(
        "person",
        "from_org",
        "to_org",
        "to_branch",
        "started_by__person",
        "out_approved_by__person",
        "in_accepted_by__person",
        "closed_by__person",
    )
    return get_scoped_or_404(request, qs, pk)


def _actions(request: HttpRequest, transfer: Transfer) -> dict[str, bool]:
    change = scope_for(request.user, CHANGE)
    out_side = change.covers_path(transfer.from_path)
    in_side = bool(transfer.to_path) and change.covers_path(transfer.to_path)
    own = getattr(request.user, "person_id", None) == transfer.person_id
    pending_out = transfer.status == TransferStatus.PENDING_OUT
    pending_in = transfer.status == TransferStatus.PENDING_IN
    starter: dict[str, bool] = {
        TransferSide.MEMBER: own or out_side,
        TransferSide.SENDING: out_side,
        TransferSide.RECEIVING: in_side,
    }

    def allow(step: str) -> bool:  # four eyes: not the steps of her own case the table keeps for others
        return services.TRANSFERS.four_eyes_allow(request.user, transfer, step)

    return {
        "approve": pending_out and out_side and allow("approve_out"),
        "accept": pending_in and in_side and allow("accept_in"),
        "reject": ((pending_out and out_side) or (pending_in and in_side)) and allow("reject"),
        "cancel": transfer.is_open and starter.get(transfer.started_by_side, False),
    }


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _visible(request, pk)
    services.mark_revealed(request.user, [transfer])
    actions = _actions(request, transfer)
    accept_form = None
    if actions["accept"] and transfer.to_org and transfer.to_org.kind not in MEMBER_HOLDING_KINDS:
        accept_form = AcceptForm(to_org=transfer.to_org)
    context = {
        "transfer": transfer,
        "actions": actions,
        "accept_form": accept_form,
        "reject_form": RejectForm() if actions["reject"] else None,
        "stalled": transfer.is_open and services.stalled(Transfer.objects.filter(pk=transfer.pk)).exists(),
        "title": _("Transfer of %(name)s") % {"name": transfer.shown_person},  # type: ignore[attr-defined]
    }
    return render(request, "lifecycle/transfers/detail.html", context)


def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    transfer = _visible(request, pk)
    try:
        if action == "approve":
            services.approve_out(request.user, transfer)
            messages.success(request, _("Approved: the receiving side has been asked to accept."))
        elif action == "accept":
            branch = None
            if transfer.to_org and transfer.to_org.kind not in MEMBER_HOLDING_KINDS:
                form = AcceptForm(request.POST, to_org=transfer.to_org)
                if not form.is_valid():
                    raise DomainError("branch", _("Choose the branch that receives the member."))
                branch = form.cleaned_data["branch"]
            services.accept_in(request.user, transfer, branch=branch)
            messages.success(request, _("Accepted: %(name)s is now a member here.") % {"name": transfer.person.name})
        elif action == "reject":
            services.reject(request.user, transfer, reason=request.POST.get("reason", ""))
            messages.success(request, _("The transfer was rejected."))
        else:
            services.cancel(request.user, transfer)
            messages.success(request, _("The transfer was cancelled."))
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    return redirect("lifecycle:transfer_detail", pk=transfer.pk)


@login_required
def start_out(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a transfer out of the person's branch: as its secretary (sending side) or as the member."""
    person = get_scoped_or_404(request, Person.objects.select_related("branch"), pk)
    if scope_for(request.user, CHANGE).covers_path(person.org_path):
        side = TransferSide.SENDING
    elif getattr(request.user, "person_id", None) == person.pk:
        side = TransferSide.MEMBER
    else:
        raise Http404
    form = TransferOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.start_transfer(
                request.user, person=person, side=side, to_org=form.cleaned_data["to_org"],
                external_destination=form.cleaned_data["external_destination"],
                reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
            )  # fmt: skip
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _status_message(transfer, request.user))
            return redirect("lifecycle:transfer_detail", pk=transfer.pk)
    context = {
        "form": form,
        "person": person,
        "title": _("Transfer %(name)s out of %(org)s") % {"name": person.name, "org": person.branch},
        "cancel_url": reverse("people:detail", args=[person.pk]),
    }
    return render(request, "lifecycle/transfers/start.html", context)


@login_required
def start_in(request: HttpRequest) -> HttpResponse:
    """The receiving side asks for a member registered elsewhere, known by their ID number."""
    require_role(request, CHANGE)
    form = TransferInForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.ask_transfer_in(
                request.user, id_number=data["id_number"], to_org=data["to_org"], reason=data["reason"],
                note=data["note"],
            )  # fmt: skip
        except DomainError as exc:
            _form_errors(form, exc, default="id_number")
        else:
            messages.success(request, _status_message(transfer, request.user))
            return redirect("lifecycle:transfer_detail", pk=transfer.pk)
    context = {
        "form": form,
        "title": _("Ask for a member's transfer in"),
        "intro": _("The member's current branch is asked to approve; you accept once it has."),
        "submit_label": _("Ask for the transfer"),
        "cancel_url": reverse("lifecycle:transfers"),
    }
    return render(request, "form_page.html", context)


def _form_errors(form: Any, exc: DomainError, default: str | None = None) -> None:
    names = {"to_org": "destination", "person": None}
    for field, messages_ in exc.errors.items():
        target = names.get(field, field)
        if target not in form.fields:
            target = default if default in form.fields else None
        for message in messages_:
            form.add_error(target, message)


def _status_message(transfer: Transfer, user: Any) -> str:
    name = services.shown_name(transfer, services.reveals_person(user, transfer))
    if transfer.status == TransferStatus.COMPLETED:
        return _("%(name)s has been transferred out of the system.") % {"name": name}
    if transfer.status == TransferStatus.PENDING_IN:
        return _("The receiving side has been asked to accept %(name)s.") % {"name": name}
    return _("The sending branch has been asked to approve the transfer of %(name)s.") % {"name": name}


@login_required
def destinations(request: HttpRequest) -> HttpResponse:
    """Suggestions for the receiving organisation (names and codes of active league organisations,
    anywhere in the system: the sender must find a receiver outside their subtree)."""
    require_role(request, members=True)
    q = " ".join((request.GET.get("destination") or request.GET.get("q") or "").split())
    orgs: list[Organization] = []
    if len(q) >= 2 and not text_refusal(q):
        orgs = list(
            Organization.objects.filter(status=OrgStatus.ACTIVE, kind__in=LEAGUE_KINDS)
            .filter(Q(name__contains=q) | Q(code=q))
            .only("name", "code", "path")
            .order_by("depth", "path")[:20]
        )
    # Each match by its full path below the root (第一团委 › 第2团支部): twenty "第2团支部" look alike.
    above = {pk for org in orgs for pk in path_ids(org.path)[1:-1]}
    names = dict(Organization.objects.filter(pk__in=above).values_list("pk", "name")) if above else {}
    rows = [
        {"org": org, "path": " › ".join([*(names.get(pk, "") for pk in path_ids(org.path)[1:-1]), org.name])}
        for org in orgs
    ]
    return render(request, "lifecycle/transfers/_destinations.html", {"rows": rows, "q": q})
