"""What happens at every password login (connected in AccountsConfig.ready)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from tongxin.accounts.middleware import LOGIN_AT, SEEN_AT


@receiver(user_logged_in, dispatch_uid="tongxin.accounts.on_login")
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
        # A second factor is passed after each login, never carried over from an earlier one.
        if not hasattr(user, "otp_device"):
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
    # A one-time login code opens one session: from now on it no longer logs anyone in.
    if getattr(user, "password_expires_at", None) is not None and user.password_expires_at > timezone.now():
        user.password_expires_at = timezone.now()
        user.save(update_fields=["password_expires_at"])
