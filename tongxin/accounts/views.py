"""Login, two-factor authentication, password change, the lockout page, and one-time login codes."""

from __future__ import annotations

import datetime
import io
import json
import zlib
from typing import Any, TypeVar
from urllib.parse import urlencode

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.accounts import services, twofactor
from tongxin.accounts.forms import ChangePasswordForm, CodeForm, ForcedPasswordForm, LoginForm
from tongxin.accounts.middleware import ENDED_REASON
from tongxin.core.audit import record_access
from tongxin.core.crypto import FieldDecryptionError, decrypt_bytes, encrypt_bytes
from tongxin.core.models import AccessLog
from tongxin.core.pagination import keyset_page
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.core.views import require_role
from tongxin.core.xlsx import open_workbook, standard_formats, write_header, write_row
from tongxin.orgs.models import STEP_WIDTH, Organization, OrgKind
from tongxin.orgs.queries import org_from_query
from tongxin.people.models import Person

_Response = TypeVar("_Response", bound=HttpResponseBase)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HANDOUT_SALT = "tongxin.accounts.handout"
HANDOUT_MAX_AGE = 3600  # seconds the handout page may be downloaded as a spreadsheet
RESET_PAGE_SIZE = 50


def _no_store(response: _Response) -> _Response:
    """Pages showing codes or secrets are kept by no cache, the browser's included."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, " + response["Cache-Control"]
    return response


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # A path of ours only: redirect() would read "abc" as a URL name and fail (a 500, issue 12 §3's sweep).
    return target if target.startswith("/") and safe else reverse("core:home")


# --- login and lockout --------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(ENDED_REASON, "")
        if reason == "idle":
            minutes = settings.TONGXIN_SESSION_IDLE_SECONDS // 60
            context["ended"] = _(
                "You were logged out after %(minutes)d minutes without activity, to protect the data. Please log "
                "in again."
            ) % {"minutes": minutes}
        elif reason == "absolute":
            hours = settings.SESSION_COOKIE_AGE // 3600
            context["ended"] = _("Your session reached its limit of %(hours)d hours. Please log in again.") % {
                "hours": hours
            }
        return context


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): a page saying when to try again."""

    username = get_client_username(request, credentials) or ""
    latest = AccessAttempt.objects.filter(username=username).aggregate(latest=Max("attempt_time"))["latest"]
    cool_off = get_cool_off(request)
    retry_at = (latest or timezone.now()) + cool_off if cool_off else None
    context = {
        "title": _("Account locked"),
        "retry_at": timezone.localtime(retry_at) if retry_at else None,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/locked_out.html", context, status=429)


# --- two-factor authentication ----------------------------------------------------------------------------


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not twofactor.requires_2fa(user) or user.is_verified():  # type: ignore[union-attr]
        return redirect(_next_url(request))
    if twofactor.confirmed_totp(user) is None:
        return redirect("accounts:otp_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request, form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error(
            "code", _("This code is not valid. Enter the current code from your app, or an unused recovery code.")
        )
    context = {"title": _("Two-factor authentication"), "form": form, "next": _next_url(request)}
    return render(request, "accounts/otp_verify.html", context)


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not twofactor.requires_2fa(user):
        return redirect("core:home")
    if twofactor.confirmed_totp(user) is not None:  # a second device needs the first one's code: not here
        return redirect(_next_url(request) if user.is_verified() else "accounts:otp_verify")  # type: ignore[union-attr]
    device = twofactor.pending_totp(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_enrolment(request, device, form.cleaned_data["code"])
        if codes is not None:
            shown = {"title": _("Recovery codes"), "codes": codes, "next": _next_url(request)}
            return _no_store(render(request, "accounts/recovery_codes.html", shown))
        form.add_error("code", _("This code is not valid. Check the time on your phone and enter the current code."))
    context = {
        "title": _("Set up two-factor authentication"),
        "form": form,
        "qr": twofactor.qr_svg(device),
        "secret": twofactor.secret_text(device),
        "next": _next_url(request),
    }
    return _no_store(render(request, "accounts/otp_enrol.html", context))


# --- changing one's password ------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view with our policy (AUTH_PASSWORD_VALIDATORS). After a one-time code (``must_change_password``)
    the old password is not asked again: the user has just logged in with it."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def get_form_class(self):
        return ForcedPasswordForm if self.request.user.must_change_password else ChangePasswordForm  # type: ignore[union-attr]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password  # type: ignore[union-attr]
        context["title"] = _("Change password")
        return context

    def form_valid(self, form):
        services.change_own_password(self.request.user, form)  # type: ignore[arg-type]
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())


# --- one-time login codes ---------------------------------------------------------------------------------

REFUSAL_LABELS = {
    "self": gettext_lazy("Your own account"),
    "staff": gettext_lazy("A system administrator"),
    "inactive": gettext_lazy("Account deactivated"),
    "role": gettext_lazy("Holds a role at or above yours"),
}


def _reset_candidates(request: HttpRequest) -> tuple[Any, Organization | None]:
    """Active members in the user's change scope, within ``?org=`` when given (no name search: names stay
    out of URLs)."""
    org = org_from_query(request.user, request.GET.get("org"), default_top=False)
    qs = Person.objects.visible_to(request.user, CHANGE).active().select_related("branch", "user")
    if org is not None:
        qs = qs.in_subtree(org.path)
    return qs, org


@login_required
def bulk_reset(request: HttpRequest) -> HttpResponse:
    """People in the user's change scope with their login state; the selected ones get one-time codes, shown
    once on the answer (a printable handout, downloadable as .xlsx)."""
    require_role(request, CHANGE)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("person") if v.isdecimal() and len(v) < 12][:500]
        if request.POST.get("action") == "unlock":
            unlocked = services.unlock_accounts(request.user, ids) if ids else []
            if unlocked:
                messages.success(request, _("Accounts unlocked: %(count)d.") % {"count": len(unlocked)})
                return redirect(request.get_full_path())
            messages.error(request, _("None of the selected accounts is locked."))
        else:
            issued = services.issue_login_codes(request.user, ids) if ids else []
            if issued:
                return _handout(request, issued)
            messages.error(request, _("Select at least one person whose password you may reset."))
    qs, org = _reset_candidates(request)
    keys = [("org_path", "people_person.org_path"), ("name_pinyin", "people_person.name_pinyin"),
            ("id", "people_person.id")]  # fmt: skip
    page = keyset_page(qs, keys, request.GET.get("cursor"), RESET_PAGE_SIZE)
    users = [p.user for p in page.rows if getattr(p, "user", None) is not None]
    paths = services.role_paths_by_user([u.pk for u in users])
    now = timezone.now()
    locked = services.locked_usernames([u.username for u in users])
    rows = []
    for person in page.rows:
        user = getattr(person, "user", None)
        refusal = services.reset_refusal(request.user, user, paths.get(user.pk) if user else None)
        rows.append({
            "person": person,
            "user": user,
            "refusal": REFUSAL_LABELS[refusal] if refusal else "",
            "code_valid": bool(user and user.password_expires_at and user.password_expires_at > now),
            "locked_until": locked.get(user.username) if user else None,
        })  # fmt: skip
    branches = (
        Organization.objects.visible_to(request.user, CHANGE)
        .filter(kind=OrgKind.BRANCH, status="active")
        .order_by("path")
        .only("id", "name")[:1000]
    )
    query = urlencode({"org": org.pk}) if org else ""
    context = {
        "title": _("One-time login codes"),
        "rows": rows,
        "page": page,
        "org": org,
        "branches": branches,
        "query": query,
        "valid_days": settings.TONGXIN_LOGIN_CODE_DAYS,
    }
    return render(request, "accounts/bulk_reset.html", context)


