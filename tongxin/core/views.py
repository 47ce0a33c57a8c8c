"""Pages every area shares: home, audit log, health, the inbox (待我处理) and the rules page."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.core import services, xlsx
from tongxin.core.audit import record_access
from tongxin.core.exceptions import DomainError
from tongxin.core.forms import BootstrapFormMixin
from tongxin.core.inbox import badge_key, pending_for
from tongxin.core.models import AccessLog, ChangeLog, Notification, RuleValue
from tongxin.core.pagination import keyset_page
from tongxin.core.registry import home_cards
from tongxin.core.rules import DEFAULTS, RULE_GROUPS, RULE_INFO
from tongxin.core.scoping import CHANGE, VIEW, Scope, ScopedQuerySet, scope_for

INBOX_PAGE_SIZE = 30


# --- the one way a page fetches a scoped object -------------------------------------------------------------


def get_scoped_or_404(request: HttpRequest, queryset: Any, pk: Any, action: str = VIEW):
    """The object ``pk`` among the rows of ``queryset`` (a model, or a queryset with its joins) that the user
    may ``action`` on, else 404: out of scope looks the same as missing. A member's own rows (his transfer, a
    checklist item he owns) are in his scope through the model's declaration (``ScopeSpec(own=...)``).

        review = get_scoped_or_404(request, AnnualReview.objects.select_related("branch"), pk)
        branch = get_scoped_or_404(request, Organization, pk, CHANGE)
    """
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    return get_object_or_404(queryset.visible_to(request.user, action), pk=pk)


def get_changeable_or_404(
    request: HttpRequest,
    queryset: Any,
    pk: Any,
    action: str = CHANGE,
    *,
    path_field: str = "org_path",
    refuse: type[Exception] = Http404,
):
    """The object ``pk`` the user sees (:func:`get_scoped_or_404`), refused unless its ``path_field`` lies in
    the user's scope for ``action`` too: ``refuse`` is Http404 (a page only for those who change) or
    PermissionDenied (a 403: seen, but not the user's to change).

        org = get_changeable_or_404(request, Organization, pk, MANAGE, path_field="path", refuse=PermissionDenied)
    """
    obj = get_scoped_or_404(request, queryset, pk)
    if not scope_for(request.user, action).covers_path(getattr(obj, path_field)):
        raise refuse
    return obj


def has_role(request: HttpRequest, action: str = VIEW, *, members: bool = False) -> bool:
    """Whether the user holds a role over some subtree for ``action`` (``members``: or is a member, linked to a
    person, whose own records the page shows)."""
    if scope_for(request.user, action).has_subtrees:
        return True
    return members and bool(getattr(request.user, "person_id", None))


def post_step(act: Callable[[HttpRequest, int, str], HttpResponse], step: str) -> Callable[..., HttpResponse]:
    """The page view of one POSTed step on an object: ``act(request, pk, step)`` for a logged-in user.

    path("reviews/<int:pk>/approve/", post_step(_act, "approve"), name="review_approve"),
    """

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return act(request, pk, step)

    view.__name__ = view.__qualname__ = step
    return view


def step_paths(prefix: str, name: str, act: Callable[[HttpRequest, int, str], HttpResponse], *steps: str) -> list:
    """One URL a POSTed step on an object, ``<prefix>/<pk>/<step>/`` named ``<name>_<step>`` (see :func:`post_step`).

    *step_paths("reviews", "review", _act, "grade", "submit", "approve"),  # reviews/<int:pk>/grade/ ...
    """
    return [path(f"{prefix}/<int:pk>/{step}/", post_step(act, step), name=f"{name}_{step}") for step in steps]


def flash_form_errors(request: HttpRequest, form: Any) -> None:
    """A form posted from a page that redirects back (no re-render): its errors, joined, as one message."""
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


@contextmanager
def page_step(request: HttpRequest, done: str) -> Iterator[None]:
    """Run a page's write: a DomainError becomes an error message (the page redirects as after success), a
    PermissionDenied a 404 (a step that is not the user's looks missing), else ``done`` is the success message:
    required, every write says what happened (issue 13).

        with page_step(request, _("The meeting was cancelled.")):
            services.cancel_meeting(request.user, meeting)
        return redirect("orglife:meeting_detail", pk=meeting.pk)
    """
    try:
        yield
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, done)


class FormStep:
    """What :func:`form_step` says of the write it ran: ``ok`` once it went through."""

    ok = False


@contextmanager
def form_step(
    request: HttpRequest, form: forms.BaseForm, done: str, *, denied_as_404: bool = False
) -> Iterator[FormStep]:
    """Run a form page's write: a DomainError becomes the form's errors (the page shows the form again), else
    ``done`` is the success message (required: every saved form says what happened) and the step is ``ok``
    (the page redirects). ``denied_as_404``: a
    PermissionDenied from the service is a 404 (a step that is not the user's looks missing).

        with form_step(request, form, _("The duty is saved.")) as step:
            services.set_duty(request.user, organization=org, **form.cleaned_data)
        if step.ok:
            return redirect("orglife:duties", pk=org.pk)
    """
    step = FormStep()
    try:
        yield step
    except DomainError as exc:
        exc.add_to_form(form)
    except PermissionDenied:
        if denied_as_404:
            raise Http404 from None
        raise
    else:
        step.ok = True
        messages.success(request, done)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@contextmanager
def xlsx_file() -> Iterator[IO[bytes]]:
    """A temporary file for an .xlsx download, closed (and so deleted) if writing it fails; hand it to
    ``XlsxFileResponse``, which closes it once sent.

        with xlsx_file() as out:
            xlsx.write_table(out, _("Dues summary"), headers, rows)
        return XlsxFileResponse(out, filename)
    """
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it, which deletes it
    try:
        yield out
    except BaseException:
        out.close()
        raise


class XlsxFileResponse(FileResponse):
    """``out`` (written from its start) as an .xlsx attachment named ``filename``."""

    def __init__(self, out: IO[bytes], filename: str) -> None:
        out.seek(0)
        super().__init__(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def xlsx_response(
    request: HttpRequest, filename: str, write: Callable[[IO[bytes]], Any], *, audit: dict[str, Any] | None = None
) -> XlsxFileResponse:
    """An .xlsx download that ``write(out)`` fills. An export of personal data passes ``audit``, the
    ``record_access`` keywords (``obj``, ``fields``, ``filters``, ``org_path``): the export and the row count
    ``write`` returns go to the access log.

        return xlsx_response(request, filename, lambda out: export_roster(qs, out, full=full),
                             audit={"fields": "", "filters": {...}, "org_path": org.path})
    """
    with xlsx_file() as out:
        count = write(out)
        if audit is not None:
            record_access(request.user, AccessLog.Action.EXPORT, row_count=count, **audit)
    return XlsxFileResponse(out, filename)


def xlsx_table_response(
    request: HttpRequest,
    filename: str,
    sheet_name: str,
    headers: Sequence[str],
    rows: Any,
    *,
    widths: tuple[int, int] | None = None,
    audit: dict[str, Any] | None = None,
) -> XlsxFileResponse:
    """:func:`xlsx_response` of one sheet written by ``xlsx.write_table`` (a header row and ``rows``)."""
    options = {"widths": widths} if widths else {}
    return xlsx_response(
        request, filename, lambda out: xlsx.write_table(out, sheet_name, headers, rows, **options), audit=audit
    )


def require_role(request: HttpRequest, action: str = VIEW, *, members: bool = False) -> Scope:
    """Pages for role holders: 404 for everyone else (``members``: members too may come). The user's scope."""
    if not has_role(request, action, members=members):
        raise Http404
    return scope_for(request.user, action)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What the user has to do now: for a role holder the workbench (工作台: the work waiting for her, then
    the cards the apps register for ``"secretary"``), for a member his own page (我的: the ``"member"``
    cards); a secretary who is a member too sees both. The cards come from the apps (``register_home_card``
    in their ``ready()``): core names none of them."""
    user = request.user
    is_secretary = bool(getattr(user, "has_org_role", False))
    has_person = bool(getattr(user, "person_id", None))
    if not is_secretary and not has_person:
        return render(request, "core/no_role.html", status=200)
    context: dict[str, Any] = {"title": _("Workbench") if is_secretary else _("Mine"), "is_secretary": is_secretary}
    if is_secretary:
        context["pending"] = request.pending_items = pending_for(user)  # type: ignore[attr-defined]
        context["secretary_cards"] = home_cards("secretary", user)
    if has_person:
        context["member_cards"] = home_cards("member", user)
    return render(request, "core/home.html", context)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user).prefixes == () and not scope_for(request.user).everything:
        return render(request, "core/no_role.html")
    kind = request.GET.get("kind", "change")
    qs: ScopedQuerySet
    if kind == "access":
        qs = AccessLog.objects.visible_to(request.user).select_related("actor", "content_type")
    else:
        kind = "change"
        qs = ChangeLog.objects.visible_to(request.user).select_related("actor", "content_type")
    table = qs.model._meta.db_table
    keys = [("created_at", f"{table}.created_at"), ("id", f"{table}.id")]
    page = keyset_page(qs, keys, request.GET.get("cursor"), 50, descending=True)  # newest first
    return render(request, "core/audit_log.html", {"page": page, "kind": kind, "title": _("Audit log")})


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


# --- the inbox (待我处理) ---------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """What waits for the user (the pending registry) and their notifications, newest first."""
    user = request.user
    cache.delete(badge_key(request.user.pk or 0))  # this page is fresh, and so is its badge
    notifications = Notification.objects.visible_to(user)
    keys = [("created_at", "core_notification.created_at"), ("id", "core_notification.id")]
    page = keyset_page(notifications, keys, request.GET.get("cursor"), INBOX_PAGE_SIZE, descending=True)
    unread_ids = [n.pk for n in page.rows if n.read_at is None]
    request.pending_items = pending = pending_for(user)  # type: ignore[attr-defined]  # the badge reuses it
    context = {
        "title": _("Waiting for me"),
        "pending": pending,
        "page": page,
        "newest_unread": max(unread_ids) if unread_ids else None,
    }
    return render(request, "core/inbox.html", context)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark the user's unread notifications read: those up to ``upto`` (the newest unread one the page
    showed, so one that arrived since stays unread), or all of them."""
    upto = request.POST.get("upto", "")
    count = services.mark_all_read(request.user, upto=int(upto) if upto.isdecimal() and len(upto) < 19 else None)
    if count:
        messages.success(request, _("Notifications marked as read."))
    return redirect("core:inbox")


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read and go to its page (404 for anyone else's)."""
    notification = get_scoped_or_404(request, Notification, pk)
    services.mark_read(request.user, notification)
    url = notification.url
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    if url and safe:
        return redirect(url)
    return redirect("core:inbox")


# --- the rules page ---------------------------------------------------------------------------------------


def _rules_admin(request: HttpRequest) -> None:
    """Only the district admin (MANAGE on a root organisation) or a superuser: everyone else gets 404."""
    if not services.may_edit_rules(request.user):
        raise Http404


def _rule_label(key: str) -> tuple[Any, Any]:
    return RULE_INFO.get(key, (key, ""))


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    _rules_admin(request)
    overrides = dict(RuleValue.objects.values_list("key", "value"))
    grouped = [key for _label, keys in RULE_GROUPS for key in keys]
    groups = [*RULE_GROUPS, (gettext_lazy("Other rules"), tuple(k for k in DEFAULTS if k not in grouped))]
    sections = []
    for label, keys in groups:
        rows = []
        for key in keys:
            if key not in DEFAULTS:
                continue
            name, help_text = _rule_label(key)
            rows.append({
                "key": key,
                "label": name,
                "help": help_text,
                "default": services.rule_to_text(key, DEFAULTS[key]),
                "current": services.rule_to_text(key, overrides.get(key, DEFAULTS[key])),
                "overridden": key in overrides,
            })  # fmt: skip
        if rows:
            sections.append((label, rows))
    return render(request, "core/rules.html", {"title": _("Rules"), "sections": sections})


class RuleForm(BootstrapFormMixin, forms.Form):
    value = forms.CharField(label=gettext_lazy("Value"), required=False, max_length=2000, strip=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        if kind == "brackets":
            field.widget = forms.Textarea(attrs={"rows": 6, "class": "form-control font-monospace"})
            field.help_text = gettext_lazy(
                "One bracket a line: the upper bound in yuan, a space, the rate (such as “3000 0.005”); bounds "
                "ascending; the last line has no bound: “- 0.02”."
            )
        elif kind == "int":
            field.widget.attrs.update({"inputmode": "numeric"})
            field.help_text = gettext_lazy("A whole number, 0 or more.")
        elif kind == "decimal":
            field.widget.attrs.update({"inputmode": "decimal"})
            field.help_text = gettext_lazy("A number, 0 or more, with at most 2 decimal places.")
        else:
            field.help_text = gettext_lazy("JSON, of the same form as the default.")


@login_required
def rule_edit(request: HttpRequest, key: str) -> HttpResponse:
    _rules_admin(request)
    if key not in DEFAULTS:
        raise Http404
    label, help_text = _rule_label(key)
    kind = services.rule_kind(key)
    override = RuleValue.objects.filter(key=key).first()
    current = override.value if override is not None else DEFAULTS[key]
    if request.method == "POST" and "reset" in request.POST:
        if services.reset_rule(request.user, key):
            messages.success(request, _("“%(rule)s” is back to its default.") % {"rule": label})
        return redirect("core:rules")
    form = RuleForm(request.POST or None, kind=kind, initial={"value": services.rule_to_text(key, current)})
    if request.method == "POST" and form.is_valid():
        with form_step(request, form, _("“%(rule)s” is saved.") % {"rule": label}) as step:
            services.set_rule(request.user, key, form.cleaned_data["value"])
        if step.ok:
            return redirect("core:rules")
    context = {
        "title": label,
        "rule_key": key,
        "help": help_text,
        "form": form,
        "default": services.rule_to_text(key, DEFAULTS[key]),
        "overridden": override is not None,
        "cancel_url": reverse("core:rules"),
    }
    return render(request, "core/rule_edit.html", context)
