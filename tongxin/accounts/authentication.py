"""API authentication with the same login steps as a session (``LoginStepsMiddleware``).

A token request carries no session, so the middleware's forced password change never saw it: an account
made for a member, or reset with a one-time login code, could use its token before choosing a password.
The token is refused (403, JSON) until the user has changed it on the password page. Two-factor
authentication stays a session step: tokens are issued by an operator on the server (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, refused while the account must change its password."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if getattr(user, "must_change_password", False):
            raise exceptions.PermissionDenied(_("You must change your password first."))
        return user, token
