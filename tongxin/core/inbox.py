"""The "waiting for me" (待我处理) registry: what work waits for a user, gathered from every feature app.

A feature app registers a provider in its ``AppConfig.ready()``::

    def pending_transfers(user) -> list[PendingItem]:
        n = Transfer.objects.visible_to(user, CHANGE).filter(status=...).count()
        return [PendingItem(_("Transfers to approve"), n, reverse("lifecycle:transfers") + "?waiting=1")]

    register_pending(pending_transfers)

Providers run on every inbox page and for the navbar badge of every page, so they must be **cheap**:
one COUNT query each (or none: return ``[]`` at once when the user cannot hold such work, e.g. has no
CHANGE scope), always scoped with ``visible_to(user, ...)``; no per-row work, no N+1. Items with a count
of 0 are dropped, so a provider may return them.

Core imports no feature app: the feature apps call in here (ARCHITECTURE.md, "Apps depend downward").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.functional import Promise

from tongxin.core.models import Notification


@dataclass
class PendingItem:
    """One kind of work waiting for the user: a label, how many, and the page that lists them."""

    label: str | Promise
    count: int
    url: str


PendingProvider = Callable[[Any], list[PendingItem]]

BADGE_SECONDS = 30  # the navbar badge may lag others' actions by this much; the inbox page is always fresh


def badge_key(user_id: int) -> str:
    """The cache key of a user's navbar badge (``core.context_processors.inbox_badge``); delete it to
    have the next page count afresh."""
    return f"tongxin:inbox-badge:{user_id}"


_providers: list[PendingProvider] = []


def register_pending(provider: PendingProvider) -> PendingProvider:
    """Add ``provider`` (called with the user, returns PendingItems). Registering twice adds it once.

    Returns the provider, so it may be used as a decorator.
    """
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_pending(provider: PendingProvider) -> None:
    """Remove ``provider`` (tests)."""
    if provider in _providers:
        _providers.remove(provider)


def pending_for(user: Any) -> list[PendingItem]:
    """Everything waiting for ``user``, in registration order; nothing for an anonymous or inactive user."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    return [item for provider in _providers for item in provider(user) if item.count > 0]


def pending_total(user: Any, items: list[PendingItem] | None = None) -> int:
    """How many pieces of work wait for ``user`` (pass ``items`` when already computed)."""
    return sum(item.count for item in (pending_for(user) if items is None else items))


def badge_count(user: Any, items: list[PendingItem] | None = None) -> int:
    """What the navbar badge (and the member's "waiting for me" card, so the two never disagree) shows: the work
    waiting plus the unread notifications, each thing once (a notification that only points at work a
    provider counts, ``about_pending``, adds nothing). Kept in the cache for ``BADGE_SECONDS``: one COUNT plus
    one per provider; ``items`` when the page already asked the providers."""
    key = badge_key(user.pk)
    value = cache.get(key)
    if value is None:
        unread = Notification.objects.visible_to(user).unread().not_about_pending()
        value = pending_total(user, items) + unread.count()
        cache.set(key, value, BADGE_SECONDS)
    return int(value)
