"""One transition helper for every workflow (state machine) in the project.

A workflow is plain code: a ``status`` TextChoices on the model, a table of the allowed transitions
(``name → (state or states it leaves from, state it reaches)``) and one service per transition. This
module holds what every such service did by hand before:

* :meth:`Workflow.lock` re-reads the row ``SELECT … FOR UPDATE`` and checks that the table lets the
  transition leave the row's current state; if not (someone else acted first, or the step is out of
  order) it raises the workflow's DomainError, naming the state the row is in;
* :meth:`Workflow.move` moves the row to the state the *table* names (the service never sets the status
  itself, so the table and the code cannot drift), saves it and writes the ChangeLog row;
* :meth:`Workflow.create` saves a new row (refusing a concurrent duplicate with the workflow's message)
  and :meth:`Workflow.record` writes the workflow's ChangeLog row(s) for a write that is not a transition.

Between ``lock`` and ``move`` the service checks who may act and validates its input; everything runs in
the service's ``transaction.atomic``, so a refusal writes nothing. Notifications stay in the service.

A transition whose target is a tuple is a decision: the service passes ``outcome=`` (one of them). A
transition name, a state or an outcome that is not in the table is a programming error
(:class:`TransitionError`), never a silent write.

Example (a monthly review: draft → submitted → confirmed, returned to draft)::

    REVIEW_TRANSITIONS = {
        "submit": ((Status.DRAFT,), Status.SUBMITTED),
        "confirm": ((Status.SUBMITTED,), Status.CONFIRMED),
        "return": ((Status.SUBMITTED,), Status.DRAFT),
    }
    REVIEWS = Workflow(
        MonthlyReview, REVIEW_TRANSITIONS, url_name="points:review_detail",
        refusal=gettext_lazy("This review is already “%(status)s”; someone acted on it before you. Reload the page."),
    )

    @transaction.atomic
    def confirm(actor, review):
        review = REVIEWS.lock(actor, review, "confirm")
        require(actor, CHANGE, committee_path(review.org_path))
        return REVIEWS.move(actor, review, "confirm", changes={"confirmed_at": timezone.now()})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import Actor

M = TypeVar("M", bound=models.Model)

# A transition table: name → (the state, or the states, it leaves from; the state it reaches, or the
# states the service chooses among for a decision).
Table = Mapping[str, tuple[Any, Any]]


class TransitionError(RuntimeError):
    """The code asked for a transition, a state or an outcome the table does not have: a bug, not a
    user's mistake (users get DomainError)."""


def _states(value: Any) -> tuple[str, ...]:
    """A table cell as a tuple of states: one state (a str, TextChoices included) or a collection."""
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _default_paths(row: models.Model) -> tuple[str, ...]:
    return (getattr(row, "org_path", ""),)


# --- four eyes -------------------------------------------------------------------------------------------


def own_case_message() -> str:
    return _("This concerns you personally: another person responsible must approve it.")


def acts_on_own_case(actor: Actor, person_ids: int | Iterable[int | None] | None) -> bool:
    """Whether ``actor`` (a user linked to a Person) is one of the people ``person_ids`` names. The system
    (``None``) and a user without a person record never are."""
    own = getattr(actor, "person_id", None)
    if own is None or person_ids is None:
        return False
    if isinstance(person_ids, int):
        return own == person_ids
    return own in set(person_ids)


def refuse_own_case(actor: Actor, person_ids: int | Iterable[int | None] | None, field: str | None = "__all__",
                    message: str | None = None) -> None:  # fmt: skip
    """The four-eyes rule for a write that is not a transition (a person's membership fields, dues, a
    batch): DomainError when ``actor`` is one of the people the write decides about."""
    if acts_on_own_case(actor, person_ids):
        raise DomainError(field, message or own_case_message())


