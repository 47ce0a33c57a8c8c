"""Registries that the apps fill in their ``AppConfig.ready()``: core knows the registries, never the apps.

Apps depend downward only (ARCHITECTURE.md; the import-linter contracts in pyproject.toml check it), so
whatever core or a lower app shows or runs on behalf of the apps above it comes from here:

- **navigation** (``register_nav``): the navbar's entries, by the five areas of the work model;
- **home cards** (``register_home_card``): the cards of the member's home (我的) and the secretary's
  workbench (工作台);
- **demo-seed steps** (``register_demo_step``): what ``manage.py seed_demo`` runs, in declared order;
- **page context and page parts** (``register_page_context``, ``register_page_part``): what an app adds
  to a lower app's page (the people app puts the cadres on the organisation page, lifecycle its buttons on
  the organisation and person pages, privacy its consent panel);
- **identity copies** (``register_identity_copy``): models holding their own copy of a person's identity
  (a recruitment application's name, ID number and phone), which anonymisation must blank too;
- **lookup hashes** (``register_lookup_hashes``): models whose keyed hashes ``rehash_personal_data``
  recomputes after the lookup key changed;
- **personal data sections** (``register_personal_data``): each model pointing at a person says which of
  its fields the person's right-of-access file (``privacy.exports``) shows, or why it shows none;
- **the tree's roots** (``register_root_paths``): the orgs app says which organisations are roots (core's
  rules page is for the admins of a root);
- **linked records** (``register_link_kind``): an app whose records another app of the same layer may name by
  id (a venue booking names the activity it hosts) says how to find them for a user, and which she may link:
  the naming app keeps the id and asks core, never imports the other app.

The pending-work registry of the inbox is ``core.inbox.register_pending``. A new app copies::

    class StudyConfig(AppConfig):
        name = "tongxin.study"

        def ready(self) -> None:
            # Lazy: the registries hold app code, which imports models (not ready at module import time).
            from tongxin.core.inbox import register_pending
            from tongxin.core import registry
            from tongxin.study import models, services

            registry.register_nav("thought", _("Study campaigns"), "study:campaigns", order=10, when=registry.HAS_ROLE)
            registry.register_home_card("member", "checkins", _("My check-ins"), "study:mine", order=30,
                                        value=services.open_checkins_count)
            registry.register_demo_step("study", "tongxin.study.demo", order=300)  # demo.py: seed(demo_run)
            registry.register_page_part("orgs:detail", "actions", "study/_org_actions.html", order=50)
            registry.register_personal_data(models.CheckIn, "person", title=_("Study check-ins"),
                                            fields=("campaign", "day"))
            register_pending(services.pending_checkins)  # one scoped COUNT

Registering the same key twice replaces the entry (``ready()`` may run more than once in tests).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongxin.core.scoping import CHANGE, VIEW, scope_for

Label = str | Promise
UserTest = Callable[[Any], bool]


# --- who sees an entry --------------------------------------------------------------------------------------
# Named in capitals: they read as constants where they are used, ``register_nav(..., when=HAS_ROLE)``.


def ANYONE(user: Any) -> bool:
    """Every logged-in user."""
    return True


def HAS_ROLE(user: Any) -> bool:
    """A holder of a role in some organisation (or a superuser): the organisation's pages."""
    return bool(getattr(user, "has_org_role", False))


def MAY_CHANGE(user: Any) -> bool:
    """A role holder who may change something somewhere (not a viewer)."""
    return HAS_ROLE(user) and scope_for(user, CHANGE).has_subtrees


def HAS_PERSON(user: Any) -> bool:
    """A user linked to their own person record (a member, or a secretary who is a member too)."""
    return bool(getattr(user, "person_id", None))


# --- navigation ---------------------------------------------------------------------------------------------

# The five areas of the work model (五带: 组织, 思想, 队伍, 活动, 阵地), in navbar order. An area without an
# entry for the user shows greyed out ("coming in a later release").
NAV_AREAS: tuple[tuple[str, Label], ...] = (
    ("organisation", _("Organisation")),
    ("thought", _("Thought")),
    ("team", _("Team")),
    ("activities", _("Activities")),
    ("positions", _("Positions")),
)


@dataclass(frozen=True)
class NavEntry:
    """One navbar entry: shown in ``area`` to the users ``when`` accepts, sorted by ``order``.

    ``url_name`` is reversed with ``args(user)`` when given (the member's own profile).
    """

    area: str
    label: Label
    url_name: str
    order: int
    when: UserTest = HAS_ROLE
    args: Callable[[Any], list[Any]] | None = None

    def url(self, user: Any) -> str:
        return reverse(self.url_name, args=self.args(user) if self.args else None)


_nav: dict[str, NavEntry] = {}


