"""Who did it, as people read it: the name shown wherever a history or a ChangeLog names an actor.

The login name (``secretary``) is an account detail, not a name: pages show the person the account
belongs to, else the account's full name, else a neutral phrase; never the username. In templates::

    {% load actors %}{{ row.actor|actor_name }}
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def actor_name(user: Any) -> str:
    """The name to show for ``user`` (a User or None); "" for None (the caller says "System" or nothing)."""
    if user is None:
        return ""
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    name = getattr(person, "name", "") if person is not None else ""
    return name or user.get_full_name() or _("an account without a name")
