"""Display links of the wall display: created and revoked by those who may change the organisation (CHANGE on
it, as for its other records), each audited; the token's check for the display page's figures.

A token is 32 random bytes (``secrets.token_urlsafe``), shown once; the row keeps ``keyed_hash(token)``
(HMAC-SHA256 under TONGXIN_LOOKUP_KEY, ``core.crypto``), looked up by its unique index: a wrong token finds no
row, whatever it is, and the comparison is the database's on a hash the caller cannot choose. Changing the
lookup key ends every display link (docs/operations.md).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.audit import record_change, snapshot
from tongxin.core.crypto import keyed_hash
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_text
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, Actor, by, require
from tongxin.dashboard.display.models import WallDisplay
from tongxin.orgs.models import Organization, OrgStatus

MAX_DAYS = 365  # a link lasts a year at most (and by default): a forgotten screen stops by itself
LABEL_MAX = 60
TOKEN_MAX = 100  # longer than any token we issue: refused before hashing
USE_EVERY = datetime.timedelta(minutes=1)  # ``last_used_at`` is written at most once a minute per link
PREFIX = "Display "  # the header: ``Authorization: Display <token>``


def default_expiry(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=MAX_DAYS)


def _end_of(day: datetime.date) -> datetime.datetime:
    """A link valid "until ``day``" works through that day (local time)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


@transaction.atomic
def create_display(
    actor: Actor, organization: Organization, *, label: str, expires_on: datetime.date | None = None
) -> tuple[WallDisplay, str]:
    """A new display link of ``organization``'s wall: the row and its token (in memory only: the caller shows it
    once). Valid through ``expires_on`` (default and latest: a year from today; not before today)."""
    require(actor, CHANGE, organization.path)
    label = checked_text("label", label, max_length=LABEL_MAX)
    if not label:
        raise DomainError("label", _("Name the screen (e.g. 会议室大屏)."))
    today = timezone.localdate()
    expires_on = expires_on or default_expiry(today)
    if isinstance(expires_on, datetime.datetime):
        expires_on = expires_on.date()
    if expires_on < today or expires_on > default_expiry(today):
        raise DomainError("expires_on", _("A display link expires between today and %(last)s (a year at most).")
                          % {"last": default_expiry(today).isoformat()})  # fmt: skip
    token = secrets.token_urlsafe(32)
    display = WallDisplay.objects.create(
        organization=organization, org_path=organization.path, label=label, token_hash=keyed_hash(token),
        created_by=by(actor), expires_at=_end_of(expires_on),
    )  # fmt: skip
    record_change(actor, display, ChangeLog.Action.CREATE, after=snapshot(display), org_path=display.org_path)
    return display, token


@transaction.atomic
def revoke_display(actor: Actor, display: WallDisplay) -> WallDisplay:
    """End a display link now: its screen shows "revoked" at its next refresh. Revoking it again changes nothing."""
    display = WallDisplay.objects.select_for_update().get(pk=display.pk)
    require(actor, CHANGE, display.org_path)
    if display.revoked_at is not None:
        raise DomainError("revoked_at", _("This display link was already revoked."))
    before = snapshot(display)
    display.revoked_at = timezone.now()
    display.revoked_by = by(actor)
    display.save(update_fields=["revoked_at", "revoked_by"])
    record_change(actor, display, ChangeLog.Action.UPDATE, before=before, after=snapshot(display),
                  org_path=display.org_path)  # fmt: skip
    return display


def display_url(request: HttpRequest, token: str) -> str:
    """The link to open on the screen: the token in the fragment only (never sent to a server)."""
    return request.build_absolute_uri(reverse("dashboard:wall_display")) + "#" + token


# --- the screen's token ---------------------------------------------------------------------------------------

VALID, UNKNOWN, REVOKED, EXPIRED, DISSOLVED = "valid", "unknown", "revoked", "expired", "dissolved"


@dataclass(frozen=True)
class Check:
    # VALID, UNKNOWN (no such token: counts against the caller's address), REVOKED, EXPIRED, DISSOLVED (its
    # organisation was dissolved: nothing of it is shown any more)
    outcome: str
    display: WallDisplay | None = None


def token_from_header(header: str) -> str:
    """The token of ``Authorization: Display <token>`` ("" for another scheme, or none)."""
    if not header.startswith(PREFIX):
        return ""
    token = header[len(PREFIX) :].strip()
    return token if 0 < len(token) <= TOKEN_MAX and token.isascii() and token.isprintable() else ""


def check_token(token: str, now: datetime.datetime | None = None) -> Check:
    """What a screen's token opens: one query on the primary (a revocation counts at once)."""
    if not token:
        return Check(UNKNOWN)
    display = (
        WallDisplay.objects.using("default").select_related("organization").filter(token_hash=keyed_hash(token)).first()
    )
    if display is None:
        return Check(UNKNOWN)
    if display.revoked_at is not None:
        return Check(REVOKED, display)
    if display.expires_at <= (now or timezone.now()):
        return Check(EXPIRED, display)
    if display.organization.status != OrgStatus.ACTIVE:
        return Check(DISSOLVED, display)
    return Check(VALID, display)


def mark_used(display: WallDisplay, now: datetime.datetime | None = None) -> bool:
    """Note that the screen fetched its figures; at most one write a minute per link (one UPDATE, none when
    noted less than a minute ago). True when written."""
    now = now or timezone.now()
    if display.last_used_at is not None and display.last_used_at > now - USE_EVERY:
        return False
    recent = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - USE_EVERY)
    return bool(WallDisplay.objects.filter(recent, pk=display.pk).update(last_used_at=now))