def register_nav(
    area: str,
    label: Label,
    url_name: str,
    *,
    order: int,
    when: UserTest = HAS_ROLE,
    args: Callable[[Any], list[Any]] | None = None,
) -> NavEntry:
    """Add a navbar entry (keyed by ``url_name``). ``area`` is one of ``NAV_AREAS``; ``order`` places it
    in its area (the apps leave gaps of 10 so a later entry can go between)."""
    if area not in dict(NAV_AREAS):
        raise ValueError(f"unknown navigation area {area!r}: one of {', '.join(dict(NAV_AREAS))}")
    entry = NavEntry(area, label, url_name, order, when, args)
    _nav[url_name] = entry
    return entry


def nav_entries() -> list[NavEntry]:
    """Every registered entry, in area then ``order`` order."""
    areas = [key for key, _label in NAV_AREAS]
    return sorted(_nav.values(), key=lambda e: (areas.index(e.area), e.order, e.url_name))


def nav_areas(user: Any) -> list[tuple[str, Label, list[tuple[Label, str]]]]:
    """The navbar for ``user``: (area key, area label, [(entry label, url)]) for each of the five areas.

    An area no app has put anything in yet comes with no entries (the navbar greys it: "coming in a later
    release", which is true); an area that exists for other roles but holds nothing for this user is left
    out, rather than telling a member it will come later."""
    shown: dict[str, list[tuple[Label, str]]] = {key: [] for key, _label in NAV_AREAS}
    registered: set[str] = set()
    for entry in nav_entries():
        registered.add(entry.area)
        if entry.when(user):
            shown[entry.area].append((entry.label, entry.url(user)))
    return [(key, label, shown[key]) for key, label in NAV_AREAS if shown[key] or key not in registered]


# --- home cards ---------------------------------------------------------------------------------------------

HOME_AUDIENCES = ("member", "secretary")


@dataclass(frozen=True)
class HomeCard:
    """A card on a home page: the member's (``audience="member"``) or the secretary's workbench
    (``"secretary"``). ``value(user)`` (optional) gives the figure the card shows (a count, a date, a short
    text; ``None`` hides the card); ``template`` renders it (``core/_home_card.html`` by default, with
    ``card`` in the context)."""

    audience: str
    key: str
    title: Label
    url_name: str
    order: int
    when: UserTest = ANYONE
    value: Callable[[Any], Any] | None = None
    args: Callable[[Any], list[Any]] | None = None
    template: str = "core/_home_card.html"


@dataclass
class ShownCard:
    """A card ready to render for one user."""

    card: HomeCard
    title: Label
    url: str
    value: Any = None
    template: str = field(default="core/_home_card.html")

    @property
    def is_count(self) -> bool:
        """A bare number (shown large) rather than words (a name, "3 unpaid this month": shown as text)."""
        return isinstance(self.value, int) or str(self.value).isdigit()


_home_cards: dict[tuple[str, str], HomeCard] = {}


def register_home_card(
    audience: str,
    key: str,
    title: Label,
    url_name: str,
    *,
    order: int,
    when: UserTest = ANYONE,
    value: Callable[[Any], Any] | None = None,
    args: Callable[[Any], list[Any]] | None = None,
    template: str = "core/_home_card.html",
) -> HomeCard:
    """Add a card to the home page of ``audience`` (``"member"`` or ``"secretary"``), keyed by ``key``.

    ``value`` runs on every home page view, so it must be cheap (one scoped COUNT, like a pending provider).
    """
    if audience not in HOME_AUDIENCES:
        raise ValueError(f"unknown home audience {audience!r}: one of {', '.join(HOME_AUDIENCES)}")
    card = HomeCard(audience, key, title, url_name, order, when, value, args, template)
    _home_cards[(audience, key)] = card
    return card


def unregister_home_card(audience: str, key: str) -> None:
    """Remove a card (tests)."""
    _home_cards.pop((audience, key), None)


def home_cards(audience: str, user: Any) -> list[ShownCard]:
    """The cards of ``audience``'s home page that ``user`` may see, in ``order``, each with its URL and value
    (a card whose ``value`` is ``None`` is left out)."""
    if audience not in HOME_AUDIENCES:
        raise ValueError(f"unknown home audience {audience!r}")
    shown = []
    cards = sorted((c for c in _home_cards.values() if c.audience == audience), key=lambda c: (c.order, c.key))
    for card in cards:
        if not card.when(user):
            continue
        value = card.value(user) if card.value else None
        if card.value is not None and value is None:
            continue
        url = reverse(card.url_name, args=card.args(user) if card.args else None)
        shown.append(ShownCard(card, card.title, url, value, card.template))
    return shown


# --- demo-seed steps ----------------------------------------------------------------------------------------


