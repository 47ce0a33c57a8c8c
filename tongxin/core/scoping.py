"""The one way to scope a queryset to a user.

Every domain model's manager is built from :class:`ScopedQuerySet`, so ``Model.objects.visible_to(user)``
works everywhere. A user's scope is a set of organisation subtrees (materialized-path prefixes) taken
from their role assignments; ``tongxin.accounts.models.User.get_scope`` computes it (this module only
relies on that method, so core does not import the accounts app).

Paths are made of fixed-width steps of decimal digits, so a subtree is the half-open range
``[prefix, successor(prefix))`` which a plain B-tree index on the path column serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# Actions a role may grant. "view": read; "change": edit people and records; "manage": edit the
# organisation tree and role assignments.
VIEW, CHANGE, MANAGE = "view", "change", "manage"


def prefix_successor(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def subtree_q(field_name: str, prefix: str) -> Q:
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix_successor(prefix)})


def normalise_prefixes(prefixes: list[str]) -> tuple[str, ...]:
    """Sort and drop prefixes inside another one, so subtrees do not overlap."""
    result: list[str] = []
    for prefix in sorted(set(prefixes)):
        if not result or not prefix.startswith(result[-1]):
            result.append(prefix)
    return tuple(result)


@dataclass(frozen=True)
class Scope:
    """What a user may see or do for one action."""

    prefixes: tuple[str, ...] = ()
    everything: bool = False
    person_id: int | None = None  # self-service: one's own person record
    extra: dict[str, Any] = field(default_factory=dict)

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.prefixes)

    def common_prefix(self, step: int) -> str:
        """The deepest path (in whole steps of ``step`` characters) shared by all the subtrees: where an
        action over the whole scope is filed in the audit log ("" for everything or nothing)."""
        if self.everything or not self.prefixes:
            return ""
        first, common = self.prefixes[0], ""
        for end in range(step, len(first) + 1, step):
            if any(prefix[:end] != first[:end] for prefix in self.prefixes):
                break
            common = first[:end]
        return common

    @property
    def has_subtrees(self) -> bool:
        """Whether the scope reaches any organisation (a role somewhere, or everything): pages for role
        holders 404 without it."""
        return self.everything or bool(self.prefixes)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.prefixes and self.person_id is None


EMPTY_SCOPE = Scope()


def scope_for(user: Any, action: str = VIEW) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return EMPTY_SCOPE
    get_scope = getattr(user, "get_scope", None)
    return get_scope(action) if get_scope else EMPTY_SCOPE


def scope_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The path columns that place ``model``'s rows in the tree: ``scope_path_fields`` for a record that
    belongs to two subtrees (a transfer: the sending and the receiving side), else ``scope_path_field``."""
    return getattr(model, "scope_path_fields", None) or (model.scope_path_field,)  # type: ignore[attr-defined]


class ScopedQuerySet(models.QuerySet):
    """Queryset whose ``visible_to`` restricts rows to a user's organisation subtrees.

    The model names its path column with ``scope_path_field`` (or several, ``scope_path_fields``: a row
    is visible from each) and may widen the scope for
    self-service with ``scope_self_q(scope)`` (a Person sees their own record).
    """

    def visible_to(self, user: AnonymousUser | Any, action: str = VIEW) -> Self:
        scope = scope_for(user, action)
        if scope.everything:
            return self
        q = Q()
        for field_name in scope_fields(self.model):
            for prefix in scope.prefixes:
                q |= subtree_q(field_name, prefix)
        self_q = getattr(self.model, "scope_self_q", None)
        if self_q is not None:
            extra = self_q(scope)
            if extra is not None:
                q |= extra
        if not q:
            return self.none()
        return self.filter(q)

    def for_actor(self, actor: Any, action: str = VIEW) -> Self:
        """Like ``visible_to``, for services and commands: ``actor=None`` is the system, which sees all."""
        return self if actor is None else self.visible_to(actor, action)

    def in_subtree(self, prefix: str) -> Self:
        return self.filter(subtree_q(self.model.scope_path_field, prefix))  # type: ignore[attr-defined]


def require(actor: Any, action: str, path: str | None) -> None:
    """Raise PermissionDenied unless ``actor`` may do ``action`` at ``path`` (None: the whole system).

    ``actor=None`` is the system itself (seed and import commands), which may do anything.
    """
    from django.core.exceptions import PermissionDenied

    if actor is None:
        return
    scope = scope_for(actor, action)
    if scope.everything:
        return
    if path is None or not scope.covers_path(path):
        raise PermissionDenied
