"""Password authentication that refuses a temporary password (a one-time login code) once it has expired
or been used. AxesStandaloneBackend runs before it (settings.AUTHENTICATION_BACKENDS) and refuses a
locked-out username before any password is checked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.utils import timezone


def temporary_password_expired(user: Any) -> bool:
    expires_at = getattr(user, "password_expires_at", None)
    return expires_at is not None and expires_at <= timezone.now()


class PasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and temporary_password_expired(user):
            return None
        return user
