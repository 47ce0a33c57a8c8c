"""Session expiry, and the steps a logged-in user must finish before any page: two-factor authentication
(administrators) and a forced password change (accounts made or reset by an administrator)."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tongxin.accounts.twofactor import confirmed_totp, requires_2fa

# Session keys: when the user logged in and when they were last seen (epoch seconds); why the last session
# ended (read and cleared by the login page).
LOGIN_AT = "tx_login_at"
SEEN_AT = "tx_seen_at"
ENDED_REASON = "tx_session_ended"
SEEN_RESOLUTION = 60  # seconds: "last seen" is saved at most once a minute, not on every request


class SessionExpiryMiddleware:
    """Ends a session idle for ``TONGXIN_SESSION_IDLE_SECONDS`` or older than ``SESSION_COOKIE_AGE`` (the
    absolute limit), and leaves the reason for the login page. Requests without a session login (API
    tokens) pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if "_auth_user_id" in session:
            now = int(time.time())
            login_at = session.get(LOGIN_AT)
            seen_at = session.get(SEEN_AT)
            reason = ""
            if isinstance(seen_at, int) and now - seen_at > settings.TONGXIN_SESSION_IDLE_SECONDS:
                reason = "idle"
            elif isinstance(login_at, int) and now - login_at > settings.SESSION_COOKIE_AGE:
                reason = "absolute"
            if reason:
                logout(request)
                request.session[ENDED_REASON] = reason
            else:
                if not isinstance(login_at, int):  # a session from before this middleware: starts now
                    session[LOGIN_AT] = now
                if not isinstance(seen_at, int) or now - seen_at >= SEEN_RESOLUTION:
                    session[SEEN_AT] = now
        return self.get_response(request)


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:logout"),
        reverse("accounts:login"),
        reverse("core:health"),
        "/i18n/",
        settings.STATIC_URL,
    )


class LoginStepsMiddleware:
    """After AuthenticationMiddleware and django-otp's OTPMiddleware: an administrator who has not passed
    a code in this session is sent to the code page (or to enrolment, without a device); a user who must
    change their password is sent to the password page. API requests get 403 instead of a redirect. Token
    requests carry no session user: ``accounts.authentication.TokenAuthentication`` refuses them while the
    password must be changed (two-factor authentication is a session step only)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._step(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _step(self, request: HttpRequest, user) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(_exempt_paths()):
            return None
        if requires_2fa(user) and not user.is_verified():
            verify_url, enrol_url = reverse("accounts:otp_verify"), reverse("accounts:otp_enrol")
            if path in (verify_url, enrol_url):
                return None
            if path.startswith("/api/"):
                return JsonResponse({"detail": _("Two-factor authentication is required.")}, status=403)
            target = verify_url if confirmed_totp(user) is not None else enrol_url
            return _redirect_with_next(request, target)
        if getattr(user, "must_change_password", False):
            change_url = reverse("accounts:password_change")
            if path == change_url:
                return None
            if path.startswith("/api/"):
                return JsonResponse({"detail": _("You must change your password first.")}, status=403)
            return redirect(change_url)
        return None


def _redirect_with_next(request: HttpRequest, target: str) -> HttpResponse:
    if request.method == "GET" and not request.headers.get("HX-Request"):
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
    return redirect(target)
