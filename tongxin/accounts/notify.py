"""Notifying users: who gets a message about work at an organisation, and writing it.

Feature services call these inside their own transaction (the notifications are rolled back with the
work that caused them)::

    text = _notice("%(name)s asks to transfer out: please approve or reject.", transfer)
    notify_actors(CHANGE, transfer.from_path, text=text, url=reverse(...), exclude=actor)

The text is stored once, in the deployment's language (settings.LANGUAGE_CODE). Pass a plain string
already rendered in it, a lazy string (``gettext_lazy``/``format_lazy``), or a callable returning the
string; the last two are rendered here under ``translation.override(settings.LANGUAGE_CODE)``. Note that
``gettext_lazy(...) % params`` is *not* lazy (it renders in the actor's language at once): use a callable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.functional import Promise

from tongxin.accounts.models import ROLE_ACTIONS, RoleAssignment
from tongxin.core.inbox import badge_key
from tongxin.core.models import Notification
from tongxin.orgs.models import OrgStatus, path_ids

NoticeText = str | Promise | Callable[[], str]


def render_text(text: NoticeText) -> str:
    """``text`` as stored: in the deployment's language."""
    if isinstance(text, str):
        return text
    with translation.override(settings.LANGUAGE_CODE):
        return str(text()) if callable(text) else str(text)


def notice(message: str, **params: Any) -> str:
    """``message`` (an English msgid marked with ``gettext_noop``) translated into the deployment's
    language and filled with ``params``: the recipient reads it, not the actor who caused it."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message) % params


def notify_users(
    users: Iterable[Any], *, text: NoticeText, url: str = "", org_path: str = "", about_pending: bool = False
) -> list[Notification]:
    """One notification to each of ``users`` (User objects or ids; duplicates and None are dropped).

    ``about_pending``: the message points at work a pending provider counts for them (``core.inbox``),
    so the navbar badge does not count it a second time.

    One INSERT, in the caller's transaction. Returns the notifications made.
    """
    ids = list(dict.fromkeys(getattr(u, "pk", u) for u in users if u is not None))
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return []
    message = render_text(text)
    cache.delete_many([badge_key(pk) for pk in ids])  # the recipients' navbar badges count it at once
    return Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, text=message, url=url, org_path=org_path, about_pending=about_pending)
            for pk in ids
        ]
    )


def nearest_actor_ids(action: str, path: str, *, exclude: Any = None) -> list[int]:
    """Ids of the active users nearest to the organisation at ``path`` who may do ``action`` there.

    The holders of a role granting ``action`` (``ROLE_ACTIONS``) on that organisation itself; if it has
    none, those on its parent; and so on up to the root. Assignments on dissolved organisations count
    for nothing (as in ``User.get_scope``). One query.

    ``exclude`` (the user who triggered the notification) is left out *after* the level is chosen: when
    the actor is the nearest holder, the work is already in their hands and nobody further up is told.
    """
    if not path:
        return []
    ids = path_ids(path)
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    rows = (
        RoleAssignment.objects.filter(
            organization_id__in=ids,
            organization__status=OrgStatus.ACTIVE,
            role__in=roles,
            user__is_active=True,
        )
        .values_list("organization_id", "user_id")
        .distinct()
    )
    by_org: dict[int, list[int]] = {}
    for org_id, user_id in rows:
        by_org.setdefault(org_id, []).append(user_id)
    excluded = getattr(exclude, "pk", exclude)
    for org_id in reversed(ids):  # the organisation itself first, then up towards the root
        holders = by_org.get(org_id)
        if holders:
            return sorted({pk for pk in holders if pk != excluded})
    return []


def notify_actors(
    action: str, path: str, *, text: NoticeText, url: str = "", exclude: Any = None, about_pending: bool = False
) -> list[Notification]:
    """Notify the nearest holders of ``action`` at ``path`` (see :func:`nearest_actor_ids`), not ``exclude``.

    Two queries: who, then one INSERT. ``org_path`` of the notifications is ``path``.
    """
    ids = nearest_actor_ids(action, path, exclude=exclude)
    return notify_users(ids, text=text, url=url, org_path=path, about_pending=about_pending)
