"""The one way to scope: a model declares once where its rows sit in the organisation tree, and every
filter, check and path rewrite comes from that declaration.

A model that belongs to the tree says so once, with :class:`ScopeSpec`::

    class Checkin(models.Model):
        person = models.ForeignKey(Person, ...)
        org_path = models.CharField(max_length=255, editable=False)  # the member's branch when checking in

        objects = ScopedQuerySet.as_manager()
        scope = ScopeSpec(paths=("org_path",), own="person")  # role holders of the subtree, and the member

From that declaration come:

- ``Checkin.objects.visible_to(user, action)`` (pages and API) and ``.for_actor(actor, action)``
  (services: ``actor=None`` is the system), both :meth:`ScopedQuerySet.within` the user's :class:`Scope`;
- the rewriting of every declared path column when a subtree moves (:func:`path_columns`, used by
  ``tongxin.orgs.services.move_organization``): a new model cannot be forgotten;
- a system check (``manage.py check``, run at startup) that every declared lookup exists and that every
  path-like column of the project's models is declared.

Filters that are not "what may this user see" but use the same subtrees (the committee above a branch
approves, a tab lists the receiving side only) build their scope part with :meth:`Scope.q`,
:meth:`Scope.below_q` and :meth:`Scope.at_q`, never by looping over ``scope.prefixes`` by hand.

A user's scope is a set of organisation subtrees (materialized-path prefixes) taken from their role
assignments; ``tongxin.accounts.models.User.get_scope`` computes it (this module only relies on that
method, so core does not import the accounts app; the registry is read from ``django.apps``).

Paths are made of fixed-width steps of decimal digits, so a subtree is the half-open range
``[prefix, successor(prefix))`` which a plain B-tree index on the path column serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self, TypeAlias

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tongxin.accounts.models import User

# Actions a role may grant. "view": read; "change": edit people and records; "manage": edit the
# organisation tree and role assignments.
VIEW, CHANGE, MANAGE = "view", "change", "manage"


def prefix_successor(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def subtree_q(field_name: str, prefix: str) -> Q:
    """Rows whose ``field_name`` lies in the one subtree ``prefix`` (an organisation the user picked).
    For "the user's subtrees" use :meth:`Scope.q` or ``visible_to``."""
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix_successor(prefix)})


def normalise_prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Sort and drop prefixes inside another one, so subtrees do not overlap."""
    result: list[str] = []
    for prefix in sorted(set(prefixes)):
        if not result or not prefix.startswith(result[-1]):
            result.append(prefix)
    return tuple(result)


def nothing() -> Q:
    """A filter no row passes (Django runs no query for it); a fresh Q each time."""
    return Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """What a user may see or do for one action."""

    prefixes: tuple[str, ...] = ()
    everything: bool = False
    person_id: int | None = None  # self-service: one's own person record (dropped when inside the subtrees)
    # The user's own person (VIEW only), kept even inside the subtrees: for records a person owns that sit
    # elsewhere in the tree (a checklist item of the committee owned by a branch member).
    owner_id: int | None = None

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.prefixes)

    def covers_below(self, path: str) -> bool:
        """Whether ``path`` lies strictly inside one of the subtrees (the user's role is above it)."""
        return self.everything or any(path.startswith(p) and path != p for p in self.prefixes)

    def _any(self, fields: Iterable[str], part: Callable[[str, str], Q]) -> Q | None:
        q: Q | None = None
        for name in fields:
            for prefix in self.prefixes:
                q = part(name, prefix) if q is None else q | part(name, prefix)
        return q

    def q(self, *fields: str) -> Q:
        """Rows whose path in any of ``fields`` lies in one of the subtrees: ``Q()`` for everything, a
        filter no row passes for none. No self-service grant: a list for role holders."""
        if self.everything:
            return Q()
        return self._any(fields, subtree_q) or nothing()

    def below_q(self, field_name: str) -> Q:
        """Rows strictly inside one of the subtrees, not at its root: what the committee above acts on."""
        if self.everything:
            return Q()
        return self._any([field_name], lambda f, p: subtree_q(f, p) & ~Q(**{f: p})) or nothing()

    def at_q(self, field_name: str) -> Q:
        """Rows at the root of one of the subtrees: the organisations the roles are on themselves."""
        if self.everything:
            return Q()
        return Q(**{f"{field_name}__in": self.prefixes}) if self.prefixes else nothing()

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