@dataclass(frozen=True, eq=False)
class Workflow(Generic[M]):
    """The state machine of ``model``'s ``field`` described by ``transitions``.

    ``refusal``: the message when the row is not in a state the transition leaves from: a (lazy)
    translated text with ``%(status)s`` (the current state's label), or ``(row, transition) → text``.
    ``error_field``: the DomainError's field. ``related``: ``select_related`` of the locked row.
    ``authorize(actor, row, transition)``: raises PermissionDenied; when given, ``lock`` calls it before
    looking at the state (so an outsider is not told where the row is). ``audit_paths(row)``: the
    organisation path of each ChangeLog row (default: ``row.org_path``; a transfer is logged on both
    sides). ``partial_save``: ``move`` saves only the state and the fields it was given. ``url_name``:
    the row's page (notifications link to it).

    Four eyes (:meth:`check_four_eyes`): ``subject(row)`` is the id of the person the row is about (or
    the ids, for a row about several: a branch's annual review grades each of its members); every
    transition is refused to that person, except those named in ``self_service`` (what a person may do
    on her own case: withdraw it, ask for the next step). A workflow about nobody in particular (a
    meeting) leaves ``subject`` out; ``core/tests/test_four_eyes.py`` finds every Workflow of the code and
    requires it to say why.
    """

    model: type[M]
    transitions: Table
    refusal: Promise | str | Callable[[M, str], str]
    field: str = "status"
    error_field: str = "status"
    related: tuple[str, ...] = ()
    authorize: Callable[[Any, M, str], None] | None = None
    audit_paths: Callable[[M], Iterable[str]] = _default_paths
    partial_save: bool = False
    url_name: str = ""
    subject: Callable[[M], int | Iterable[int | None] | None] | None = None
    self_service: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse a table that names a state the model's field does not have (checked once, at import)."""
        unknown_steps = sorted(set(self.self_service) - set(self.transitions))
        if unknown_steps:
            raise TransitionError(f"{self.model.__name__}: self_service names no transition: {unknown_steps}")
        column = self.model._meta.get_field(self.field)
        choices = {str(value) for value, _label in getattr(column, "choices", None) or ()}
        for name, (sources, targets) in self.transitions.items():
            unknown = [state for state in (*_states(sources), *_states(targets)) if state not in choices]
            if unknown:
                raise TransitionError(f"{self.model.__name__}: transition {name!r} names unknown states {unknown}")

    # --- the table -----------------------------------------------------------------------------------

    def _entry(self, transition: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        try:
            sources, targets = self.transitions[transition]
        except KeyError:
            raise TransitionError(f"{self.model.__name__} has no transition {transition!r}") from None
        return _states(sources), _states(targets)

    def sources(self, transition: str) -> tuple[str, ...]:
        """The states ``transition`` may leave from."""
        return self._entry(transition)[0]

    def target(self, transition: str, outcome: str | None = None) -> str:
        """The state ``transition`` reaches: the table's, or for a decision the ``outcome`` chosen among
        the table's targets."""
        targets = self._entry(transition)[1]
        if outcome is None:
            if len(targets) != 1:
                raise TransitionError(f"{transition!r} is a decision: pass one of {targets} as outcome")
            return targets[0]
        if outcome not in targets:
            raise TransitionError(f"{transition!r} does not lead to {outcome!r}")
        return outcome

    def can_leave(self, row: M, transition: str) -> bool:
        """Whether ``row``'s current state is one ``transition`` leaves from (no lock, no query)."""
        return getattr(row, self.field) in self.sources(transition)

    def state_label(self, row: M) -> str:
        return str(getattr(row, f"get_{self.field}_display")())

    def refusal_message(self, row: M, transition: str) -> str:
        """What a user is told when ``row`` is not in a state ``transition`` leaves from."""
        if isinstance(self.refusal, str | Promise):
            return str(self.refusal) % {"status": self.state_label(row)}
        return self.refusal(row, transition)

    def url(self, row: M) -> str:
        return reverse(self.url_name, args=[row.pk])

    # --- the steps -----------------------------------------------------------------------------------

    def lock(self, actor: Actor, row: M, transition: str) -> M:
        """``row`` read again and locked (``SELECT … FOR UPDATE``), in a state ``transition`` leaves from;
        else DomainError naming the state someone else left it in. Only ``row.pk`` is read."""
        sources = self.sources(transition)
        manager = self.model._default_manager
        current = manager.select_for_update(of=("self",)).select_related(*self.related).get(pk=row.pk)
        if self.authorize is not None:
            self.authorize(actor, current, transition)
        if getattr(current, self.field) not in sources:
            raise DomainError(self.error_field, self.refusal_message(current, transition))
        return current

    def refuses_subject(self, transition: str) -> bool:
        """Whether ``transition`` is refused to the row's subject (every one not in ``self_service``)."""
        self._entry(transition)
        return self.subject is not None and transition not in self.self_service

    def subjects(self, row: M) -> tuple[int, ...]:
        """The ids of the people ``row`` is about (none when the workflow declares no subject)."""
        if self.subject is None:
            return ()
        found = self.subject(row)
        if found is None:
            return ()
        if isinstance(found, int):
            return (found,)
        return tuple(pk for pk in found if pk is not None)

    def four_eyes_allow(self, actor: Actor, row: M, transition: str) -> bool:
        """Whether the four-eyes rule lets ``actor`` take ``transition`` on ``row`` (a page hides the
        button it would refuse)."""
        return not (self.refuses_subject(transition) and acts_on_own_case(actor, self.subjects(row)))

    def check_four_eyes(self, actor: Actor, row: M, transition: str) -> None:
        """The four-eyes rule (issue 12): nobody approves, accepts, confirms or decides a step about
        themselves. ``move`` calls it on every transition, before it writes: after the service checked
        who may act (an outsider is still told 403/404, not that the case is hers), inside the service's
        transaction (whatever the service wrote before is rolled back). A transition the table lets the
        subject take on her own case is named in ``self_service``. Refused: DomainError."""
        if not self.refuses_subject(transition) or getattr(actor, "person_id", None) is None:
            return
        refuse_own_case(actor, self.subjects(row), self.error_field)

    def move(
        self,
        actor: Actor,
        row: M,
        transition: str,
        *,
        changes: Mapping[str, Any] | None = None,
        outcome: str | None = None,
        before: dict[str, Any] | None = None,
        audit_extra: Mapping[str, Any] | None = None,
    ) -> M:
        """Move the locked ``row`` along ``transition`` to the table's target (or ``outcome``), setting
        ``changes`` as well; save it and write the ChangeLog row(s).

        ``before``: the audit's "before", when the service changed the row already (default: the row as
        it is now). ``audit_extra``: more keys for the audit's "after" (a reason that is not a column).
        """
        target = self.target(transition, outcome)
        if not self.can_leave(row, transition):
            raise TransitionError(
                f"{self.model.__name__} {row.pk} is {getattr(row, self.field)!r}: {transition!r} cannot leave it"
            )
        self.check_four_eyes(actor, row, transition)
        if before is None:
            before = snapshot(row)
        for name, value in (changes or {}).items():
            setattr(row, name, value)
        setattr(row, self.field, target)
        if self.partial_save:
            row.save(update_fields=[self.field, *(changes or {})])
        else:
            row.save()
        self.record(actor, row, ChangeLog.Action.UPDATE, before=before, audit_extra=audit_extra)
        return row

    def create(
        self,
        actor: Actor,
        row: M,
        *,
        conflict: Callable[[], DomainError],
        audit_extra: Mapping[str, Any] | None = None,
    ) -> M:
        """Save the new ``row`` and write its CREATE row. A unique constraint that refuses it (the same
        record opened by someone else at the same moment) raises ``conflict()``, asked only then."""
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise conflict() from None
        self.record(actor, row, ChangeLog.Action.CREATE, audit_extra=audit_extra)
        return row

    def record(
        self,
        actor: Actor,
        row: M,
        action: str,
        *,
        before: dict[str, Any] | None = None,
        audit_extra: Mapping[str, Any] | None = None,
    ) -> None:
        """The workflow's ChangeLog row for ``row`` (one per audit path), the "after" being the row now."""
        after = {**snapshot(row), **(audit_extra or {})}
        for path in dict.fromkeys(self.audit_paths(row)):
            record_change(actor, row, action, before=before, after=after, org_path=path)
