"""The people app's workbench card: active members of the user's subtrees, read from the roll-up rows
(``orgs.OrgStats``), never a COUNT over the roster."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from tongxin.core.scoping import VIEW, scope_for
from tongxin.orgs.models import OrgStats
from tongxin.people.models import Person


def members_in_scope(user: Any) -> int | None:
    """Active members of the subtrees the user holds a role on (one SUM over their roll-up rows; a role nested
    in another one of hers is counted once); ``None`` for a user without a role."""
    scope = scope_for(user, VIEW)
    if scope.everything:
        tops = OrgStats.objects.filter(organization__parent__isnull=True)
    elif scope.prefixes:
        # Only the tops of her subtrees: a prefix inside another prefix is already in that one's total.
        prefixes = [p for p in scope.prefixes if not any(p != q and p.startswith(q) for q in scope.prefixes)]
        tops = OrgStats.objects.filter(organization__path__in=prefixes)
    else:
        return None
    return tops.aggregate(total=Sum("members_total"))["total"] or 0


def own_name(user: Any) -> str | None:
    """The member's profile card: his name (one query), so the card says whose record it opens."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    return Person.objects.filter(pk=person_id).values_list("name", flat=True).first()