# The actor of every service: the user who acts (a request's user, possibly anonymous, whom the services
# refuse), or None for the system itself (seed, import and scheduled commands). A type-only import: core
# does not import accounts at run time (import-linter ignores TYPE_CHECKING imports).
Actor: TypeAlias = "User | AnonymousUser | None"


def by(actor: Actor) -> User | None:
    """The user to store in a "who did it" column: the actor, or None for the system (``actor=None``) or
    an object that is not a saved user."""
    return actor if getattr(actor, "pk", None) else None  # type: ignore[return-value]


EVERYTHING = Scope(everything=True)


def scope_for(user: Any, action: str = VIEW) -> Scope:
    """A request's user's scope (nothing for the anonymous or an inactive user)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return EMPTY_SCOPE
    get_scope = getattr(user, "get_scope", None)
    return get_scope(action) if get_scope else EMPTY_SCOPE


def actor_scope(actor: Actor, action: str = VIEW) -> Scope:
    """A service's actor's scope: ``None`` is the system itself (seed, import and scheduled commands),
    which reaches everything."""
    return EVERYTHING if actor is None else scope_for(actor, action)


# --- the declaration -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeSpec:
    """Where a model's rows sit in the organisation tree; declared once on the model as ``scope``.

    ``paths``: lookups whose value is an organisation path (``"org_path"``, or ``"person__org_path"``
    through a relation). A row is in a user's scope when any of them lies in one of the user's subtrees
    (a transfer is seen from its sending and its receiving side). The ones that are columns of the model
    itself are rewritten when a subtree moves.

    ``own``: self-service, the lookup naming the person the row is about (``"pk"`` for Person,
    ``"person_id"`` for a consent record): that person sees it. Such a row sits at the person's own path,
    so the grant is left out when the person is inside the user's subtrees anyway.

    ``owned_by``: the lookup naming a person who owns the row although it sits elsewhere in the tree
    (a checklist item's owner): that person sees it too.

    Without ``own`` or ``owned_by`` only role holders see the rows (``role_holders_only``).

    ``also``: a further rule, given the user's scope, for rows placed by something other than a path
    column (a joint meeting is seen from every organisation holding it); ``None`` when it adds nothing.

    ``records``: path columns that note where something happened without scoping the row (a
    notification is its recipient's); they are rewritten when a subtree moves, like ``paths``.
    """

    paths: tuple[str, ...] = ()
    own: str | None = None
    owned_by: str | None = None
    also: Callable[[Scope], Q | None] | None = None
    records: tuple[str, ...] = ()

    @property
    def role_holders_only(self) -> bool:
        return self.own is None and self.owned_by is None

    @property
    def columns(self) -> tuple[str, ...]:
        """The model's own columns holding a copy of an organisation path (rewritten on a move)."""
        return tuple(name for name in (*self.paths, *self.records) if "__" not in name)

    def q(self, scope: Scope, *, self_service: bool = True) -> Q | None:
        """The rows of ``scope`` (all for ``everything``); ``None`` when there are none."""
        if scope.everything:
            return Q()
        q = scope._any(self.paths, subtree_q)
        if self_service:
            if self.own is not None and scope.person_id:
                q = _or(q, Q(**{self.own: scope.person_id}))
            if self.owned_by is not None and scope.owner_id:
                q = _or(q, Q(**{self.owned_by: scope.owner_id}))
        if self.also is not None:
            more = self.also(scope)
            if more is not None:
                q = _or(q, more)
        return q


def _or(q: Q | None, other: Q) -> Q:
    return other if q is None else q | other


def spec_of(model: type[models.Model]) -> ScopeSpec | None:
    spec = getattr(model, "scope", None)
    return spec if isinstance(spec, ScopeSpec) else None


def scoped_models() -> list[tuple[type[models.Model], ScopeSpec]]:
    """Every installed model with a scope declaration (read from the app registry: core imports no app)."""
    return [(model, spec) for model in apps.get_models() if (spec := spec_of(model)) is not None]


def path_columns() -> list[tuple[type[models.Model], str]]:
    """Every (model, column) holding a copy of an organisation path: what a subtree move rewrites."""
    return [(model, column) for model, spec in scoped_models() for column in spec.columns]


def is_path_like(model_field: Any) -> bool:
    """A column that looks like it holds an organisation path: a CharField named ``path`` or ``*_path``."""
    name = getattr(model_field, "name", "")
    return isinstance(model_field, models.CharField) and (name == "path" or name.endswith("_path"))


PROJECT = __name__.split(".")[0]  # the project's own apps (third-party models are not in the tree)


def check_declarations(model_list: Iterable[type[models.Model]]) -> list[checks.CheckMessage]:
    """Errors for declared lookups that do not exist, and for path-like columns nobody declared."""
    errors: list[checks.CheckMessage] = []
    for model in model_list:
        spec = spec_of(model)
        label = model._meta.label
        declared = set(spec.columns) if spec else set()
        if spec is not None:
            lookups = [*spec.paths, *spec.records, *(x for x in (spec.own, spec.owned_by) if x)]
            for lookup in lookups:
                problem = _lookup_problem(model, lookup)
                if problem:
                    errors.append(checks.Error(
                        f"{label}.scope names {lookup!r}, which {problem}.", obj=model, id="tongxin.E101"
                    ))  # fmt: skip
            for name in spec.columns:
                if not _lookup_problem(model, name) and not isinstance(model._meta.get_field(name), models.CharField):
                    errors.append(checks.Error(
                        f"{label}.scope path column {name!r} is not a CharField.", obj=model, id="tongxin.E102"
                    ))  # fmt: skip
        for column in model._meta.concrete_fields:
            if is_path_like(column) and column.name not in declared:
                errors.append(checks.Error(
                    f"{label}.{column.name} looks like an organisation path but the model's scope does not "
                    "declare it: add it to ScopeSpec(paths=...) or (records=...) so a subtree move rewrites it.",
                    obj=model, id="tongxin.E103",
                ))  # fmt: skip
    return errors


def _lookup_problem(model: type[models.Model], lookup: str) -> str:
    """Why ``lookup`` does not name a field reachable from ``model`` ("" when it does)."""
    current: Any = model
    parts = lookup.split("__")
    for index, part in enumerate(parts):
        if part == "pk":
            found: Any = current._meta.pk
        else:
            try:
                found = current._meta.get_field(part)
            except FieldDoesNotExist:
                return f"is not a field of {current._meta.label}"
        if index < len(parts) - 1:
            if not found.is_relation or found.related_model is None:
                return f"goes through {part!r}, which is not a relation"
            current = found.related_model
    return ""


@checks.register(checks.Tags.models)
def check_scope_declarations(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    configs = app_configs or apps.get_app_configs()
    own = [c for c in configs if c.name == PROJECT or c.name.startswith(f"{PROJECT}.")]
    return check_declarations(model for config in own for model in config.get_models())


# --- querysets -------------------------------------------------------------------------------------------


class ScopedQuerySet(models.QuerySet):
    """Queryset that restricts rows to a scope by the model's declaration (its ``scope`` ScopeSpec)."""

    def within(self, scope: Scope, *, self_service: bool = True) -> Self:
        """The rows ``scope`` reaches, by the model's declaration. ``self_service=False`` leaves out the
        self-service grants (``own``, ``owned_by``): a list for role holders."""
        spec = spec_of(self.model)
        if spec is None:
            raise TypeError(f"{self.model._meta.label} declares no scope")
        if scope.everything:
            return self
        q = spec.q(scope, self_service=self_service)
        return self.none() if q is None else self.filter(q)

    def visible_to(self, user: AnonymousUser | Any, action: str = VIEW, *, self_service: bool = True) -> Self:
        """For pages and the API: what the request's user may see (or change, manage)."""
        return self.within(scope_for(user, action), self_service=self_service)

    def for_actor(self, actor: Actor, action: str = VIEW, *, self_service: bool = True) -> Self:
        """For services and commands: the same as ``visible_to``; ``actor=None`` is the system, which sees
        all."""
        return self.within(actor_scope(actor, action), self_service=self_service)

    def in_subtree(self, prefix: str) -> Self:
        """Rows in the one subtree ``prefix`` (by the first declared path)."""
        spec = spec_of(self.model)
        if spec is None or not spec.paths:
            raise TypeError(f"{self.model._meta.label} declares no scope path")
        return self.filter(subtree_q(spec.paths[0], prefix))


def require(actor: Actor, action: str, path: str | None) -> None:
    """Raise PermissionDenied unless ``actor`` may do ``action`` at ``path`` (None: the whole system).

    ``actor=None`` is the system itself (seed and import commands), which may do anything.
    """
    if actor is None:
        return
    scope = scope_for(actor, action)
    if scope.everything:
        return
    if path is None or not scope.covers_path(path):
        raise PermissionDenied
