"""What a user learns from typing an ID number that is already on the roster (issue 12, §2: no oracle).

Recruitment, the roster form and API, a transfer in and the roster import all find the holder of an ID
number by its keyed hash, over the whole roster (the number must be unique everywhere). What they answer
depends on whether the user could see that person anyway:

* inside the user's scope (``Person.objects.for_actor(actor, VIEW)``: her subtrees, or herself), the
  answer may say who it is, with the branch: the roster shows her the same;
* outside it, the answer says only what she needs to act, :func:`taken_elsewhere`, never the name, the
  branch or the status (which would tell a stranger's name and organisation from a guessed number).

Each single lookup is also counted and recorded by ``core.audit.record_id_lookup`` (the hourly limit).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tongxin.core.scoping import VIEW, Actor, actor_scope
from tongxin.people.models import Person


def sees(actor: Actor, person: Person | None) -> bool:
    """Whether ``actor`` may see ``person`` on the roster (the system sees everyone)."""
    if person is None:
        return False
    return Person.objects.for_actor(actor, VIEW).filter(pk=person.pk).exists()


def sees_path(actor: Actor, path: str) -> bool:
    """Whether a person on ``path`` is in ``actor``'s scope (for the import, which reads values, not rows)."""
    return actor_scope(actor, VIEW).covers_path(path)


def taken_elsewhere() -> str:
    """The one answer about a number held by someone the user may not see."""
    return _("This ID number already belongs to a League member of another organisation: ask for a transfer in.")


def holder_message(actor: Actor, holder: Person, in_scope: str, **params: Any) -> str:
    """``in_scope % {"name": …, "org": …, **params}`` when ``actor`` sees ``holder``, else :func:`taken_elsewhere`."""
    if not sees(actor, holder):
        return taken_elsewhere()
    org = holder.branch.name if holder.branch else _("no organisation")
    return in_scope % {"name": holder.name, "org": org, **params}