@dataclass
class DemoRun:
    """What ``seed_demo`` hands each step: the options, a progress printer, and the earlier steps' results
    by step name (the accounts step reads the district the people step built)."""

    scale: int
    seed: int
    progress: Callable[[str], None]
    results: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStep:
    """One step of ``seed_demo``: the app's demo module (imported only when seeding: demo data needs Faker,
    which the running site does not), with these functions:

    - ``seed(demo_run)`` (required) seeds and returns its result (kept in ``demo_run.results[name]``);
    - ``summary(result)``: the line printed after seeding;
    - ``describe()``: text printed after seeding and by ``seed_demo --if-empty`` (the demo accounts);
    - ``already_seeded()``: why the database cannot be seeded, "" when it can (seed_demo fills an empty one).
    """

    name: str
    order: int
    module: str

    def _function(self, name: str) -> Callable[..., Any] | None:
        return getattr(import_module(self.module), name, None)

    def seed(self, run: DemoRun) -> Any:
        seed = self._function("seed")
        if seed is None:
            raise ImproperlyConfigured(f"{self.module} has no seed(demo_run) function")
        return seed(run)

    def summary(self, result: Any) -> str:
        summary = self._function("summary")
        return summary(result) if summary else ""

    def describe(self) -> str:
        describe = self._function("describe")
        return describe() if describe else ""

    def already_seeded(self) -> str:
        already_seeded = self._function("already_seeded")
        return already_seeded() if already_seeded else ""


_demo_steps: dict[str, DemoStep] = {}


def register_demo_step(name: str, module: str, *, order: int) -> DemoStep:
    """Add a seed_demo step: ``module`` (dotted path) holds ``seed`` and the optional functions of
    :class:`DemoStep`. ``order`` is declared, not the app order: the tree and people first (100), the
    accounts on them (200), feature apps' records about those people after (300 and up)."""
    step = DemoStep(name, order, module)
    _demo_steps[name] = step
    return step


def demo_steps() -> list[DemoStep]:
    """The registered steps in declared order."""
    return sorted(_demo_steps.values(), key=lambda s: (s.order, s.name))


# --- page context and page parts ---------------------------------------------------------------------------

PageContext = Callable[..., dict[str, Any]]
_page_context: dict[str, dict[str, PageContext]] = {}
_page_parts: dict[str, dict[str, dict[str, tuple[int, str]]]] = {}


def register_page_context(page: str, key: str, provider: PageContext) -> None:
    """Let an app add to the context of a lower app's page: ``provider(request, obj)`` returns entries
    merged into the page's context (a lazy queryset costs nothing until the template reads it)."""
    _page_context.setdefault(page, {})[key] = provider


def register_page_part(page: str, slot: str, template: str, *, order: int) -> None:
    """Let an app put its own piece (buttons, a panel) into a slot of a lower app's page: ``template`` is
    included where the page renders ``page_parts.<slot>``, with the page's context (``org``/``person``,
    ``can_change``, ``user``...), and decides itself whether it shows anything."""
    _page_parts.setdefault(page, {}).setdefault(slot, {})[template] = (order, template)


def page_context(page: str, request: Any, obj: Any) -> dict[str, Any]:
    """The entries every registered provider adds to ``page`` for ``obj``, and ``page_parts``: the
    templates of each slot in order."""
    context: dict[str, Any] = {}
    for provider in _page_context.get(page, {}).values():
        context.update(provider(request, obj))
    context["page_parts"] = {
        slot: [template for _order, template in sorted(parts.values())]
        for slot, parts in _page_parts.get(page, {}).items()
    }
    return context


# --- linked records ---------------------------------------------------------------------------------------
# Feature apps sit in one layer and do not import each other (pyproject.toml's contracts). When a record of one
# names a record of another (a booking names the activity held there), it keeps the other's id (no foreign key:
# that would tie the apps' migrations and models together) and reads it through the kind the other app
# registered here. Without that app the kind is missing: nothing is found and nothing can be linked.


@dataclass(frozen=True)
class LinkedRecord:
    """Another app's record as a linking app may show it: its id, a title, the page it is on."""

    pk: int
    title: str
    url: str
    starts_at: Any = None  # when it happens (an aware datetime), if it has a time
    ends_at: Any = None


# (actor or user, ids, action) -> the records among ``ids`` that the actor may ``action`` on (actor None: all)
LinkFinder = Callable[[Any, Iterable[int], str], dict[int, LinkedRecord]]
LinkChoices = Callable[[Any], list[LinkedRecord]]  # (user) -> the records she may link now (recent first, bounded)


@dataclass(frozen=True)
class LinkKind:
    key: str
    label: Label
    find: LinkFinder
    choices: LinkChoices


_link_kinds: dict[str, LinkKind] = {}


