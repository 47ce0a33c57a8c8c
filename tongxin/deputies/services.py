"""Every write of the deputies' studios: congresses, deputies, reception days and the requests young people
bring (record, assign, follow up, answer, close).

Who acts (CHANGE over a path):
- a congress: its organisation; a deputy: the organisation holding the congress (the person lies in its subtree);
- a reception day and a new request: the deputy's side (her branch or the congress's organisation);
- assigning a request and closing it: the deputy's side; the organisation must lie under the congress's;
- following up and answering: the deputy's side or the organisation the request is assigned to.

Each refusal names the field and the rule and writes nothing (every service runs in one transaction). The
request's status moves only through ``REQUESTS`` (core.workflow), which locks the row and writes the ChangeLog
row; the contact phone is masked there like every phone.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core.audit import record_change
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date, checked_text, person_name_refusal, wording_refusal
from tongxin.core.inbox import PendingItem
from tongxin.core.models import ChangeLog
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Actor, actor_scope, by, require, scope_for
from tongxin.core.workflow import Workflow
from tongxin.deputies.models import (
    Congress,
    ConstituentRequest,
    Deputy,
    ReceptionDay,
    RequestStatus,
    overdue_q,
)
from tongxin.orgs.models import Organization, OrgStatus
from tongxin.people.models import MembershipStatus, Person
from tongxin.people.validators import check_phone
from tongxin.venues.models import Venue, VenueKind

CONTENT_MAX = 2000

REQUEST_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": ((RequestStatus.RECEIVED, RequestStatus.ASSIGNED), RequestStatus.ASSIGNED),
    "follow_up": ((RequestStatus.ASSIGNED, RequestStatus.FOLLOWED_UP), RequestStatus.FOLLOWED_UP),
    "answer": ((RequestStatus.ASSIGNED, RequestStatus.FOLLOWED_UP), RequestStatus.ANSWERED),
    "close": ((RequestStatus.ANSWERED,), RequestStatus.CLOSED),
}
REQUESTS: Workflow[ConstituentRequest] = Workflow(
    ConstituentRequest,
    REQUEST_TRANSITIONS,
    refusal=gettext_lazy("This request is already “%(status)s”; someone acted on it before you. Reload the page."),
    url_name="deputies:request",
    audit_paths=lambda r: tuple(p for p in (r.deputy_path, r.congress_path, r.assigned_path) if p),
)


def _covers_any(actor: Actor, *paths: str) -> bool:
    scope = actor_scope(actor, CHANGE)
    return any(p and scope.covers_path(p) for p in paths)


def _require_any(actor: Actor, *paths: str) -> None:
    if not _covers_any(actor, *paths):
        raise PermissionDenied


def _text(field: str, value: str | None, *, max_length: int, required: str, multiline: bool = False) -> str:
    text = checked_text(field, value, max_length=max_length, multiline=multiline)
    if not text:
        raise DomainError(field, required)
    return text


# --- congresses and deputies -----------------------------------------------------------------------------


@transaction.atomic
def create_congress(
    actor: Actor, *, organization: Organization, name: str, term_start: datetime.date, term_end: datetime.date
) -> Congress:
    """A league congress held by ``organization`` (CHANGE over it) for a term."""
    require(actor, CHANGE, organization.path)
    if organization.status != OrgStatus.ACTIVE:
        raise DomainError("organization", _("%(org)s has been dissolved.") % {"org": organization.name})
    name = _text("name", name, max_length=100, required=_("Give the congress's name."))
    if refusal := wording_refusal(name):
        raise DomainError("name", refusal)
    checked_date("term_start", term_start, "history")
    checked_date("term_end", term_end, "plan")
    if not isinstance(term_start, datetime.date) or not isinstance(term_end, datetime.date):
        raise DomainError("term_start", _("Give the term's first and last day."))
    if term_end <= term_start:
        raise DomainError("term_end", _("A term ends after it starts."))
    congress = Congress.objects.create(organization=organization, org_path=organization.path, name=name,
                                       term_start=term_start, term_end=term_end)  # fmt: skip
    record_change(actor, congress, ChangeLog.Action.CREATE, after={"organization": organization.pk, "name": name,
                  "term_start": term_start.isoformat(), "term_end": term_end.isoformat()},
                  org_path=organization.path)  # fmt: skip
    return congress


def _studio(field: str, studio: Venue | None) -> Venue | None:
    if studio is not None and studio.kind != VenueKind.DEPUTY_STUDIO:
        raise DomainError(field, _("%(venue)s is not a league deputies' studio.") % {"venue": studio.name})
    return studio


@transaction.atomic
def elect_deputy(actor: Actor, *, congress: Congress, person: Person, studio: Venue | None = None) -> Deputy:
    """``person`` is a deputy to ``congress``: the congress's organisation records it; the person belongs to its
    subtree and is an active member; once per congress."""
    require(actor, CHANGE, congress.org_path)
    if person.status != MembershipStatus.ACTIVE or not person.org_path.startswith(congress.org_path):
        raise DomainError("person", _("%(name)s is not an active member under %(org)s.")
                          % {"name": person.name, "org": congress.organization.name})  # fmt: skip
    if congress.term_end < timezone.localdate():
        raise DomainError("congress", _("The term of %(congress)s has ended.") % {"congress": congress.name})
    if Deputy.objects.filter(congress=congress, person=person).exists():
        raise DomainError("person", _("%(name)s is already a deputy to this congress.") % {"name": person.name})
    deputy = Deputy(congress=congress, congress_path=congress.org_path, person=person, org_path=person.org_path,
                    studio=_studio("studio", studio))  # fmt: skip
    deputy.save()
    record_change(actor, deputy, ChangeLog.Action.CREATE, after={"congress": congress.pk, "person": person.pk,
                  "studio": studio.pk if studio else None}, org_path=congress.org_path)  # fmt: skip
    return deputy


# --- reception days --------------------------------------------------------------------------------------


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@transaction.atomic
def hold_reception_day(
    actor: Actor,
    deputy: Deputy,
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    studio: Venue | None = None,
    note: str = "",
) -> ReceptionDay:
    """A reception day of ``deputy`` at ``studio`` (default: her studio)."""
    _require_any(actor, deputy.org_path, deputy.congress_path)
    studio = _studio("studio", studio or deputy.studio)
    if studio is None:
        raise DomainError("studio", _("Pick the studio the reception is held at."))
    if not isinstance(starts_at, datetime.datetime) or not isinstance(ends_at, datetime.datetime):
        raise DomainError("starts_at", _("Give the reception's start and end."))
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    checked_date("starts_at", starts_at, "plan")
    checked_date("ends_at", ends_at, "plan")
    if ends_at <= starts_at:
        raise DomainError("ends_at", _("A reception day ends after it starts."))
    if ends_at - starts_at > datetime.timedelta(hours=12):
        raise DomainError("ends_at", _("A reception day lasts at most 12 hours."))
    day = ReceptionDay.objects.create(
        deputy=deputy, org_path=deputy.org_path, congress_path=deputy.congress_path, studio=studio,
        starts_at=starts_at, ends_at=ends_at, note=checked_text("note", note, max_length=300), created_by=by(actor),
    )  # fmt: skip
    record_change(actor, day, ChangeLog.Action.CREATE, after={"deputy": deputy.pk, "studio": studio.pk,
                  "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
                  org_path=deputy.org_path)  # fmt: skip
    return day


# --- requests --------------------------------------------------------------------------------------------


def due_date(received_on: datetime.date) -> datetime.date:
    """The day a request received on ``received_on`` is due by (the rule ``deputy_request_due_days``)."""
    return received_on + datetime.timedelta(days=int(rule("deputy_request_due_days")))


@transaction.atomic
def record_request(
    actor: Actor,
    deputy: Deputy,
    *,
    name: str,
    phone: str = "",
    subject: str,
    content: str,
    received_on: datetime.date | None = None,
    reception_day: ReceptionDay | None = None,
) -> ConstituentRequest:
    """A young person's request to ``deputy``, received at ``reception_day`` or on ``received_on`` (default:
    the reception's day, else today). Refused with the field and the rule named, nothing written."""
    _require_any(actor, deputy.org_path, deputy.congress_path)
    if not deputy.active:
        raise DomainError("deputy", _("%(name)s is no longer an active deputy.") % {"name": deputy.person.name})
    name = _text("name", name, max_length=50, required=_("Give the young person's name."))
    if refusal := person_name_refusal(name):
        raise DomainError("name", refusal)
    phone = check_phone(checked_text("phone", phone, max_length=20), "phone")
    subject = _text("subject", subject, max_length=100, required=_("Say in a few words what the request is about."))
    content = _text("content", content, max_length=CONTENT_MAX, multiline=True,
                    required=_("Write down what the young person asks."))  # fmt: skip
    if reception_day is not None:
        if reception_day.deputy_id != deputy.pk:
            raise DomainError("reception_day", _("That reception day is another deputy's."))
        received_on = received_on or timezone.localtime(reception_day.starts_at).date()
    received_on = received_on or timezone.localdate()
    checked_date("received_on", received_on, "history")
    if received_on > timezone.localdate():
        raise DomainError("received_on", _("A request is received today or earlier, not on a later day."))
    request = ConstituentRequest(
        deputy=deputy, deputy_path=deputy.org_path, congress_path=deputy.congress_path, reception_day=reception_day,
        received_on=received_on, name=name, phone=phone, subject=subject, content=content,
        due_on=due_date(received_on), created_by=by(actor),  # status: received (the default)
    )  # fmt: skip
    request.save()
    REQUESTS.record(actor, request, ChangeLog.Action.CREATE)
    return request


