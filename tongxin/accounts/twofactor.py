"""Two-factor authentication with TOTP (django-otp) for every administrator.

Who must use it: ``User.holds_admin_role`` (an ADMIN assignment on an active organisation, a superuser or
a staff member), while ``settings.TONGXIN_ADMIN_2FA`` is on. Such a user enrols one TOTP device (an
authenticator app scans the QR code) and receives ten one-time recovery codes (a django-otp static
device); after every password login they enter a code before any page (``LoginStepsMiddleware``).
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.core.audit import record_change
from tongxin.core.models import ChangeLog

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def requires_2fa(user: Any) -> bool:
    if not getattr(settings, "TONGXIN_ADMIN_2FA", True):
        return False
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "holds_admin_role", False))


def confirmed_totp(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_totp(user: Any) -> TOTPDevice:
    """The user's unconfirmed device being enrolled (made on first sight; its secret stays until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// URL as an inline SVG QR code (rendered here: no image service, no script)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return mark_safe(svg)  # noqa: S308 -- segno's own markup; the URL is encoded as modules, not text


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _clean(token: str) -> str:
    return "".join(token.split()).lower()


@transaction.atomic
def confirm_enrolment(request: Any, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app: marks this session verified, replaces the recovery codes
    and returns them (shown once), or None when the code is wrong."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(_clean(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(user)
    otp_login(request, device)
    record_change(user, user, ChangeLog.Action.UPDATE, before={"two_factor": False}, after={"two_factor": True})
    return codes


def new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def verify(request: Any, token: str) -> bool:
    """Check a code from the app or a recovery code (each recovery code works once); on success the session
    is verified. Both devices throttle repeated failures (django-otp)."""
    user = request.user
    token = _clean(token)
    if not token:
        return False
    # Six digits come from the app; anything else can only be a recovery code (so a recovery code does not
    # count as a failure against the app's device, whose throttle would then delay the next login).
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            otp_login(request, verified)
            return True
    return False