def register_link_kind(key: str, label: Label, *, find: LinkFinder, choices: LinkChoices) -> None:
    _link_kinds[key] = LinkKind(key, label, find, choices)


def link_kind(key: str) -> LinkKind | None:
    return _link_kinds.get(key)


def linked(key: str, actor: Any, ids: Iterable[int | None], action: str = VIEW) -> dict[int, LinkedRecord]:
    """The records of kind ``key`` among ``ids`` that ``actor`` may ``action`` on ({} when no app registered
    the kind, or no id is given): one query in the registering app."""
    wanted = sorted({pk for pk in ids if pk is not None})
    kind = _link_kinds.get(key)
    if kind is None or not wanted:
        return {}
    return kind.find(actor, wanted, action)


def link_choices(key: str, user: Any) -> list[LinkedRecord]:
    kind = _link_kinds.get(key)
    return kind.choices(user) if kind is not None else []


# --- identity copies (anonymisation) ------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityCopy:
    """A model whose rows keep their own copy of a person's identity (name, ID number, phone, birth date,
    member number), linked to the person by ``person_field``. Anonymising the person blanks the copy too
    (``privacy.services.anonymise_person``); ``fields`` names the identity fields the model has."""

    model: type[models.Model]
    person_field: str
    fields: tuple[str, ...]


_identity_copies: dict[str, IdentityCopy] = {}

IDENTITY_FIELDS = ("name", "id_number", "phone", "birth_date", "league_number")


def register_identity_copy(model: type[models.Model], *, person_field: str, fields: Iterable[str]) -> None:
    fields = tuple(fields)
    unknown = set(fields) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValueError(f"{model._meta.label}: not identity fields: {', '.join(sorted(unknown))}")
    _identity_copies[model._meta.label] = IdentityCopy(model, person_field, fields)


def identity_copies() -> list[IdentityCopy]:
    return list(_identity_copies.values())


# --- keyed lookup hashes (rehash_personal_data) ---------------------------------------------------------------


@dataclass(frozen=True)
class LookupHashes:
    """A model storing keyed hashes beside encrypted values: ``set_lookup_fields()`` recomputes them on a row
    read with ``only`` (the primary key and the encrypted fields); ``hash_fields`` are the columns it writes."""

    model: type[models.Model]
    hash_fields: tuple[str, ...]
    only: tuple[str, ...]


_lookup_hashes: dict[str, LookupHashes] = {}


def register_lookup_hashes(model: type[models.Model], *, hash_fields: Iterable[str], only: Iterable[str]) -> None:
    if not callable(getattr(model, "set_lookup_fields", None)):
        raise ValueError(f"{model._meta.label} has no set_lookup_fields() to recompute its hashes")
    _lookup_hashes[model._meta.label] = LookupHashes(model, tuple(hash_fields), tuple(only))


def lookup_hashes() -> list[LookupHashes]:
    return list(_lookup_hashes.values())


# --- the organisation tree's roots (orgs sits above core) ----------------------------------------------------

RootPaths = Callable[[Iterable[str] | None], list[str]]
_root_paths: list[RootPaths] = []


def register_root_paths(provider: RootPaths) -> None:
    """The orgs app's answer to "which of these paths (all, for ``None``) are root organisations?", sorted;
    one query. One provider: registering again replaces it."""
    _root_paths[:] = [provider]


def root_paths(within: Iterable[str] | None) -> list[str]:
    if not _root_paths:
        raise ImproperlyConfigured("no app registered the organisation tree's roots (register_root_paths)")
    return _root_paths[0](within)


# --- personal data: what the right-of-access file shows (privacy.exports) -------------------------------------

# (model label, field pointing at the person) → (sheet title, fields written) / the reason it is left out.
# privacy.exports reads these two dicts (the same objects); a test there fails when a relation to Person is
# in neither.
PERSONAL_DATA_SECTIONS: dict[tuple[str, str], tuple[Label, tuple[str, ...]]] = {}
PERSONAL_DATA_NOT_EXPORTED: dict[tuple[str, str], str] = {}


def register_personal_data(
    model: type[models.Model],
    person_field: str,
    *,
    title: Label | None = None,
    fields: Iterable[str] = (),
    not_exported: str = "",
) -> None:
    """Declare what the person's access file shows of ``model`` rows pointing at them through
    ``person_field``: a sheet ``title`` with ``fields`` (only those: a row about the person must name no one
    else's personal data), or ``not_exported`` with the reason."""
    key = (model._meta.label, person_field)
    if not_exported:
        PERSONAL_DATA_NOT_EXPORTED[key] = not_exported
        return
    if title is None or not fields:
        raise ValueError(f"{key}: give a title and fields, or the reason it is not exported")
    PERSONAL_DATA_SECTIONS[key] = (title, tuple(fields))