def _deputy_side(actor: Actor, request: ConstituentRequest) -> None:
    _require_any(actor, request.deputy_path, request.congress_path)


@transaction.atomic
def assign_request(actor: Actor, request: ConstituentRequest, *, organization: Organization) -> ConstituentRequest:
    """Hand the request to ``organization`` (under the congress's organisation), which follows it up and answers.
    An assigned request may be handed on to another organisation."""
    request = REQUESTS.lock(actor, request, "assign")
    _deputy_side(actor, request)
    if organization.status != OrgStatus.ACTIVE:
        raise DomainError("organization", _("%(org)s has been dissolved.") % {"org": organization.name})
    if not organization.path.startswith(request.congress_path):
        raise DomainError("organization", _("Assign the request to an organisation under the congress's own."))
    return REQUESTS.move(actor, request, "assign", changes={
        "assigned_to": organization, "assigned_path": organization.path, "assigned_at": timezone.now(),
    })  # fmt: skip


def _handler(actor: Actor, request: ConstituentRequest) -> None:
    _require_any(actor, request.deputy_path, request.congress_path, request.assigned_path)


@transaction.atomic
def follow_up_request(actor: Actor, request: ConstituentRequest, *, note: str) -> ConstituentRequest:
    """Note how the request is being handled (the assigned organisation, or the deputy's side)."""
    request = REQUESTS.lock(actor, request, "follow_up")
    _handler(actor, request)
    note = _text("note", note, max_length=CONTENT_MAX, multiline=True, required=_("Write down the follow-up."))
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    text = f"{request.follow_up}\n{stamp} {note}".strip()
    if len(text) > 10 * CONTENT_MAX:
        raise DomainError("note", _("The follow-up notes are full: answer the request."))
    return REQUESTS.move(actor, request, "follow_up", changes={"follow_up": text, "followed_up_at": timezone.now()})


@transaction.atomic
def answer_request(actor: Actor, request: ConstituentRequest, *, answer: str) -> ConstituentRequest:
    """The answer given to the young person."""
    request = REQUESTS.lock(actor, request, "answer")
    _handler(actor, request)
    answer = _text("answer", answer, max_length=CONTENT_MAX, multiline=True,
                   required=_("Write down the answer given to the young person."))  # fmt: skip
    return REQUESTS.move(actor, request, "answer", changes={"answer": answer, "answered_at": timezone.now()})


@transaction.atomic
def close_request(actor: Actor, request: ConstituentRequest) -> ConstituentRequest:
    """The deputy's side closes an answered request (the young person was told)."""
    request = REQUESTS.lock(actor, request, "close")
    _deputy_side(actor, request)
    return REQUESTS.move(actor, request, "close", changes={"closed_at": timezone.now()})


# --- reads for the registries ----------------------------------------------------------------------------


def pending_requests(user) -> list[PendingItem]:
    """The inbox: open requests past their due date, and requests waiting to be assigned, in the user's change
    scope (one COUNT each; nothing for a user without a role)."""
    scope = scope_for(user, CHANGE)
    if not scope.has_subtrees:
        return []
    rows = ConstituentRequest.objects.visible_to(user, CHANGE)
    url = reverse("deputies:requests")
    return [
        PendingItem(_("Deputies' requests overdue"), rows.filter(overdue_q()).count(), f"{url}?overdue=1"),
        PendingItem(_("Deputies' requests to assign"), rows.filter(status=RequestStatus.RECEIVED).count(),
                    f"{url}?status=received"),
    ]  # fmt: skip
