"""Lapse (自行脱团): the branch meeting's decision on a member the lapse list shows, and the committee's approval.

DOMAIN.md, League membership: "6 consecutive months without dues, meetings or assigned work → listed for the
branch meeting to decide; the higher committee approves." The list is ``orglife.lapse`` (a read: no league dues
and no meeting attended for ``lapse_months``); this module records what is decided about a member on it. The
state machine is ``LAPSE_TRANSITIONS`` below (``LapseCase.status``). Who acts:

* propose: the branch side (CHANGE over the member's branch), for a member the lapse list shows today, giving the
  date of the branch meeting that decided and an optional note. A member not listed is refused by name;
* approve, reject (with a reason): the committee above the branch (CHANGE over the branch's *parent* path), not
  the member himself (the workflow's subject) and not the user who proposed it.

Approval ends the member's stay through ``people.services.move_member`` (status ``left``, reason ``lapsed``, on
the day of the approval), so the roster, the roll-ups, the tallies and the membership history stay right and
the annual report counts him in its "lapsed" column. Every step locks the case, writes its ChangeLog row and
notifies whoever acts next; the committee's cases to approve are an inbox line (``pending_lapse_cases``).

The lapse list is read from the orglife app (``orglife.lapse``, which writes nothing): pyproject.toml names this
one import as an exception between the two feature apps.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.notify import notice, notify_actors
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date, checked_text
from tongxin.core.inbox import PendingItem
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Actor, by, require, scope_for
from tongxin.core.workflow import Workflow, refuse_own_case
from tongxin.lifecycle.models import LapseCase, LapseStatus
from tongxin.lifecycle.services.common import check_reason, committee_path
from tongxin.orglife.lapse import lapse_candidates
from tongxin.people.models import Membership, MembershipStatus, Person
from tongxin.people.services import move_member

NOTE_LENGTH = 500

LAPSE_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve": ((LapseStatus.PROPOSED,), LapseStatus.APPROVED),
    "reject": ((LapseStatus.PROPOSED,), LapseStatus.REJECTED),
}


def may_decide(actor: Actor, case: LapseCase) -> bool:
    """Whether ``actor`` acts for the committee above the case's branch (CHANGE over the parent's path); the
    system (``None``) may."""
    above = committee_path(case.org_path)
    return actor is None or (bool(above) and scope_for(actor, CHANGE).covers_path(above))


def _authorize(actor: Actor, case: LapseCase, transition: str) -> None:
    if not may_decide(actor, case):
        raise PermissionDenied


LAPSES: Workflow[LapseCase] = Workflow(
    LapseCase,
    LAPSE_TRANSITIONS,
    refusal=gettext_lazy("This lapse case is already “%(status)s”; someone acted on it before you. Reload the page."),
    related=("person", "branch"),
    authorize=_authorize,
    url_name="lifecycle:lapse_case",
    subject=lambda case: case.person_id,  # nobody decides on his own lapse
)


def _notice(message: str, case: LapseCase, **params: Any) -> str:
    """A notification's text in the deployment's language (the recipient reads it, not the actor)."""
    return notice(message, name=case.person.name, org=case.branch.name, **params)


def listed(person: Person, today: datetime.date | None = None) -> Person | None:
    """``person`` as the lapse list shows him today (with ``last_dues_month`` and ``last_attended_at``), or None
    when it does not list him. One query."""
    return lapse_candidates(None, None, today=today).filter(pk=person.pk).first()


def not_listed_message(person: Person) -> str:
    return _(
        "%(name)s is not on the lapse list: a member is proposed only after %(months)d consecutive months without "
        "league dues or a meeting attended (自行脱团)."
    ) % {"name": person.name, "months": int(rule("lapse_months"))}


def open_case_message(person: Person) -> str:
    return _("%(name)s already has a lapse case waiting for the committee's decision.") % {"name": person.name}


def open_case(person: Person) -> LapseCase | None:
    return LapseCase.objects.filter(person=person, status=LapseStatus.PROPOSED).first()


def _meeting_date(meeting_on: datetime.date | None) -> datetime.date:
    if meeting_on is None:
        raise DomainError("meeting_on", _("Enter the date of the branch meeting that decided."))
    checked_date("meeting_on", meeting_on, "history")
    if meeting_on > timezone.localdate():
        raise DomainError(
            "meeting_on",
            _("The date %(date)s is in the future: record the decision once the branch meeting has been held.")
            % {"date": meeting_on.isoformat()},
        )
    return meeting_on


@transaction.atomic
def propose(actor: Actor, *, person: Person, meeting_on: datetime.date | None, note: str = "") -> LapseCase:
    """The branch records that its meeting of ``meeting_on`` decided that ``person`` (on the lapse list) has
    lapsed; the committee above is asked to approve."""
    note = checked_text("note", note, max_length=NOTE_LENGTH)
    person = Person.objects.select_for_update(of=("self",)).select_related("branch").get(pk=person.pk)
    require(actor, CHANGE, person.org_path)
    refuse_own_case(actor, person.pk, "person")  # four eyes: nobody proposes his own lapse
    meeting_on = _meeting_date(meeting_on)
    if person.status != MembershipStatus.ACTIVE or person.branch is None:
        raise DomainError("person", _("%(name)s is no longer an active member.") % {"name": person.name})
    if open_case(person) is not None:
        raise DomainError("person", open_case_message(person))
    shown = listed(person)
    if shown is None:
        raise DomainError("person", not_listed_message(person))
    case = LapseCase(
        person=person, branch=person.branch, org_path=person.org_path, meeting_on=meeting_on, note=note,
        last_dues_month=getattr(shown, "last_dues_month", None),
        last_attended_at=getattr(shown, "last_attended_at", None), proposed_by=by(actor),
    )  # fmt: skip
    # A concurrent proposal for the same member may have won (one open case per member).
    LAPSES.create(actor, case, conflict=lambda: DomainError("person", open_case_message(person)))
    text = _notice(gettext_noop("The branch meeting of %(org)s decided that %(name)s has lapsed: please approve "
                                "or reject."), case)  # fmt: skip
    # What pending_lapse_cases counts for the committee: the badge counts it once.
    notify_actors(CHANGE, committee_path(case.org_path) or case.org_path, text=text, url=LAPSES.url(case),
                  exclude=actor, about_pending=True)  # fmt: skip
    return case


def proposer_message() -> str:
    return _("You proposed this lapse: another person responsible of the committee approves it.")


@transaction.atomic
def approve(actor: Actor, case: LapseCase) -> LapseCase:
    """The committee above the branch approves: the member leaves the League (自行脱团) today."""
    case = LAPSES.lock(actor, case, "approve")
    if case.proposed_by_id is not None and case.proposed_by_id == getattr(actor, "pk", None):
        raise DomainError("status", proposer_message())
    person = case.person
    if person.status != MembershipStatus.ACTIVE or person.org_path != case.org_path:
        raise DomainError(
            "status",
            _("%(name)s is no longer an active member of %(org)s: reject this case.")
            % {"name": person.name, "org": case.branch.name},
        )
    if listed(person) is None:
        raise DomainError(
            "status",
            _("%(name)s is no longer on the lapse list (dues paid or a meeting attended since): reject this case.")
            % {"name": person.name},
        )
    day = timezone.localdate()
    LAPSES.move(actor, case, "approve", changes={"decided_by": by(actor), "decided_on": day})
    move_member(actor, person, status=MembershipStatus.LEFT, reason=Membership.Reason.LAPSED, on=day)
    text = _notice(gettext_noop("The lapse of %(name)s (%(org)s) was approved: the member has left the League."),
                   case)  # fmt: skip
    notify_actors(CHANGE, case.org_path, text=text, url=LAPSES.url(case), exclude=actor)
    return case


@transaction.atomic
def reject(actor: Actor, case: LapseCase, *, reason: str) -> LapseCase:
    """The committee above the branch rejects the proposal, saying why: the member stays active."""
    reason = check_reason(reason, _("Say why the lapse is rejected: the branch will read it."))
    case = LAPSES.lock(actor, case, "reject")
    changes = {"decided_by": by(actor), "decided_on": timezone.localdate(), "rejection_reason": reason}
    LAPSES.move(actor, case, "reject", changes=changes)
    text = _notice(gettext_noop("The lapse of %(name)s (%(org)s) was rejected: %(reason)s"), case, reason=reason)
    notify_actors(CHANGE, case.org_path, text=text, url=LAPSES.url(case), exclude=actor)
    return case


# --- lists and the inbox ---------------------------------------------------------------------------------


def waiting_for(user: Any) -> QuerySet[LapseCase]:
    """Proposed cases of the branches below the user's organisations: the committee's to decide."""
    scope = scope_for(user, CHANGE)
    qs = LapseCase.objects.filter(status=LapseStatus.PROPOSED)
    if scope.everything:
        return qs
    if not scope.prefixes:
        return qs.none()
    return qs.filter(scope.below_q("org_path"))


def pending_lapse_cases(user: Any) -> list[PendingItem]:
    """The inbox's line: lapse cases waiting for this user's approval (one COUNT; none without a CHANGE role)."""
    if not scope_for(user, CHANGE).has_subtrees:
        return []
    url = reverse("lifecycle:lapse_cases") + "?tab=waiting"
    return [PendingItem(gettext_lazy("Lapse cases to approve"), waiting_for(user).count(), url)]


def may_propose(user: Any, person: Person) -> bool:
    """Whether ``user`` may propose ``person`` (a page shows the button): CHANGE over his branch, not himself."""
    return scope_for(user, CHANGE).covers_path(person.org_path) and getattr(user, "person_id", None) != person.pk


def mark_open_cases(user: Any, people: list[Person]) -> None:
    """Set on each of ``people`` (a page of the lapse list) ``lapse_case``, his open case or None, and
    ``may_propose_lapse``: one query for the page."""
    cases = {
        case.person_id: case
        for case in LapseCase.objects.filter(person__in=[p.pk for p in people], status=LapseStatus.PROPOSED)
    }
    for person in people:
        person.lapse_case = cases.get(person.pk)  # type: ignore[attr-defined]
        person.may_propose_lapse = person.pk not in cases and may_propose(user, person)  # type: ignore[attr-defined]