def seal_handout(actor_id: int, rows: list[list[str]]) -> str:
    """The handout's rows as the page carries them to the download: encrypted with the field keys
    (``core.crypto``: names and codes are unreadable in the page, a browser's cache or a proxy's log) and
    signed with a timestamp (``HANDOUT_MAX_AGE``) for this issuer."""
    # Compressed first: 500 rows take ~9 KB in the page, as the signed dump did (70 KB without).
    plain = zlib.compress(json.dumps({"actor": actor_id, "rows": rows}).encode())
    return signing.TimestampSigner(salt=HANDOUT_SALT).sign(encrypt_bytes(plain).decode("ascii"))


def open_handout(value: str, actor_id: int) -> list[list[str]] | None:
    """The rows of a handout sealed by ``seal_handout`` for ``actor_id`` within the hour, else None."""
    try:
        sealed = signing.TimestampSigner(salt=HANDOUT_SALT).unsign(value, max_age=HANDOUT_MAX_AGE)
        data = json.loads(zlib.decompress(decrypt_bytes(sealed.encode("ascii"), "a login code handout")))
    except (signing.BadSignature, FieldDecryptionError, ValueError, zlib.error):
        return None
    if not isinstance(data, dict) or data.get("actor") != actor_id or not data.get("rows"):
        return None
    return data["rows"]


def _handout(request: HttpRequest, issued: list[services.IssuedCode]) -> HttpResponse:
    rows = [[c.name, c.branch, c.username, c.code, timezone.localtime(c.expires_at).isoformat()] for c in issued]
    token = seal_handout(request.user.pk, rows)  # type: ignore[arg-type]
    context = {
        "title": _("Login code handout"),
        "issued": issued,
        "handout": token,
        "login_url": request.build_absolute_uri(reverse("accounts:login")),
    }
    return _no_store(render(request, "accounts/bulk_reset_handout.html", context))


@login_required
@require_POST
def bulk_reset_download(request: HttpRequest) -> FileResponse:
    """The handout just shown, as .xlsx. The codes come back from the page (encrypted and signed there, for
    an hour, for this user only): the server keeps no copy of them. Each download is an export in the
    AccessLog."""
    require_role(request, CHANGE)
    rows = open_handout(request.POST.get("handout", ""), request.user.pk)  # type: ignore[arg-type]
    if rows is None:
        raise Http404
    out = io.BytesIO()
    workbook = open_workbook(out, streaming=False)
    formats = standard_formats(workbook)
    sheet = workbook.add_worksheet(_("Login codes"))
    write_header(sheet, [_("Name"), _("Branch"), _("Username"), _("One-time login code"), _("Valid until")], formats)
    for index, (name, branch, username, code, expires) in enumerate(rows, start=1):
        until = timezone.localtime(datetime.datetime.fromisoformat(expires)).strftime("%Y-%m-%d %H:%M")
        write_row(sheet, index, [name, branch, username, code, until], formats)
    sheet.set_column(0, 4, 18)
    workbook.close()
    record_access(
        request.user,
        AccessLog.Action.EXPORT,
        fields="username,login_code",
        filters={"accounts": [row[2] for row in rows]},
        row_count=len(rows),
        org_path=scope_for(request.user, CHANGE).common_prefix(STEP_WIDTH),
    )
    out.seek(0)
    filename = f"一次性登录码-{timezone.localdate():%Y%m%d}.xlsx"
    return _no_store(FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE))
