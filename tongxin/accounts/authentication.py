"""API authentication with the same login steps as a session (``LoginStepsMiddleware``), and who may read
the API's description (the OpenAPI schema and its documentation pages).

A token request carries no session, so the middleware's forced password change never saw it: an account
made for a member, or reset with a one-time login code, could use its token before choosing a password.
The token is refused (403, JSON) until the user has changed it on the password page. Two-factor
authentication stays a session step: tokens are issued by an operator on the server (docs/security.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, refused while the account must change its password."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if getattr(user, "must_change_password", False):
            raise exceptions.PermissionDenied(_("You must change your password first."))
        return user, token


# --- the OpenAPI schema and its documentation pages --------------------------------------------------------


class SchemaAccess(permissions.BasePermission):
    """The schema (``/api/schema/``) describes every route and field of the API: open in development
    (``DEBUG``), for logged-in users (a session or a token) in production. Read at each request, so a
    settings override applies at once."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(settings.DEBUG or (request.user and request.user.is_authenticated))


def docs_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A documentation page (Swagger UI, Redoc) under ``SchemaAccess``'s rule, for browsers: in production a
    visitor who is not logged in is sent to the login page and back."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.DEBUG and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped
