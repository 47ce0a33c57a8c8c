"""The four lists (四清单), duties (定人定岗定责) and the lapse list (自行脱团), as pages.

* ``/orglife/orgs/<pk>/checklists/``: an organisation's four lists as tabs (``?kind=``), each item with its
  status, owner and deadline (overdue ones highlighted); ``?overdue=1`` lists the overdue items of the
  whole subtree. A panel counts the overdue items per child organisation, each a link to the child's page
  (drill-down). A POST adds an item (CHANGE over the organisation).
* ``/orglife/checklists/items/<pk>/``: one item with its progress notes and evidence; ``note/`` posts a note
  with files, ``act/`` posts ``action`` = request_closing, verify or reopen; ``attachments/<pk>/`` serves
  a piece of evidence.
* ``/orglife/orgs/<pk>/duties/``: the organisation's committee members (current cadre positions) with
  their duties, editable; ``duties/<pk>/end/`` removes one.
* ``/orglife/lapse/``: league members listed for lapse, per branch (``?org=`` narrows it).

Everything is scoped: an organisation or item outside the user's subtrees is 404 (an item's owner also
sees their own item).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.core import params, uploads
from tongxin.core.exceptions import DomainError
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.pagination import keyset_page
from tongxin.core.registry import page_context
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import form_step, get_scoped_or_404, require_role
from tongxin.orglife.lapse import lapse_candidates, lapse_since
from tongxin.orglife.models import Attachment, ChecklistItem, ChecklistKind, ChecklistNote, ChecklistStatus, Duty
from tongxin.orglife.services import checklists as services
from tongxin.orgs.models import STEP_WIDTH, Organization
from tongxin.people.models import CadrePosition, Person

LIST_LIMIT = 300
LAPSE_PAGE_SIZE = 50  # a phone shows them a page at a time, in branch order
LAPSE_KEYS = [
    ("org_path", "people_person.org_path"),
    ("name_pinyin", "people_person.name_pinyin"),
    ("id", "people_person.id"),
]


def _item_or_404(request: HttpRequest, pk: int) -> ChecklistItem:
    """An item in the user's scope, or one they own (the model's scope declaration says both)."""
    qs = ChecklistItem.objects.select_related("organization", "owner", "problem", "verified_by")
    return get_scoped_or_404(request, qs, pk)


def _ancestor_paths(org: Organization) -> list[str]:
    return [org.path[:end] for end in range(STEP_WIDTH, len(org.path) + 1, STEP_WIDTH)]


class ItemForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("List"), choices=ChecklistKind.choices)
    content = forms.CharField(label=gettext_lazy("Content"), widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=4000)  # fmt: skip
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=Person.objects.none(), required=False)
    deadline = forms.DateField(label=gettext_lazy("Deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    problem = forms.ModelChoiceField(
        label=gettext_lazy("Problem rectified"),
        queryset=ChecklistItem.objects.none(),
        required=False,
        help_text=gettext_lazy("A rectification item names the problem it rectifies."),
    )

    def __init__(self, *args: Any, org: Organization, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cadre_ids = CadrePosition.objects.filter(organization=org, end__isnull=True).values("person_id")
        owners = Person.objects.visible_to(user).filter(pk__in=cadre_ids)
        if org.holds_members:
            owners = owners | Person.objects.visible_to(user).active().filter(branch=org)
        self.fields["owner"].queryset = owners.order_by("name_pinyin", "id")  # type: ignore[attr-defined]
        # The open problems of the organisation and of those above it (which it may be asked to rectify).
        self.fields["problem"].queryset = ChecklistItem.objects.filter(  # type: ignore[attr-defined]
            kind=ChecklistKind.PROBLEM, org_path__in=_ancestor_paths(org)
        ).exclude(status=ChecklistStatus.CLOSED)


def _mark_overdue(items: list[ChecklistItem], today: Any) -> list[ChecklistItem]:
    for item in items:
        item.is_overdue = bool(  # type: ignore[attr-defined]
            item.deadline and item.deadline < today and item.status != ChecklistStatus.CLOSED
        )
    return items


@login_required
def checklists(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped_or_404(request, Organization, pk)
    user = request.user
    today = timezone.localdate()
    can_change = scope_for(user, CHANGE).covers_path(org.path)
    form = ItemForm(request.POST or None, org=org, user=user)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            with form_step(request, form, _("The item is added.")) as step:
                item = services.add_item(
                    user, organization=org, kind=data["kind"], content=data["content"], owner=data["owner"],
                    deadline=data["deadline"], problem=data["problem"],
                )  # fmt: skip
            if step.ok:
                return redirect(f"{reverse('orglife:checklists', args=[org.pk])}?kind={item.kind}")
    overdue_only = request.GET.get("overdue") == "1"
    kind = request.GET.get("kind", "")
    if kind not in ChecklistKind.values:
        kind = ChecklistKind.RESPONSIBILITY
    base = ChecklistItem.objects.visible_to(user).select_related("owner", "organization", "problem")
    if overdue_only:
        qs = base.in_subtree(org.path).filter(services.overdue_q(today)).order_by("deadline", "org_path", "id")
    else:
        qs = base.filter(organization=org, kind=kind)
    items = _mark_overdue(list(qs[: LIST_LIMIT + 1]), today)
    counts = dict(
        ChecklistItem.objects.filter(organization=org).order_by().values("kind").annotate(n=Count("id"))
        .values_list("kind", "n")
    )  # fmt: skip
    tabs = [(value, label, counts.get(value, 0)) for value, label in ChecklistKind.choices]
    context = {
        "title": _("Four lists of %(org)s") % {"org": org.display_name},
        "org": org,
        "kind": kind,
        "overdue_only": overdue_only,
        "tabs": tabs,
        "items": items[:LIST_LIMIT],
        "too_many": len(items) > LIST_LIMIT,
        "overdue": services.overdue_counts(user, org, today=today),
        "can_change": can_change,
        "form": form,
    }
    return render(request, "orglife/checklists/org.html", context)


class NoteForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=gettext_lazy("Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


def _item_context(request: HttpRequest, item: ChecklistItem, note_form: NoteForm | None = None,
                  errors: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    user = request.user
    today = timezone.localdate()
    _mark_overdue([item], today)
    attachments = Attachment.objects.defer("content").order_by("id")
    notes = list(
        ChecklistNote.objects.filter(item=item).select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
    )  # fmt: skip
    can_change = scope_for(user, CHANGE).covers_path(item.org_path)
    is_owner = getattr(user, "person_id", None) is not None and user.person_id == item.owner_id  # type: ignore[union-attr]
    status = item.status
    return {
        "title": str(item),
        "item": item,
        "notes": notes,
        "rectifications": list(item.rectifications.all()) if item.kind == ChecklistKind.PROBLEM else [],
        "can_note": (can_change or is_owner) and status != ChecklistStatus.CLOSED,
        "can_request": (can_change or is_owner) and status in TRANSITIONS_FROM["request_closing"],
        "can_verify": can_change and status == ChecklistStatus.AWAITING_VERIFICATION and not is_owner,
        "can_reopen": can_change and status in TRANSITIONS_FROM["reopen"],
        "note_form": note_form or NoteForm(),
        "errors": errors or [],
        "max_mb": uploads.max_bytes() // (1024 * 1024),
    }


TRANSITIONS_FROM = {name: allowed for name, (allowed, _target) in services.TRANSITIONS.items()}


@login_required
def checklist_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    return render(request, "orglife/checklists/item.html", _item_context(request, item))


@login_required
@require_POST
def checklist_note(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        files = [(f.name or "", f.read()) for f in request.FILES.getlist("files")[: services.MAX_FILES_PER_NOTE + 1]]
        try:
            services.add_note(request.user, item, text=form.cleaned_data["text"], files=files)
        except DomainError as exc:
            context = _item_context(request, item, note_form=form, errors=exc.messages)
            return render(request, "orglife/checklists/item.html", context)
        messages.success(request, _("The progress note is added."))
        return redirect("orglife:checklist_item", pk=item.pk)
    return render(request, "orglife/checklists/item.html", _item_context(request, item, note_form=form))


ACTIONS = {
    "request_closing": (services.request_closing, gettext_lazy("The item awaits verification.")),
    "verify": (services.verify, gettext_lazy("The item is verified and closed.")),
    "reopen": (services.reopen, gettext_lazy("The item is reopened.")),
}


@login_required
@require_POST
def checklist_act(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    entry = ACTIONS.get(request.POST.get("action", ""))
    if entry is None:
        messages.error(request, _("Unknown action."))
        return redirect("orglife:checklist_item", pk=item.pk)
    service, done = entry
    try:
        service(request.user, item)
    except DomainError as exc:
        item.refresh_from_db()
        return render(request, "orglife/checklists/item.html", _item_context(request, item, errors=exc.messages))
    messages.success(request, str(done))
    return redirect("orglife:checklist_item", pk=item.pk)


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """One piece of evidence, served to whoever may see its item (404 for anyone else)."""
    row = get_object_or_404(Attachment.objects.select_related("note__item"), pk=pk, note__isnull=False)
    item = row.note.item  # type: ignore[union-attr]
    if not ChecklistItem.objects.visible_to(request.user).filter(pk=item.pk).exists():
        raise Http404
    return uploads.serve_upload(bytes(row.content), row.content_type, row.file_name)


# --- duties ------------------------------------------------------------------------------------------------


class DutyForm(BootstrapFormMixin, forms.Form):
    person = forms.ModelChoiceField(label=gettext_lazy("Committee member"), queryset=Person.objects.none())
    post = forms.CharField(label=gettext_lazy("Post"), max_length=100)
    responsibilities = forms.CharField(label=gettext_lazy("Responsibilities"),
                                       widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)  # fmt: skip

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


@login_required
def duties(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped_or_404(request, Organization, pk)
    user = request.user
    can_change = scope_for(user, CHANGE).covers_path(org.path)
    today = timezone.localdate()
    positions = list(
        CadrePosition.objects.filter(organization=org, start__lte=today)
        .exclude(end__lte=today)
        .select_related("person")
        .order_by("title", "start", "id")
    )
    people_ids = {p.person_id for p in positions}
    form = DutyForm(request.POST or None, people=Person.objects.filter(pk__in=people_ids))
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            with form_step(request, form, _("The duty is saved.")) as step:
                services.set_duty(user, organization=org, person=data["person"], post=data["post"],
                                  responsibilities=data["responsibilities"])  # fmt: skip
            if step.ok:
                return redirect("orglife:duties", pk=org.pk)
    by_person = {d.person_id: d for d in Duty.objects.filter(organization=org).select_related("person")}
    rows = [{"position": p, "duty": by_person.get(p.person_id)} for p in positions]
    others = [d for pid, d in by_person.items() if pid not in people_ids]  # duties of people no longer in post
    context = {
        "title": _("Duties of %(org)s") % {"org": org.display_name},
        "org": org,
        "rows": rows,
        "others": others,
        "form": form,
        "can_change": can_change and bool(positions),
    }
    return render(request, "orglife/checklists/duties.html", context)


@login_required
@require_POST
def duty_end(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_scoped_or_404(request, Duty, pk)
    org_pk = duty.organization_id
    services.end_duty(request.user, duty)
    messages.success(request, _("The duty is removed."))
    return redirect("orglife:duties", pk=org_pk)


# --- lapse ------------------------------------------------------------------------------------------------


@login_required
def lapse(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_role(request)
    raw = request.GET.get("org", "")
    org = None
    if raw:
        if (org_id := params.parse_id(raw)) is None:
            raise Http404
        org = get_scoped_or_404(request, Organization, org_id)
    today = timezone.localdate()
    qs = lapse_candidates(user, org, today=today).select_related("branch")
    total = qs.count()
    jump = params.parse_int(request.GET.get("page"))  # the pager's page-number form
    page = keyset_page(qs, LAPSE_KEYS, request.GET.get("cursor"), LAPSE_PAGE_SIZE, total=total, jump=jump)
    groups = [
        {"branch": rows[0].branch, "people": rows}
        for rows in (list(g) for _b, g in groupby(page.rows, key=lambda p: p.branch_id))
    ]
    context = {
        "title": _("Members who may have lapsed"),
        "org": org,
        "groups": groups,
        "page": page,
        "query": f"org={org.pk}" if org else "",
        "total": total,
        "months": rule("lapse_months"),
        "since": lapse_since(today),
        # the lifecycle app's part: each member's open lapse case, or the form to propose him (core.registry)
        **page_context("orglife:lapse", request, page.rows),
    }
    return render(request, "orglife/checklists/lapse.html", context)
