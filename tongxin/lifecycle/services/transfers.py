"""Transfers (组织关系转接): start, approve out, accept in, reject, cancel; stalled ones escalated.

The state machine is ``TRANSFER_TRANSITIONS`` in ``lifecycle.models``. Who acts at each step:

* start: the member (their own record), the sending side (CHANGE over the member's branch) or the
  receiving side (CHANGE over the destination). When the sending side starts it, starting *is* its
  approval, so the transfer waits for the receiving side at once; except when the role holder starting
  it is the member herself (four eyes): then another holder of the sending side's role approves it.
* approve out: the sending branch or any organisation above it (CHANGE over ``from_path``). A
  transfer to a destination outside the system is completed by this approval ("transferred out").
* accept in: the receiving organisation or any above it (CHANGE over ``to_path``); when the
  destination is a committee rather than a branch, the acceptance names the branch it assigns.
* reject (with a reason): whichever side is to act next; cancel: the side that started it.

Every transition locks the transfer row first, so of two people acting at once exactly one succeeds and
the other is told what happened. The member's branch, path and history change only on completion,
in the same transaction (``people.services.move_member``). Each transition leaves a ChangeLog row and
notifies the next actor in the inbox.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.notify import notice, notify_actors, notify_users
from tongxin.core.audit import record_id_lookup, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.inbox import PendingItem
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Actor, by, require, scope_for
from tongxin.core.workflow import Workflow, acts_on_own_case
from tongxin.lifecycle import tallies
from tongxin.lifecycle.models import (
    OPEN_TRANSFER_STATUSES,
    TRANSFER_TRANSITIONS,
    Transfer,
    TransferSide,
    TransferStatus,
)
from tongxin.lifecycle.services.common import check_reason, committee_path
from tongxin.orgs.models import LEAGUE_KINDS, MEMBER_HOLDING_KINDS, Organization, OrgStatus
from tongxin.people.lookups import sees
from tongxin.people.models import Membership, MembershipStatus, Person
from tongxin.people.services import move_member
from tongxin.people.validators import check_id_number


def _notice(message: str, transfer: Transfer, **params: Any) -> str:
    """A notification's text, in the deployment's language (the recipient reads it, not the actor)."""
    return notice(message, name=transfer.person.name, **params)


def _sides(transfer: Transfer) -> list[str]:
    """One ChangeLog row on each side, so both secretaries see the transfer in their audit log.

    The receiving side's row only once the sending side approved (:func:`reveals_person`): a ChangeLog row
    names the member (its ``object_repr``), and a receiving side that asked by ID number is not told who
    that is before. Its request is still in its own audit, as the LOOKUP row of the number it typed.
    """
    to_path = transfer.to_path if transfer.out_approved_at is not None else ""
    return [p for p in (transfer.from_path, to_path) if p]


TRANSFERS: Workflow[Transfer] = Workflow(
    Transfer,
    TRANSFER_TRANSITIONS,
    refusal=gettext_lazy("This transfer is already “%(status)s”; someone acted on it before you. Reload the page."),
    related=("person", "from_org", "to_org", "to_branch"),
    audit_paths=_sides,
    url_name="lifecycle:transfer_detail",
    subject=lambda transfer: transfer.person_id,
    self_service=("cancel",),  # she may withdraw her own request; approving, accepting, rejecting are others'
)


def _destination(to_org: Organization | None, external_destination: str) -> tuple[Organization | None, str]:
    external_destination = " ".join((external_destination or "").split())
    if to_org is None:
        if not external_destination:
            raise DomainError(
                "to_org", _("Choose the receiving organisation, or name the destination outside the system.")
            )
        return None, external_destination[:200]
    if external_destination:
        raise DomainError(
            "external_destination",
            _("Give either a receiving organisation in the system or a destination outside it, not both."),
        )
    to_org = Organization.objects.get(pk=to_org.pk)
    if to_org.kind not in LEAGUE_KINDS:
        raise DomainError("to_org", _("A league member is transferred to a league organisation, not to %(org)s.")
                          % {"org": to_org.name})  # fmt: skip
    if to_org.status != OrgStatus.ACTIVE:
        raise DomainError("to_org", _("%(org)s has been dissolved.") % {"org": to_org.name})
    return to_org, ""


@transaction.atomic
def start_transfer(
    actor: Actor,
    *,
    person: Person,
    reason: str,
    side: str,
    to_org: Organization | None = None,
    external_destination: str = "",
    note: str = "",
) -> Transfer:
    """Start moving ``person`` out of their branch; the side that starts it is ``side``."""
    person = Person.objects.select_for_update(of=("self",)).select_related("branch").get(pk=person.pk)
    if person.status != MembershipStatus.ACTIVE or person.branch is None:
        raise DomainError("person", _("%(name)s is not an active member: there is nothing to transfer.")
                          % {"name": person.name})  # fmt: skip
    to_org, external = _destination(to_org, external_destination)
    if to_org is not None and to_org.pk == person.branch_id:
        raise DomainError("to_org", _("%(name)s is already a member of %(org)s.")
                          % {"name": person.name, "org": to_org.name})  # fmt: skip
    if side == TransferSide.MEMBER:
        if actor is not None and getattr(actor, "person_id", None) != person.pk:
            raise PermissionDenied
    elif side == TransferSide.SENDING:
        require(actor, CHANGE, person.org_path)
    elif side == TransferSide.RECEIVING:
        if to_org is None:
            raise PermissionDenied
        require(actor, CHANGE, to_org.path)
    else:
        raise DomainError("side", _("Unknown side."))
    open_message = _("%(name)s already has a transfer in progress: finish or cancel it first.") % {"name": person.name}
    if Transfer.objects.filter(person=person, status__in=OPEN_TRANSFER_STATUSES).exists():
        raise DomainError("person", open_message)
    now = timezone.now()
    transfer = Transfer(
        person=person, from_org=person.branch, from_path=person.org_path, to_org=to_org,
        to_path=to_org.path if to_org else "", external_destination=external, reason=reason, note=note[:500],
        started_by_side=side, started_by=by(actor),
    )  # fmt: skip
    # The sending side's start is its approval, unless the one starting it is the member herself (four
    # eyes): then it waits, like a member's own request, for another holder of the sending side's role.
    if side == TransferSide.SENDING and not acts_on_own_case(actor, person.pk):
        transfer.status = TRANSFERS.target("approve_out")
        transfer.out_approved_by, transfer.out_approved_at = by(actor), now
    TRANSFERS.create(actor, transfer, conflict=lambda: DomainError("person", open_message))  # a concurrent start won
    if transfer.status == TransferStatus.PENDING_IN and transfer.is_external:
        return _complete(actor, transfer)  # never open: nothing to count
    # The dashboards' open transfers, at the organisation that must act next (lifecycle.tallies).
    tallies.retally(Counter(), tallies.transfer_counts(transfer))
    _notify_next(actor, transfer)
    return transfer


# --- the receiving side's request: a member known only by ID number (issue 12, §2) ------------------------------


def ask_transfer_in(
    actor: Actor, *, id_number: str, to_org: Organization | None, reason: str, note: str = ""
) -> Transfer:
    """The receiving side (CHANGE over ``to_org``) asks for the member registered elsewhere with ``id_number``.

    The number is a lookup over the whole roster: it is counted and recorded first
    (``core.audit.record_id_lookup``, the hourly limit, in its own transaction so a refusal still counts).
    Nothing is said about a person the asker may not see: no name, branch or status, in the refusals as
    in the transfer itself until the sending side approves (:func:`reveals_person`).
    """
    number = check_id_number(id_number or "")
    if to_org is None:
        raise DomainError("to_org", _("Choose the receiving organisation."))
    require(actor, CHANGE, to_org.path)
    record_id_lookup(actor, number, purpose="transfer_in", org_path=to_org.path)
    person = Person.objects.with_id_number(number).first()
    hidden = not sees(actor, person)
    if person is None or (hidden and (person.status != MembershipStatus.ACTIVE or person.branch_id is None)):
        raise DomainError("id_number", _("No member with this ID number is registered: add them to the roster."))
    try:
        return start_transfer(actor, person=person, reason=reason, side=TransferSide.RECEIVING, to_org=to_org,
                              note=note)  # fmt: skip
    except DomainError as exc:
        if hidden and "person" in exc.errors:  # the named refusals: an open transfer (the only one left)
            raise DomainError(
                "id_number",
                _("The member with this ID number already has a transfer in progress: it must be finished first."),
            ) from None
        raise


def reveals_person(user: Any, transfer: Transfer) -> bool:
    """Whether ``user`` is shown who is transferred: the receiving side only once the sending side approved.

    Before that, a receiving side that asked by ID number sees the masked number it typed and the state,
    not the name or the branch (else asking would tell who holds a guessed number). The sending side, the
    member and whoever sees the person on the roster anyway always see them.
    """
    if transfer.out_approved_at is not None or transfer.to_path == "":
        return True
    if getattr(user, "person_id", None) == transfer.person_id:
        return True
    return scope_for(user).covers_path(transfer.from_path) or sees(user, transfer.person)


def mark_revealed(user: Any, transfers: Iterable[Transfer]) -> None:
    """Set ``person_revealed`` and ``shown_person`` (the name or the masked ID number) on each transfer, for
    the pages (:func:`reveals_person`)."""
    for transfer in transfers:
        revealed = reveals_person(user, transfer)
        transfer.person_revealed = revealed  # type: ignore[attr-defined]
        transfer.shown_person = shown_name(transfer, revealed)  # type: ignore[attr-defined]


def shown_name(transfer: Transfer, revealed: bool) -> str:
    """The member as a page or notice names them: the name, or the masked ID number the receiving side typed."""
    return transfer.person.name if revealed else transfer.person.masked_id_number


@transaction.atomic
def approve_out(actor: Actor, transfer: Transfer) -> Transfer:
    transfer = TRANSFERS.lock(actor, transfer, "approve_out")
    require(actor, CHANGE, transfer.from_path)
    counted_before = tallies.transfer_counts(transfer)
    now = timezone.now()
    changes = {"out_approved_by": by(actor), "out_approved_at": now, "last_action_at": now}
    TRANSFERS.move(actor, transfer, "approve_out", changes=changes)
    if transfer.is_external:
        transfer = _complete(actor, transfer)
    tallies.retally(counted_before, tallies.transfer_counts(transfer))  # now the receiving side's, or closed
    if transfer.is_external:
        return transfer
    _notify_next(actor, transfer)
    return transfer


@transaction.atomic
def accept_in(actor: Actor, transfer: Transfer, *, branch: Organization | None = None) -> Transfer:
    """Accept ``transfer`` on the receiving side; ``branch`` is required when the destination is not one."""
    transfer = TRANSFERS.lock(actor, transfer, "accept_in")
    to_org = transfer.to_org
    assert to_org is not None  # an external transfer is completed by its approval
    require(actor, CHANGE, transfer.to_path)
    if to_org.kind in MEMBER_HOLDING_KINDS:
        if branch is not None and branch.pk != to_org.pk:
            raise DomainError("branch", _("The transfer goes to %(org)s itself.") % {"org": to_org.name})
        branch = to_org
    elif branch is None:
        raise DomainError(
            "branch", _("%(org)s is not a branch: choose the branch that receives the member.") % {"org": to_org.name}
        )
    elif not branch.path.startswith(transfer.to_path) or branch.pk == to_org.pk:
        raise DomainError("branch", _("Choose a branch of %(org)s.") % {"org": to_org.name})
    before = snapshot(transfer)
    counted_before = tallies.transfer_counts(transfer)
    transfer.to_branch = branch
    transfer.in_accepted_by = by(actor)
    transfer.in_accepted_at = timezone.now()
    transfer.save()
    transfer = _complete(actor, transfer, before=before)
    tallies.retally(counted_before, tallies.transfer_counts(transfer))
    return transfer


def _complete(actor: Actor, transfer: Transfer, *, before: dict[str, Any] | None = None) -> Transfer:
    """The transfer reaches its end (``accept_in``'s target): accepted in, or approved out of the system."""
    before = before or snapshot(transfer)
    day = timezone.localdate()
    if transfer.is_external:
        move_member(actor, transfer.person, status=MembershipStatus.TRANSFERRED_OUT,
                    reason=Membership.Reason.TRANSFER, on=day)  # fmt: skip
    else:
        move_member(actor, transfer.person, branch=transfer.to_branch, reason=Membership.Reason.TRANSFER, on=day)
    TRANSFERS.move(actor, transfer, "accept_in", changes={"last_action_at": timezone.now()}, before=before)
    text = _notice(gettext_noop("The transfer of %(name)s is completed."), transfer)
    notify_actors(CHANGE, transfer.from_path, text=text, url=TRANSFERS.url(transfer), exclude=actor)
    return transfer


@transaction.atomic
def reject(actor: Actor, transfer: Transfer, *, reason: str) -> Transfer:
    """Reject ``transfer`` (the side to act next); the reason is required and shown to the other side."""
    reason = check_reason(reason, _("Say why the transfer is rejected: the member and the other side will read it."))
    transfer = TRANSFERS.lock(actor, transfer, "reject")
    acting_path = transfer.from_path if transfer.status == TransferStatus.PENDING_OUT else transfer.to_path
    require(actor, CHANGE, acting_path)
    return _close(actor, transfer, "reject", reason=reason)


@transaction.atomic
def cancel(actor: Actor, transfer: Transfer) -> Transfer:
    """Withdraw ``transfer``: the member who asked for it, or the side that started it."""
    transfer = TRANSFERS.lock(actor, transfer, "cancel")
    side = transfer.started_by_side
    if side == TransferSide.MEMBER:
        if actor is not None and getattr(actor, "person_id", None) != transfer.person_id:
            require(actor, CHANGE, transfer.from_path)
    elif side == TransferSide.SENDING:
        require(actor, CHANGE, transfer.from_path)
    else:
        require(actor, CHANGE, transfer.to_path)
    return _close(actor, transfer, "cancel")


def _close(actor: Actor, transfer: Transfer, transition: str, *, reason: str = "") -> Transfer:
    now = timezone.now()
    changes = {"rejection_reason": reason, "closed_by": by(actor), "closed_at": now, "last_action_at": now}
    counted_before = tallies.transfer_counts(transfer)
    TRANSFERS.move(actor, transfer, transition, changes=changes)
    tallies.retally(counted_before, tallies.transfer_counts(transfer))  # rejected or cancelled: no longer open
    if transfer.status == TransferStatus.REJECTED:
        message = gettext_noop("The transfer of %(name)s was rejected: %(reason)s")
        text = _notice(message, transfer, reason=reason)
        starter = [transfer.started_by] if transfer.started_by_id and transfer.started_by != actor else []
        if starter and not reveals_person(starter[0], transfer):  # a receiving side refused before approval
            text = notice(message, name=shown_name(transfer, False), reason=reason)
        notify_users(starter, text=text, url=TRANSFERS.url(transfer), org_path=transfer.from_path)
        notify_actors(CHANGE, transfer.from_path, text=text, url=TRANSFERS.url(transfer), exclude=actor)
    return transfer


def _notify_next(actor: Actor, transfer: Transfer) -> None:
    if transfer.status == TransferStatus.PENDING_OUT:
        text = _notice(gettext_noop("%(name)s asks to transfer out: please approve or reject."), transfer)
        notify_actors(CHANGE, transfer.from_path, text=text, url=TRANSFERS.url(transfer), exclude=actor,
                      about_pending=True)  # fmt: skip
    elif transfer.status == TransferStatus.PENDING_IN:
        text = _notice(gettext_noop("%(name)s is being transferred to %(org)s: please accept or reject."), transfer,
                       org=transfer.to_org.name if transfer.to_org else "")  # fmt: skip
        notify_actors(CHANGE, transfer.to_path, text=text, url=TRANSFERS.url(transfer), exclude=actor,
                      about_pending=True)  # fmt: skip


# --- bulk and lists -------------------------------------------------------------------------------------


def act_on_many(actor: Actor, transfers: Iterable[Transfer]) -> tuple[list[Transfer], list[tuple[Transfer, str]]]:
    """Approve or accept each transfer the actor may move on (bulk action of the "waiting for me" list).

    Each goes in its own transaction: one that cannot (a committee destination needs a branch, someone
    else acted first) is reported with the reason and the others still go through.
    """
    done: list[Transfer] = []
    failed: list[tuple[Transfer, str]] = []
    for transfer in transfers:
        try:
            if transfer.status == TransferStatus.PENDING_OUT:
                done.append(approve_out(actor, transfer))
            else:
                done.append(accept_in(actor, transfer))
        except DomainError as exc:
            failed.append((transfer, " ".join(exc.messages)))
        except PermissionDenied:
            failed.append((transfer, _("You may not act on this transfer.")))
    return done, failed


def waiting_for(user: Any) -> QuerySet[Transfer]:
    """Open transfers the user may move on now: approval over their sending side, acceptance over their
    receiving side."""
    scope = scope_for(user, CHANGE)
    qs = Transfer.objects.filter(status__in=OPEN_TRANSFER_STATUSES)
    if scope.everything:
        return qs
    if not scope.prefixes:
        return qs.none()
    out_q, in_q = scope.q("from_path"), scope.q("to_path")
    return qs.filter((Q(status=TransferStatus.PENDING_OUT) & out_q) | (Q(status=TransferStatus.PENDING_IN) & in_q))


def pending_transfers(user: Any) -> list[PendingItem]:
    """The inbox's line for transfers: how many wait for this user's approval or acceptance (one COUNT)."""
    change = scope_for(user, CHANGE)
    if not change.has_subtrees:
        return []
    count = waiting_for(user).count()
    return [PendingItem(gettext_lazy("Transfers to approve or accept"), count, reverse("lifecycle:transfers"))]


def stalled(qs: QuerySet[Transfer], now: datetime.datetime | None = None) -> QuerySet[Transfer]:
    """Open transfers nobody has acted on for the configured number of days (default 10)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=rule("transfer_stall_days"))
    return qs.filter(status__in=OPEN_TRANSFER_STATUSES, last_action_at__lt=cutoff)


def escalate_stalled(now: datetime.datetime | None = None) -> int:
    """Tell the organisation above the side that must act about each stalled transfer; return how many."""
    count = 0
    for transfer in stalled(Transfer.objects.select_related("person", "to_org"), now):
        path = transfer.from_path if transfer.status == TransferStatus.PENDING_OUT else transfer.to_path
        parent_path = committee_path(path) or path  # the organisation above the one that must act
        days = rule("transfer_stall_days")
        message = gettext_noop("The transfer of %(name)s has waited more than %(days)d days: please follow it up.")
        text = _notice(message, transfer, days=days)
        notify_actors(CHANGE, parent_path, text=text, url=TRANSFERS.url(transfer))
        count += 1
    return count
