"""Every write of activities: planning an activity, registration with a waiting list, the organiser's decision,
check-in and check-out with a rotating code, supplementary hours; and the points hooks.

Who acts:

* ``create_activity``: CHANGE over every organising organisation (the lead records it). Partners are named, not
  organisations of the tree; the audience is a subtree the actor may see, or the public.
* ``register``: the person herself (the activity visible to her: public, her audience, or she is an organiser's
  member) or an organiser for someone of her scope. Beyond capacity the registration goes on the waiting list,
  and the answer says so.
* ``confirm`` / ``decline``: an organiser (CHANGE over the lead organisation), never on her own registration
  (four eyes: ``REGISTRATIONS.subject``).
* ``cancel_registration``: the person herself or an organiser; a place it held goes to the first on the
  waiting list (in the order they registered).
* ``check_in`` / ``check_out``: the person, with the code the organiser's phone shows (a signed token in the QR
  code, or the six digits typed), accepted for at most 60 s; a second check-in is the same check-in. They lock the
  person's registration row only (not the activity), so a crowd checking in at once is not served one by one.
* ``set_supplementary_hours``: an organiser, with a reason, never on her own registration; verified and
  supplementary together never exceed the activity's length.

Every step on places locks the activity row first (``SELECT … FOR UPDATE``), so two people taking the last place
at once get one place and one waiting-list entry, and a cancellation promotes exactly one. Each write leaves a
ChangeLog row; check-in offers "activities.participation", check-out and supplementary hours offer
"activities.volunteer_hours" (volunteer service only) to the points hook, in the same transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongxin.accounts.models import User
from tongxin.accounts.notify import notice, notify_actors, notify_users
from tongxin.activities import tallies
from tongxin.activities.models import (
    CAPACITY_MAX,
    HOLDS_PLACE,
    Activity,
    ActivityKind,
    ActivityStatus,
    Certificate,
    CorrectionStatus,
    HoursCorrection,
    Partner,
    Registration,
    RegistrationStatus,
    Wish,
    WishStatus,
    ancestor_paths,
    hours_of,
)
from tongxin.core.achievements import Achievement, offer, withdraw
from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date, checked_text
from tongxin.core.inbox import PendingItem
from tongxin.core.masking import mask_lookalikes
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, Actor, actor_scope, by, require, scope_for, subtree_q
from tongxin.core.workflow import Workflow, refuse_own_case
from tongxin.orgs.models import Organization, OrgStatus
from tongxin.people.models import MembershipStatus, Person

PARTICIPATION = "activities.participation"
VOLUNTEER_HOURS = "activities.volunteer_hours"

# The check-in code rotates every WINDOW seconds; a code is accepted in its window and the next one, so it
# is never good for more than 60 s (a photographed code is useless a minute later).
WINDOW_SECONDS = 30
TOKEN_SALT = "tongxin.activities.checkin"
CHECK_IN, CHECK_OUT = "in", "out"
PURPOSES = (CHECK_IN, CHECK_OUT)
# Check-in opens this long before the start; check-out closes this long after the end.
CHECK_IN_OPENS = datetime.timedelta(hours=1)
CHECK_OUT_CLOSES = datetime.timedelta(hours=6)

ACTIVITY_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "close": ((ActivityStatus.OPEN,), ActivityStatus.CLOSED),
    "reopen": ((ActivityStatus.CLOSED,), ActivityStatus.OPEN),
    "cancel": ((ActivityStatus.OPEN, ActivityStatus.CLOSED), ActivityStatus.CANCELLED),
}
ACTIVITIES: Workflow[Activity] = Workflow(
    Activity,
    ACTIVITY_TRANSITIONS,
    refusal=gettext_lazy("This activity is already “%(status)s”; someone acted on it before you. Reload the page."),
    url_name="activities:detail",
)

REGISTRATION_TRANSITIONS: dict[str, tuple[tuple[str, ...], str | tuple[str, ...]]] = {
    "confirm": ((RegistrationStatus.PENDING,), RegistrationStatus.CONFIRMED),
    "decline": ((RegistrationStatus.PENDING, RegistrationStatus.WAITING), RegistrationStatus.DECLINED),
    "cancel": (
        (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING),
        RegistrationStatus.CANCELLED,
    ),
    "promote": ((RegistrationStatus.WAITING,), RegistrationStatus.PENDING),
    "reregister": ((RegistrationStatus.CANCELLED,), (RegistrationStatus.PENDING, RegistrationStatus.WAITING)),
}
REGISTRATIONS: Workflow[Registration] = Workflow(
    Registration,
    REGISTRATION_TRANSITIONS,
    refusal=gettext_lazy("This registration is already “%(status)s”; someone acted on it before you."),
    url_name="activities:detail",
    subject=lambda registration: registration.person_id,
    # A person cancels or renews her own registration; moving up the waiting list is automatic, not a decision.
    self_service=("cancel", "reregister", "promote"),
)


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def organiser_paths(activity: Activity) -> list[str]:
    """The paths of every organisation organising ``activity`` (the lead first)."""
    paths = [activity.org_path, *activity.organizations.values_list("path", flat=True)]
    return list(dict.fromkeys(paths))


def may_organise(actor: Actor, activity: Activity) -> bool:
    """Whether ``actor`` may act as an organiser: CHANGE over the lead organisation or a joint one."""
    if actor is None:
        return True
    scope = actor_scope(actor, CHANGE)
    return any(scope.covers_path(path) for path in organiser_paths(activity))


def require_organiser(actor: Actor, activity: Activity) -> None:
    if not may_organise(actor, activity):
        require(actor, CHANGE, activity.org_path)  # raises PermissionDenied


# --- activities -------------------------------------------------------------------------------------------------


def partners_named(names: Iterable[str]) -> list[Partner]:
    """The partners of these names, the new ones recorded (a partner is a name, not an organisation of the tree)."""
    found = []
    for raw in names:
        name = checked_text("partners", raw, max_length=100)
        if name:
            partner, _created = Partner.objects.get_or_create(name=name)
            found.append(partner)
    return list(dict.fromkeys(found))


@transaction.atomic
def create_activity(
    actor: Actor,
    *,
    organization: Organization,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    place: str = "",
    description: str = "",
    organizations: Iterable[Organization] = (),
    partners: Iterable[str] = (),
    audience: Organization | None = None,
    public: bool = False,
) -> Activity:
    """Plan an activity of ``organization`` (the lead), with ``organizations`` organising it together."""
    wanted = list(dict.fromkeys([organization.pk, *(org.pk for org in organizations)]))
    by_id = Organization.objects.in_bulk(wanted)
    orgs = [by_id[pk] for pk in wanted if pk in by_id]
    if len(orgs) != len(wanted):
        raise DomainError("organizations", _("One of the organisations no longer exists."))
    for org in orgs:
        require(actor, CHANGE, org.path)
        if org.status != OrgStatus.ACTIVE:
            raise DomainError("organization", _("%(org)s has been dissolved.") % {"org": org.name})
    if kind not in ActivityKind.values:
        raise DomainError("kind", _("Unknown activity kind."))
    title = checked_text("title", title, max_length=200)
    if not title:
        raise DomainError("title", _("Give the activity's title."))
    place = checked_text("place", place, max_length=200)
    description = checked_text("description", description, max_length=10_000, multiline=True)
    checked_date("starts_at", starts_at, "plan")
    checked_date("ends_at", ends_at, "plan")
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    if ends_at <= starts_at:
        raise DomainError("ends_at", _("The activity ends after it starts."))
    if ends_at - starts_at > datetime.timedelta(days=7):
        raise DomainError("ends_at", _("An activity lasts at most a week: plan a longer one as several."))
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= CAPACITY_MAX:
        raise DomainError("capacity", _("The capacity is a whole number from 1 to %(max)d.") % {"max": CAPACITY_MAX})
    if audience is not None:
        if actor is not None and not Organization.objects.for_actor(actor).filter(pk=audience.pk).exists():
            raise DomainError("audience", _("No such organisation in your scope."))
        public = bool(public)
    elif not public:
        audience = orgs[0]  # by default: the members of the lead organisation's subtree
    lead = orgs[0]
    activity = Activity(
        organization=lead, org_path=lead.path, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at,
        place=place, capacity=capacity, audience=audience, audience_path=audience.path if audience else "",
        public=public, description=description, created_by=by(actor),
    )  # fmt: skip
    activity.save()
    activity.organizations.set(orgs)
    activity.partners.set(partners_named(partners))
    extra = {"organizations": "、".join(o.name for o in orgs),
             "partners": "、".join(activity.partners.values_list("name", flat=True))}  # fmt: skip
    ACTIVITIES.record(actor, activity, ChangeLog.Action.CREATE, audit_extra=extra)
    for other in orgs[1:]:
        text = notice(gettext_noop("%(org)s invites you to organise an activity together: %(title)s."),
                      org=lead.name, title=activity.title)  # fmt: skip
        notify_actors(CHANGE, other.path, text=text, url=ACTIVITIES.url(activity), exclude=actor)
    return activity


def _lock_activity(activity: Activity | int) -> Activity:
    pk = activity if isinstance(activity, int) else activity.pk
    return Activity.objects.select_for_update(of=("self",)).get(pk=pk)


@transaction.atomic
def close_registration(actor: Actor, activity: Activity) -> Activity:
    activity = ACTIVITIES.lock(actor, activity, "close")
    require_organiser(actor, activity)
    return ACTIVITIES.move(actor, activity, "close")


@transaction.atomic
def reopen_registration(actor: Actor, activity: Activity) -> Activity:
    activity = ACTIVITIES.lock(actor, activity, "reopen")
    require_organiser(actor, activity)
    return ACTIVITIES.move(actor, activity, "reopen")


@transaction.atomic
def cancel_activity(actor: Actor, activity: Activity) -> Activity:
    """Cancel the activity: every registration still open is told; hours already recorded stay."""
    activity = ACTIVITIES.lock(actor, activity, "cancel")
    require_organiser(actor, activity)
    return ACTIVITIES.move(actor, activity, "cancel")


# --- registration -------------------------------------------------------------------------------------------------


def places_taken(activity: Activity) -> int:
    return activity.registrations.filter(status__in=HOLDS_PLACE).count()


def in_audience(activity: Activity, person: Person) -> bool:
    """Whether ``person`` is someone the activity is for: public, in the audience subtree, or a member of an
    organising organisation's subtree."""
    if activity.public:
        return True
    paths = set(ancestor_paths(person.org_path))
    return bool(activity.audience_path in paths or paths & set(organiser_paths(activity)))


def _actor_person(actor: Actor) -> Person:
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise DomainError("person", _("Your account is not linked to a member record: you cannot register."))
    return Person.objects.get(pk=person_id)


@transaction.atomic
def register(
    actor: Actor, activity: Activity, person: Person | None = None, now: datetime.datetime | None = None
) -> Registration:
    """Register ``person`` (default: the actor herself) for ``activity``: a place while there is one, else the
    waiting list. Registering again after cancelling takes a new turn at the end of the queue. ``now``: the
    system's (the demo seed's) clock, for an activity seeded in the past."""
    if now is not None and actor is not None:
        raise ValueError("only the system registers at another time")
    now = now or timezone.now()
    activity = _lock_activity(activity)
    if person is None:
        person = _actor_person(actor)
    elif getattr(actor, "person_id", None) != person.pk:
        require_organiser(actor, activity)  # an organiser signs someone up
        if not Person.objects.for_actor(actor).filter(pk=person.pk).exists():
            raise DomainError("person", _("No such person in your scope."))
    if getattr(actor, "person_id", None) == person.pk and not in_audience(activity, person):
        raise DomainError("person", _("This activity is not open to you."))
    if person.status != MembershipStatus.ACTIVE and not activity.public:
        raise DomainError("person", _("Only active members may register."))
    if activity.status != ActivityStatus.OPEN:
        raise DomainError("status", _("Registration for this activity is closed."))
    if activity.ends_at <= now:
        raise DomainError("status", _("This activity is over."))
    full = places_taken(activity) >= activity.capacity
    existing = Registration.objects.filter(activity=activity, person=person).first()
    if existing is not None:
        if existing.status == RegistrationStatus.DECLINED:
            raise DomainError("status", _("The organiser declined this registration."))
        if existing.status != RegistrationStatus.CANCELLED:
            raise DomainError(
                "status", _("Already registered: %(status)s.") % {"status": existing.get_status_display()}
            )
        registration = REGISTRATIONS.lock(actor, existing, "reregister")
        outcome = RegistrationStatus.WAITING if full else RegistrationStatus.PENDING
        return REGISTRATIONS.move(actor, registration, "reregister", outcome=outcome,
                                  changes={"queued_at": now, "reason": ""})  # fmt: skip
    registration = Registration(
        activity=activity, org_path=activity.org_path, person=person, queued_at=now,
        status=RegistrationStatus.WAITING if full else RegistrationStatus.PENDING,
    )  # fmt: skip
    REGISTRATIONS.create(actor, registration, conflict=lambda: DomainError("status", _("Already registered.")))
    if not full:
        text = notice(gettext_noop("%(name)s registered for %(title)s."), name=person.name, title=activity.title)
        notify_actors(CHANGE, activity.org_path, text=text, url=ACTIVITIES.url(activity), exclude=actor)
    return registration


def register_message(registration: Registration) -> str:
    """What the person is told after registering."""
    if registration.status == RegistrationStatus.WAITING:
        position = waiting_position(registration)
        return _("The activity is full: you are number %(n)d on the waiting list. You move up when someone "
                 "cancels.") % {"n": position}  # fmt: skip
    return _("You are registered; the organiser confirms your place.")


def waiting_position(registration: Registration) -> int:
    ahead = Registration.objects.filter(activity_id=registration.activity_id, status=RegistrationStatus.WAITING).filter(
        Q(queued_at__lt=registration.queued_at) | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def _promote_next(actor: Actor, activity: Activity) -> Registration | None:
    """Give the free places of the (locked) activity to the first on the waiting list, in order."""
    if activity.status == ActivityStatus.CANCELLED:
        return None
    promoted = None
    free = activity.capacity - places_taken(activity)
    waiting = activity.registrations.filter(status=RegistrationStatus.WAITING).order_by("queued_at", "id")
    for registration in list(waiting[: max(free, 0)]):
        registration = REGISTRATIONS.lock(actor, registration, "promote")
        promoted = REGISTRATIONS.move(actor, registration, "promote")
        text = notice(gettext_noop("A place became free: you moved up from the waiting list for %(title)s."),
                      title=activity.title)  # fmt: skip
        _notify_person(registration.person_id, text, activity)
    return promoted


def _notify_person(person_id: int, text: str, activity: Activity) -> None:
    notify_users(User.objects.filter(person_id=person_id, is_active=True), text=text, url=ACTIVITIES.url(activity),
                 org_path=activity.org_path)  # fmt: skip


def remind_tomorrow(now: datetime.datetime | None = None) -> int:
    """The day-before reminder (daily job): each confirmed participant of an activity starting tomorrow (local
    day) who has not been reminded yet gets one notification with the time and place; returns how many. Run
    twice, it reminds nobody twice (``reminded_at``); an activity cancelled meanwhile reminds no one."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    due = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED, reminded_at__isnull=True, activity__starts_at__gte=start,
        activity__starts_at__lt=end,
    ).exclude(activity__status=ActivityStatus.CANCELLED).select_related("activity")  # fmt: skip
    count = 0
    for registration in due.order_by("activity_id", "id"):
        with transaction.atomic():
            if not Registration.objects.filter(pk=registration.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another run took it
            activity = registration.activity
            text = notice(gettext_noop("Tomorrow at %(time)s: %(title)s, %(place)s."),
                          time=timezone.localtime(activity.starts_at).strftime("%H:%M"), title=activity.title,
                          place=activity.place or "—")  # fmt: skip
            _notify_person(registration.person_id, text, activity)
            count += 1
    return count


@transaction.atomic
def confirm(actor: Actor, registration: Registration) -> Registration:
    """The organiser confirms a registration holding a place."""
    activity = _lock_activity(registration.activity_id)
    registration = REGISTRATIONS.lock(actor, registration, "confirm")
    require_organiser(actor, activity)
    counted_before = tallies.registration_counts(registration, activity)  # hours kept from before a cancellation
    REGISTRATIONS.move(actor, registration, "confirm", changes={"decided_by": by(actor)})
    tallies.retally(counted_before, tallies.registration_counts(registration, activity))
    text = notice(gettext_noop("Your place at %(title)s is confirmed."), title=activity.title)
    _notify_person(registration.person_id, text, activity)
    return registration


@transaction.atomic
def decline(actor: Actor, registration: Registration, reason: str = "") -> Registration:
    """The organiser declines a registration (pending or waiting), with a reason; a place it held goes to the
    first on the waiting list."""
    activity = _lock_activity(registration.activity_id)
    registration = REGISTRATIONS.lock(actor, registration, "decline")
    require_organiser(actor, activity)
    reason = checked_text("reason", reason, max_length=200)
    if not reason:
        raise DomainError("reason", _("Give the reason for declining."))
    REGISTRATIONS.move(actor, registration, "decline", changes={"decided_by": by(actor), "reason": reason})
    text = notice(gettext_noop("Your registration for %(title)s was declined: %(reason)s"), title=activity.title,
                  reason=reason)  # fmt: skip
    _notify_person(registration.person_id, text, activity)
    _promote_next(actor, activity)
    return registration


@transaction.atomic
def cancel_registration(actor: Actor, registration: Registration) -> Registration:
    """Cancel a registration (the person herself, or an organiser); its place goes to the next in line."""
    activity = _lock_activity(registration.activity_id)
    registration = REGISTRATIONS.lock(actor, registration, "cancel")
    if getattr(actor, "person_id", None) != registration.person_id:
        require_organiser(actor, activity)
    if registration.checked_in_at is not None:
        raise DomainError("status", _("Already checked in: a registration with a check-in is not cancelled."))
    counted_before = tallies.registration_counts(registration, activity)  # supplementary hours without check-in
    REGISTRATIONS.move(actor, registration, "cancel")
    tallies.retally(counted_before, tallies.registration_counts(registration, activity))
    _promote_next(actor, activity)
    return registration


# --- the rotating check-in code -----------------------------------------------------------------------------------


def _window(now: datetime.datetime | None = None) -> int:
    return int((now or timezone.now()).timestamp()) // WINDOW_SECONDS


def _digits(activity_id: int, purpose: str, window: int) -> str:
    key = hashlib.sha256(f"{TOKEN_SALT}:{settings.SECRET_KEY}".encode()).digest()
    mac = hmac.new(key, f"{activity_id}:{purpose}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:6], 'big') % 1_000_000:06d}"


def current_code(activity: Activity, purpose: str, now: datetime.datetime | None = None) -> tuple[str, str, int]:
    """(signed token for the QR code, six-digit code to type, seconds left in its window) shown now."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    now = now or timezone.now()
    window = _window(now)
    token = signing.Signer(salt=TOKEN_SALT).sign(f"{activity.pk}.{purpose}.{window}")
    left = WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS
    return token, _digits(activity.pk, purpose, window), left


def _code_window(activity: Activity, purpose: str, code: str, now: datetime.datetime) -> int:
    """The window of a valid ``code`` (a token or the typed digits) for this activity and purpose, or a
    DomainError saying why not (forged, another activity or step, expired)."""
    code = (code or "").strip().replace(" ", "")
    current = _window(now)
    if not code:
        raise DomainError("code", _("Enter the code shown on the organiser's phone."))
    if code.isdigit() and len(code) == 6:
        for window in (current, current - 1):
            if hmac.compare_digest(code, _digits(activity.pk, purpose, window)):
                return window
        raise DomainError("code", _("This code is wrong or has expired: enter the code shown now."))
    if len(code) > 200:
        raise DomainError("code", _("This is not a check-in code."))
    try:
        value = signing.Signer(salt=TOKEN_SALT).unsign(code)
        activity_id, token_purpose, window_text = value.split(".")
        window = int(window_text)
    except (signing.BadSignature, ValueError):
        raise DomainError("code", _("This is not a check-in code.")) from None
    if int(activity_id) != activity.pk:
        raise DomainError("code", _("This code belongs to another activity."))
    if token_purpose != purpose:
        raise DomainError("code", _("This code is for checking out, not in.") if purpose == CHECK_IN
                          else _("This code is for checking in, not out."))  # fmt: skip
    if window not in (current, current - 1):
        raise DomainError("code", _("This code has expired: scan the code shown now."))
    return window


# Six digits are two codes in a million at any moment: wrong codes are counted per user and activity, and after
# this many in ten minutes the typed path is closed for her (the QR code's signed token cannot be guessed anyway).
WRONG_CODES_MAX = 10
WRONG_CODES_SECONDS = 600


def _checked_code(actor: Actor, activity: Activity, purpose: str, code: str, now: datetime.datetime) -> int:
    """:func:`_code_window`, with the user's wrong codes counted (the system, the seed and benchmark, is not)."""
    if actor is None:
        return _code_window(activity, purpose, code, now)
    key = f"activities:wrong-codes:{getattr(actor, 'pk', 0)}:{activity.pk}"
    if (cache.get(key) or 0) >= WRONG_CODES_MAX:
        raise DomainError("code", _("Too many wrong codes: wait ten minutes, or ask the organiser."))
    try:
        return _code_window(activity, purpose, code, now)
    except DomainError:
        if cache.add(key, 1, WRONG_CODES_SECONDS) is False:
            cache.incr(key)
        raise


# What a check-in or check-out reads of the participant: her name (the answer, the audit entry) and her branch's
# path (the points hook). Never her whole row: no ID number decrypted per scan.
PARTICIPANT_COLUMNS = ("name", "org_path")


def _own_registration(actor: Actor, activity: Activity, person: Person | None = None) -> Registration:
    """The actor's registration, locked (its row only: check-ins of one activity do not wait for each other), read
    with its activity (``activity`` may be an unsaved one carrying the id: the API's check-in; the registration's
    is the one to read) and the participant's :data:`PARTICIPANT_COLUMNS`; the system (``actor=None``: the demo
    seed, the benchmark) names the person."""
    person_id = person.pk if person is not None and actor is None else getattr(actor, "person_id", None)
    if person_id is None:
        raise DomainError("person", _("Your account is not linked to a member record: you cannot register."))
    unread = [f"person__{f.name}" for f in Person._meta.concrete_fields
              if not f.primary_key and f.name not in PARTICIPANT_COLUMNS]  # fmt: skip
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("activity", "person").defer(*unread)
        .filter(activity_id=activity.pk, person_id=person_id).first()
    )  # fmt: skip
    if registration is None or registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED):
        raise DomainError("code", _("You are not registered for this activity."))
    if registration.status != RegistrationStatus.CONFIRMED:
        raise DomainError("code", _("Your place is not confirmed yet: ask the organiser."))
    return registration


def _registration_source(registration: Registration) -> str:
    return f"activities.registration:{registration.pk}"


@transaction.atomic
def check_in(
    actor: Actor, activity: Activity, code: str, now: datetime.datetime | None = None, person: Person | None = None
) -> Registration:
    """Check the actor in with the code shown now. A second check-in is the same check-in (nothing changes).
    ``now`` and ``person``: the system's clock and participant (the demo seed, the benchmark) only."""
    if (now is not None or person is not None) and actor is not None:
        raise ValueError("only the system checks someone in at another time or for someone else")
    now = now or timezone.now()
    _checked_code(actor, activity, CHECK_IN, code, now)
    registration = _own_registration(actor, activity, person)
    activity = registration.activity  # read with the registration (the API passes only the id)
    if registration.checked_in_at is not None:
        return registration
    if activity.status == ActivityStatus.CANCELLED:
        raise DomainError("code", _("This activity was cancelled."))
    if now < activity.starts_at - CHECK_IN_OPENS or now > activity.ends_at:
        raise DomainError("code", _("Check-in is open from an hour before the start to the end."))
    return _record_check_in(actor, registration, now)


def _record_check_in(actor: Actor, registration: Registration, now: datetime.datetime) -> Registration:
    before = snapshot(registration)
    registration.checked_in_at = now
    registration.save(update_fields=["checked_in_at"])
    record_change(actor, registration, ChangeLog.Action.UPDATE, before=before, after=snapshot(registration),
                  org_path=registration.org_path)  # fmt: skip
    offer(Achievement(PARTICIPATION, person_id=registration.person_id, org_path=registration.person.org_path,
                      occurred_on=timezone.localdate(now), source=_registration_source(registration)))  # fmt: skip
    return registration


def verified_hours(activity: Activity, checked_in_at: datetime.datetime, checked_out_at: datetime.datetime) -> Decimal:
    """The hours between check-in and check-out that fall within the activity's time (early arrival and late
    departure do not count)."""
    start, end = max(checked_in_at, activity.starts_at), min(checked_out_at, activity.ends_at)
    return hours_of(end - start) if end > start else Decimal("0.00")


@transaction.atomic
def check_out(
    actor: Actor, activity: Activity, code: str, now: datetime.datetime | None = None, person: Person | None = None
) -> Registration:
    """Check the actor out: the verified hours are those between her check-in and now, within the activity."""
    if (now is not None or person is not None) and actor is not None:
        raise ValueError("only the system checks someone out at another time or for someone else")
    now = now or timezone.now()
    window = _checked_code(actor, activity, CHECK_OUT, code, now)
    registration = _own_registration(actor, activity, person)
    activity = registration.activity  # as it is now (the caller's copy may predate a move of its organisation)
    if registration.checked_in_at is None:
        raise DomainError("code", _("Check in first."))
    if registration.checked_out_at is not None:
        return registration
    if window < _window(registration.checked_in_at):
        raise DomainError("code", _("This code was shown before you checked in: scan the code shown now."))
    if now > activity.ends_at + CHECK_OUT_CLOSES:
        raise DomainError("code", _("Check-out has closed: the organiser may add supplementary hours."))
    return _record_check_out(actor, activity, registration, now)


def _record_check_out(
    actor: Actor, activity: Activity, registration: Registration, now: datetime.datetime
) -> Registration:
    assert registration.checked_in_at is not None
    before = snapshot(registration)
    counted_before = tallies.registration_counts(registration, activity)
    registration.checked_out_at = now
    registration.verified_hours = verified_hours(activity, registration.checked_in_at, now)
    if registration.verified_hours + registration.supplementary_hours > activity.length_hours:
        registration.supplementary_hours = max(activity.length_hours - registration.verified_hours, Decimal(0))
    registration.save(update_fields=["checked_out_at", "verified_hours", "supplementary_hours"])
    tallies.retally(counted_before, tallies.registration_counts(registration, activity))
    record_change(actor, registration, ChangeLog.Action.UPDATE, before=before, after=snapshot(registration),
                  org_path=registration.org_path)  # fmt: skip
    _offer_hours(activity, registration)
    return registration


def _offer_hours(activity: Activity, registration: Registration) -> None:
    """Offer (or take back) the volunteer hours of a volunteer-service registration: the source is the
    registration, so an offer replaces the previous one."""
    if activity.kind != ActivityKind.VOLUNTEER:
        return
    total = registration.total_hours
    if total <= 0:
        withdraw(VOLUNTEER_HOURS, source=_registration_source(registration))
        return
    offer(Achievement(VOLUNTEER_HOURS, person_id=registration.person_id, org_path=registration.person.org_path,
                      occurred_on=timezone.localdate(activity.starts_at), source=_registration_source(registration),
                      quantity=total))  # fmt: skip


def parse_hours(value: object) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("hours", _("Give the hours as a number, e.g. 1.5.")) from None
    if not hours.is_finite() or hours < 0 or hours > 9999:
        raise DomainError("hours", _("Give the hours as a number, e.g. 1.5."))
    return hours.quantize(Decimal("0.01"), rounding="ROUND_DOWN")


@transaction.atomic
def set_supplementary_hours(actor: Actor, registration: Registration, hours: object, reason: str) -> Registration:
    """An organiser sets a participant's supplementary hours (forgot to check out, came without a phone), with a
    reason; shown apart from the verified hours. Verified and supplementary together never exceed the activity's
    length. Never on one's own registration."""
    activity = _lock_activity(registration.activity_id)
    registration = Registration.objects.select_for_update().select_related("person").get(pk=registration.pk)
    require_organiser(actor, activity)
    refuse_own_case(actor, registration.person_id, "hours")
    if registration.status != RegistrationStatus.CONFIRMED:
        raise DomainError("hours", _("Hours are recorded for confirmed participants only."))
    if activity.starts_at > timezone.now():
        raise DomainError("hours", _("The activity has not started yet."))
    amount = parse_hours(hours)
    reason = checked_text("reason", reason, max_length=200)
    if amount > 0 and not reason:
        raise DomainError("reason", _("Give the reason for the supplementary hours."))
    limit = activity.length_hours - registration.verified_hours
    if amount > limit:
        values = {"limit": max(limit, Decimal(0)), "verified": registration.verified_hours,
                  "length": activity.length_hours}  # fmt: skip
        message = _("At most %(limit)s supplementary hours: with the %(verified)s verified hours, no more than the "
                    "activity's %(length)s hours.")  # fmt: skip
        raise DomainError("hours", message % values)
    before = snapshot(registration)
    counted_before = tallies.registration_counts(registration, activity)
    registration.supplementary_hours = amount
    registration.supplementary_reason = reason if amount > 0 else ""
    registration.supplementary_by = by(actor)
    registration.save(update_fields=["supplementary_hours", "supplementary_reason", "supplementary_by"])
    tallies.retally(counted_before, tallies.registration_counts(registration, activity))
    record_change(actor, registration, ChangeLog.Action.UPDATE, before=before, after=snapshot(registration),
                  org_path=registration.org_path)  # fmt: skip
    _offer_hours(activity, registration)
    return registration


# --- the member's personal code (the organiser scans it) -----------------------------------------------------------
# A member's phone shows his personal code: a QR code holding a signed token for his person and the current
# 30-second window (the activity's code is signed the same way), and a short form to type, "<person id>-<six
# digits>". The organiser of an activity scans or types it to check him in or out. Like the activity's code it is
# accepted in its window and the next one (never more than 60 s), a forged one is refused, and wrong typed codes are
# counted per organiser and activity. One code is one step: the organiser's process remembers which activity and
# step a code went through for (the cache, for two windows), so the same code replayed at another activity or for
# the check-out is refused; the second scan of it for the same step is the same check-in; a refused scan (not
# registered yet) spends nothing. A check-out also needs a code
# shown after the check-in (the row says so, across processes).
#
# A person who is not registered, or whose place is not confirmed, is refused with his name and the reason: the
# organiser registers or confirms him first (a scan does not take a place from the waiting list).

PERSONAL_SALT = "tongxin.activities.personal"
PERSONAL_SHORT_DIGITS = 6


def _personal_digits(person_id: int, window: int) -> str:
    key = hashlib.sha256(f"{PERSONAL_SALT}:{settings.SECRET_KEY}".encode()).digest()
    mac = hmac.new(key, f"{person_id}:{window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:6], 'big') % 10**PERSONAL_SHORT_DIGITS:0{PERSONAL_SHORT_DIGITS}d}"


def personal_code(person_id: int, now: datetime.datetime | None = None) -> tuple[str, str, int]:
    """(signed token for the QR code, short code to type, seconds left in its window) of a member's code now."""
    now = now or timezone.now()
    window = _window(now)
    token = signing.Signer(salt=PERSONAL_SALT).sign(f"{person_id}.{window}")
    left = WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS
    return token, f"{person_id}-{_personal_digits(person_id, window)}", left


def my_personal_code(actor: Actor) -> tuple[str, str, int]:
    """The actor's own personal code (his account linked to a member record)."""
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise DomainError("person", _("Your account is not linked to a member record: you have no personal code."))
    return personal_code(person_id)


def _personal_window(code: str, now: datetime.datetime) -> tuple[int, int]:
    """(person id, window) of a valid personal ``code`` (the token or the typed short form), or a DomainError
    saying why not (empty, forged, expired)."""
    code = (code or "").strip().replace(" ", "")
    current = _window(now)
    if not code:
        raise DomainError("code", _("Scan or type the member's personal code."))
    if len(code) > 200:
        raise DomainError("code", _("This is not a member's personal code."))
    head, sep, digits = code.partition("-")
    if sep and head.isdigit() and digits.isdigit() and len(digits) == PERSONAL_SHORT_DIGITS and len(head) <= 12:
        person_id = int(head)
        for window in (current, current - 1):
            if hmac.compare_digest(digits, _personal_digits(person_id, window)):
                return person_id, window
        raise DomainError("code", _("This personal code is wrong or has expired: type the code the member's phone "
                                    "shows now."))  # fmt: skip
    try:
        value = signing.Signer(salt=PERSONAL_SALT).unsign(code)
        person_text, window_text = value.split(".")
        person_id, window = int(person_text), int(window_text)
    except (signing.BadSignature, ValueError):
        raise DomainError("code", _("This is not a member's personal code.")) from None
    if window not in (current, current - 1):
        raise DomainError("code", _("This personal code has expired: ask the member to show the code on his phone "
                                    "now."))  # fmt: skip
    return person_id, window


def _checked_personal_code(actor: Actor, activity: Activity, code: str, now: datetime.datetime) -> tuple[int, int]:
    """:func:`_personal_window`, with the organiser's wrong codes counted (as :func:`_checked_code`)."""
    if actor is None:
        return _personal_window(code, now)
    key = f"activities:wrong-personal-codes:{getattr(actor, 'pk', 0)}:{activity.pk}"
    if (cache.get(key) or 0) >= WRONG_CODES_MAX:
        raise DomainError("code", _("Too many wrong codes: wait ten minutes."))
    try:
        return _personal_window(code, now)
    except DomainError:
        if cache.add(key, 1, WRONG_CODES_SECONDS) is False:
            cache.incr(key)
        raise


def _use_key(person_id: int, window: int) -> str:
    return f"activities:personal-used:{person_id}:{window}"


def _refuse_replay(person_id: int, window: int, activity: Activity, purpose: str) -> None:
    """A personal code serves one step at one activity: the same code used again for another is refused."""
    used = cache.get(_use_key(person_id, window))
    if used is not None and used != f"{activity.pk}:{purpose}":
        raise DomainError("code", _("This personal code was already used: ask the member for the code his phone "
                                    "shows now."))  # fmt: skip


def _remember_use(person_id: int, window: int, activity: Activity, purpose: str) -> None:
    """The step went through: the code is spent on it (a refused scan spends nothing)."""
    cache.set(_use_key(person_id, window), f"{activity.pk}:{purpose}", 2 * WINDOW_SECONDS + 5)


def _scanned_registration(activity: Activity, person_id: int) -> Registration:
    """The scanned person's registration, locked; refused with his name when he holds no confirmed place."""
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("person")
        .filter(activity=activity, person_id=person_id).first()
    )  # fmt: skip
    if registration is None or registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED):
        person = Person.objects.filter(pk=person_id).only("name").first()
        if person is None:
            raise DomainError("code", _("This is not a member's personal code."))
        raise DomainError("code", _("%(name)s is not registered for this activity: register him first, then scan "
                                    "again.") % {"name": person.name})  # fmt: skip
    if registration.status != RegistrationStatus.CONFIRMED:
        raise DomainError("code", _("%(name)s's place is not confirmed yet: confirm it first, then scan again.")
                          % {"name": registration.person.name})  # fmt: skip
    registration.activity = activity
    return registration


@transaction.atomic
def check_in_person(actor: Actor, activity: Activity, code: str, now: datetime.datetime | None = None) -> Registration:
    """The organiser checks a participant in with the participant's personal code (scanned or typed). A second
    check-in is the same check-in. ``now``: the system's clock (tests, the demo seed) only."""
    if now is not None and actor is not None:
        raise ValueError("only the system checks someone in at another time")
    now = now or timezone.now()
    activity = Activity.objects.get(pk=activity.pk)
    require_organiser(actor, activity)
    person_id, window = _checked_personal_code(actor, activity, code, now)
    _refuse_replay(person_id, window, activity, CHECK_IN)
    registration = _scanned_registration(activity, person_id)
    if registration.checked_in_at is not None:
        _remember_use(person_id, window, activity, CHECK_IN)
        return registration
    if activity.status == ActivityStatus.CANCELLED:
        raise DomainError("code", _("This activity was cancelled."))
    if now < activity.starts_at - CHECK_IN_OPENS or now > activity.ends_at:
        raise DomainError("code", _("Check-in is open from an hour before the start to the end."))
    _remember_use(person_id, window, activity, CHECK_IN)
    return _record_check_in(actor, registration, now)


@transaction.atomic
def check_out_person(actor: Actor, activity: Activity, code: str, now: datetime.datetime | None = None) -> Registration:
    """The organiser checks a participant out with the participant's personal code: verified hours as with the
    participant's own check-out."""
    if now is not None and actor is not None:
        raise ValueError("only the system checks someone out at another time")
    now = now or timezone.now()
    activity = Activity.objects.get(pk=activity.pk)
    require_organiser(actor, activity)
    person_id, window = _checked_personal_code(actor, activity, code, now)
    _refuse_replay(person_id, window, activity, CHECK_OUT)
    registration = _scanned_registration(activity, person_id)
    if registration.checked_in_at is None:
        raise DomainError("code", _("%(name)s has not checked in.") % {"name": registration.person.name})
    if registration.checked_out_at is not None:
        _remember_use(person_id, window, activity, CHECK_OUT)
        return registration
    if window < _window(registration.checked_in_at):
        raise DomainError("code", _("This personal code was shown before the check-in: ask the member for the code "
                                    "his phone shows now."))  # fmt: skip
    if now > activity.ends_at + CHECK_OUT_CLOSES:
        raise DomainError("code", _("Check-out has closed: the organiser may add supplementary hours."))
    _remember_use(person_id, window, activity, CHECK_OUT)
    return _record_check_out(actor, activity, registration, now)


def scanned_message(registration: Registration, purpose: str) -> str:
    """What the organiser is told after a scan: who, and what was done."""
    name = registration.person.name
    if purpose == CHECK_OUT:
        return _("%(name)s is checked out: %(hours)s verified hours.") % {
            "name": name,
            "hours": registration.verified_hours,
        }
    return _("%(name)s is checked in.") % {"name": name}


# --- corrections of hours (a volunteer asks, the organiser decides) ---------------------------------------------
# ``request_correction``: the volunteer, on his own confirmed registration of an activity that has started, with a
# reason (and the hours he thinks right, optional); one open request per record. ``decide_correction``: an organiser
# of the activity, never the volunteer himself (four eyes: ``CORRECTIONS.subject``), accepts with the corrected
# total hours (from the verified hours, which only check-in and check-out make, up to the activity's length: the
# difference becomes the supplementary hours, shown apart) or rejects; with a reason either way. The volunteer is
# told; the record keeps the hours before the correction.

CORRECTION_TRANSITIONS: dict[str, tuple[tuple[str, ...], str | tuple[str, ...]]] = {
    "decide": ((CorrectionStatus.PENDING,), (CorrectionStatus.ACCEPTED, CorrectionStatus.REJECTED)),
}
CORRECTIONS: Workflow[HoursCorrection] = Workflow(
    HoursCorrection,
    CORRECTION_TRANSITIONS,
    refusal=gettext_lazy("This correction is already “%(status)s”; someone acted on it before you."),
    url_name="activities:correction",
    subject=lambda correction: correction.person_id,
)
CORRECTION_REASON_MAX = 500


def _hours_within(activity: Activity, value: object, field: str) -> Decimal:
    hours = parse_hours(value)
    if hours > activity.length_hours:
        raise DomainError(field, _("At most the activity's %(length)s hours.") % {"length": activity.length_hours})
    return hours


@transaction.atomic
def request_correction(
    actor: Actor, registration: Registration, reason: str, hours: object | None = None
) -> HoursCorrection:
    """The volunteer asks for a correction of his hours at this activity, with a reason."""
    registration = Registration.objects.select_related("activity", "person").get(pk=registration.pk)
    activity = registration.activity
    if actor is not None and getattr(actor, "person_id", None) != registration.person_id:
        raise DomainError("registration", _("Only the volunteer himself asks for a correction of his hours."))
    if registration.status != RegistrationStatus.CONFIRMED:
        raise DomainError("registration", _("Hours are recorded for confirmed participants only."))
    if activity.starts_at > timezone.now():
        raise DomainError("registration", _("The activity has not started yet."))
    reason = checked_text("reason", reason, max_length=CORRECTION_REASON_MAX, multiline=True)
    if len(reason) < 2:
        raise DomainError("reason", _("Say what is wrong with the hours recorded."))
    requested = None if hours in (None, "") else _hours_within(activity, hours, "hours")
    correction = HoursCorrection(
        registration=registration, org_path=registration.org_path, person_id=registration.person_id, reason=reason,
        requested_hours=requested,
    )  # fmt: skip
    conflict = DomainError("registration", _("You already asked for a correction of these hours: it awaits the "
                                             "organiser's decision."))  # fmt: skip
    CORRECTIONS.create(actor, correction, conflict=lambda: conflict)
    text = notice(gettext_noop("%(name)s asks for a correction of his hours at %(title)s."),
                  name=registration.person.name, title=activity.title)  # fmt: skip
    for path in organiser_paths(activity):
        notify_actors(CHANGE, path, text=text, url=CORRECTIONS.url(correction), exclude=actor)
    return correction


@transaction.atomic
def decide_correction(
    actor: Actor, correction: HoursCorrection, *, accept: bool, reason: str, hours: object | None = None
) -> HoursCorrection:
    """An organiser decides a correction: accepted with the corrected total hours, or rejected; with a reason."""
    correction = CORRECTIONS.lock(actor, correction, "decide")
    activity = _lock_activity(correction.registration.activity_id)
    require_organiser(actor, activity)
    CORRECTIONS.check_four_eyes(actor, correction, "decide")  # before the record changes (``move`` checks again)
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("person").get(pk=correction.registration_id)
    )
    reason = checked_text("reason", reason, max_length=200)
    if not reason:
        raise DomainError("reason", _("Give the reason for the decision."))
    before_total = registration.total_hours
    changes: dict[str, object] = {"decision_reason": reason, "decided_by": by(actor), "decided_at": timezone.now(),
                                  "hours_before": before_total}  # fmt: skip
    if not accept:
        CORRECTIONS.move(actor, correction, "decide", outcome=CorrectionStatus.REJECTED, changes=changes)
    else:
        if hours in (None, ""):
            raise DomainError("hours", _("Give the corrected hours."))
        total = _hours_within(activity, hours, "hours")
        if total < registration.verified_hours:
            raise DomainError("hours", _("At least the %(verified)s verified hours: those come from check-in and "
                                         "check-out only.") % {"verified": registration.verified_hours})  # fmt: skip
        before = snapshot(registration)
        counted_before = tallies.registration_counts(registration, activity)
        registration.supplementary_hours = total - registration.verified_hours
        registration.supplementary_reason = (
            _("Correction: %(reason)s") % {"reason": reason} if registration.supplementary_hours > 0 else ""
        )[:200]
        registration.supplementary_by = by(actor)
        registration.save(update_fields=["supplementary_hours", "supplementary_reason", "supplementary_by"])
        tallies.retally(counted_before, tallies.registration_counts(registration, activity))
        record_change(actor, registration, ChangeLog.Action.UPDATE, before=before, after=snapshot(registration),
                      org_path=registration.org_path)  # fmt: skip
        _offer_hours(activity, registration)
        changes["decided_hours"] = total
        CORRECTIONS.move(actor, correction, "decide", outcome=CorrectionStatus.ACCEPTED, changes=changes)
    if accept:
        text = notice(gettext_noop("Your correction of hours at %(title)s is accepted: %(hours)s hours (%(reason)s)."),
                      title=activity.title, hours=str(correction.decided_hours), reason=reason)  # fmt: skip
    else:
        text = notice(gettext_noop("Your correction of hours at %(title)s is rejected: %(reason)s"),
                      title=activity.title, reason=reason)  # fmt: skip
    notify_users(User.objects.filter(person_id=correction.person_id, is_active=True), text=text,
                 url=CORRECTIONS.url(correction), org_path=correction.org_path)  # fmt: skip
    return correction


def corrections_to_decide(user: object) -> QuerySet[HoursCorrection]:
    """Corrections waiting for the user's decision (as an organiser), not her own."""
    scope = scope_for(user, CHANGE)
    if not scope.has_subtrees:
        return HoursCorrection.objects.none()
    qs = HoursCorrection.objects.filter(status=CorrectionStatus.PENDING).within(scope, self_service=False)
    person_id = getattr(user, "person_id", None)
    return qs.exclude(person_id=person_id) if person_id else qs


def pending_corrections(user: object) -> list[PendingItem]:
    """The inbox: corrections of hours to decide, one item per correction (at most 20)."""
    if not scope_for(user, CHANGE).has_subtrees:
        return []
    rows = corrections_to_decide(user).select_related("person", "registration__activity").order_by("created_at")
    return [
        PendingItem(
            label=_("Correction of hours to decide: %(name)s, %(title)s")
            % {"name": row.person.name, "title": row.registration.activity.title},
            url=reverse("activities:correction", args=[row.pk]),
            count=1,
        )
        for row in rows[:20]
    ]


# --- reads the registries use --------------------------------------------------------------------------------------


def my_registrations(user: object) -> QuerySet[Registration]:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Registration.objects.none()
    return Registration.objects.filter(person_id=person_id)


def my_upcoming_count(user: object) -> int | None:
    """The member's card: activities she holds a place at (or waits for) that have not ended."""
    if getattr(user, "person_id", None) is None:
        return None
    live = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)
    return my_registrations(user).filter(status__in=live, activity__ends_at__gt=timezone.now()).count()


def hours_of_person(person_id: int) -> tuple[Decimal, Decimal]:
    """(verified, supplementary) hours of a person over every activity."""
    totals = Registration.objects.filter(person_id=person_id).aggregate(v=Sum("verified_hours"),
                                                                        s=Sum("supplementary_hours"))  # fmt: skip
    cent = Decimal("0.01")
    return Decimal(totals["v"] or 0).quantize(cent), Decimal(totals["s"] or 0).quantize(cent)


def my_hours(user: object) -> str | None:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    verified, supplementary = hours_of_person(person_id)
    total = verified + supplementary
    # "3", "2.5" hours: no trailing zeros (0.00 read as a figure nobody had entered)
    return _("%(hours)s h") % {"hours": f"{total:.2f}".rstrip("0").rstrip(".")}


def to_confirm(user: object) -> QuerySet[Registration]:
    """Registrations holding a place that wait for the user's confirmation (as an organiser), not her own."""
    scope = scope_for(user, CHANGE)
    if not scope.has_subtrees:
        return Registration.objects.none()
    qs = Registration.objects.filter(status=RegistrationStatus.PENDING).within(scope, self_service=False)
    person_id = getattr(user, "person_id", None)
    return qs.exclude(person_id=person_id) if person_id else qs


def to_confirm_count(user: object) -> int | None:
    if not scope_for(user, CHANGE).has_subtrees:
        return None
    return to_confirm(user).count()


def pending_registrations(user: object) -> list[PendingItem]:
    """The inbox: registrations waiting for the user's confirmation, one item per activity (one grouped query)."""
    if not scope_for(user, CHANGE).has_subtrees:
        return []
    rows = (to_confirm(user).values("activity_id", "activity__title").annotate(n=Count("id"))
            .order_by("activity__starts_at", "activity_id")[:20])  # fmt: skip
    return [
        PendingItem(
            label=_("Registrations to confirm: %(title)s") % {"title": row["activity__title"]},
            url=reverse("activities:detail", args=[row["activity_id"]]),
            count=row["n"],
        )
        for row in rows
    ]


# --- certificates of service hours (志愿服务记录证明) ----------------------------------------------------------
# An organiser of the issuing organisation (CHANGE over it) issues one, never for herself (four eyes); the lines are
# the person's registrations with hours at activities led inside the issuer's subtree ("whoever records
# certifies"). The serial number is ``<year>-<organisation id>-<sequence>``; the verification key is random
# (``secrets``): a certificate cannot be found by guessing, and a forged one does not match the server's record.

Q_HOURS = Q(verified_hours__gt=0) | Q(supplementary_hours__gt=0)


def certifiable(person: Person, organization: Organization):
    """The person's registrations with hours at activities led inside ``organization``'s subtree."""
    return (
        Registration.objects.filter(person=person)
        .filter(subtree_q("org_path", organization.path))
        .filter(Q_HOURS)
        .select_related("activity")
        .order_by("activity__starts_at", "id")
    )


@transaction.atomic
def issue_certificate(actor: Actor, *, person: Person, organization: Organization) -> Certificate:
    require(actor, CHANGE, organization.path)
    refuse_own_case(actor, person.pk, "person")
    Organization.objects.select_for_update().get(pk=organization.pk)  # serial numbers of one issuer in order
    rows = list(certifiable(person, organization))
    if not rows:
        raise DomainError("person", _("%(name)s has no hours at activities of %(org)s.")
                          % {"name": person.name, "org": organization.name})  # fmt: skip
    lines = [
        {
            "title": row.activity.title,
            "date": timezone.localdate(row.activity.starts_at).isoformat(),
            "place": row.activity.place,
            "verified": str(row.verified_hours),
            "supplementary": str(row.supplementary_hours),
        }
        for row in rows
    ]
    today = timezone.localdate()
    sequence = Certificate.objects.filter(organization=organization, issued_on__year=today.year).count() + 1
    certificate = Certificate.objects.create(
        person=person, organization=organization, org_path=organization.path,
        serial=f"{today.year}-{organization.pk:06d}-{sequence:05d}", verify_key=secrets.token_urlsafe(24),
        holder_name=person.name, holder_masked_id=person.masked_id_number, issuer_name=organization.name,
        lines=lines, verified_hours=sum((r.verified_hours for r in rows), Decimal(0)),
        supplementary_hours=sum((r.supplementary_hours for r in rows), Decimal(0)), issued_on=today,
        issued_by=by(actor),
    )  # fmt: skip
    record_change(actor, certificate, ChangeLog.Action.CREATE, org_path=organization.path)
    return certificate


VERIFY_KEY = re.compile(r"[A-Za-z0-9_\-]{1,64}")


def verify_certificate(key: str, serial: str | None = None) -> Certificate | None:
    """The certificate whose QR code holds ``key`` (and, when given, whose serial number is ``serial``), or None:
    a forged or altered certificate has no record that matches."""
    key = (key or "").strip()
    if not VERIFY_KEY.fullmatch(key):  # a key is URL-safe characters; a NUL reached PostgreSQL as a 500
        return None
    found = Certificate.objects.filter(verify_key=key).first()
    if found is None or (serial is not None and serial.strip()[:32] != found.serial):
        return None
    return found


def masked_holder(name: str) -> str:
    """The holder's name as the public verification shows it: its first character only."""
    return name[0] + "*" * max(len(name) - 1, 1) if name else ""


def verified_facts(certificate: Certificate) -> dict[str, object]:
    """What the public verification answers of a certificate (pages and API): the holder masked."""
    return {"serial": certificate.serial, "holder_name": masked_holder(certificate.holder_name),
            "holder_masked_id": certificate.holder_masked_id, "issuer_name": certificate.issuer_name,
            "verified_hours": certificate.verified_hours, "supplementary_hours": certificate.supplementary_hours,
            "issued_on": certificate.issued_on}  # fmt: skip


# --- micro-wishes (微心愿) -------------------------------------------------------------------------------------------
# ``submit_wish``: a resident, without an account (the public page checks the captcha and the rate per address);
# a public text holding a phone or ID number is flagged to the screener. ``screen_wish``: the community organisation
# (CHANGE over it) publishes it, its wording edited, or rejects it with a reason. ``claim_wish``: a member, for
# herself. ``fulfil_wish``: the member who claimed it records what was done. ``close_wish``: the community confirms
# with the resident, never the member who fulfilled it (four eyes); fulfilment is offered to the points hook.

WISH_FULFILLED = "activities.wish_fulfilled"
WISH_STALLED_DAYS = 14  # a claimed wish not fulfilled after this many days is listed as stalled

WISH_TRANSITIONS: dict[str, tuple[tuple[str, ...], str | tuple[str, ...]]] = {
    "screen": ((WishStatus.SUBMITTED,), (WishStatus.PUBLISHED, WishStatus.REJECTED)),
    "claim": ((WishStatus.PUBLISHED,), WishStatus.CLAIMED),
    "fulfil": ((WishStatus.CLAIMED,), WishStatus.FULFILLED),
    "close": ((WishStatus.FULFILLED,), WishStatus.CLOSED),
}
WISHES: Workflow[Wish] = Workflow(
    Wish,
    WISH_TRANSITIONS,
    refusal=gettext_lazy("This wish is already “%(status)s”; someone acted on it before you."),
    url_name="activities:wish_detail",
    subject=lambda wish: wish.claimed_by_id,
    # claiming and fulfilling are the member's own steps; the community's confirmation is someone else's
    self_service=("claim", "fulfil"),
)


def holds_personal_numbers(text: str) -> bool:
    return mask_lookalikes(text) != text


@transaction.atomic
def submit_wish(*, community: Organization, text: str, contact_name: str, contact_phone: str) -> Wish:
    """A resident's wish (no account: the system records it)."""
    if community.status != OrgStatus.ACTIVE:
        raise DomainError("community", _("Choose a community."))
    text = checked_text("text", text, max_length=1000, multiline=True)
    if len(text) < 5:
        raise DomainError("text", _("Say in a few words what is needed."))
    contact_name = checked_text("contact_name", contact_name, max_length=50)
    if not contact_name:
        raise DomainError("contact_name", _("Give a name to contact."))
    phone = "".join(ch for ch in (contact_phone or "") if ch.isdigit())
    if not 7 <= len(phone) <= 20:
        raise DomainError("contact_phone", _("Give a phone number to contact (digits)."))
    wish = Wish(community=community, org_path=community.path, text=text, contact_name=contact_name,
                contact_phone=phone, flagged=holds_personal_numbers(text))  # fmt: skip
    WISHES.create(None, wish, conflict=lambda: DomainError("text", _("Submitted already.")))
    return wish


@transaction.atomic
def screen_wish(actor: Actor, wish: Wish, *, publish: bool, published_text: str = "", reason: str = "") -> Wish:
    wish = WISHES.lock(actor, wish, "screen")
    require(actor, CHANGE, wish.org_path)
    if publish:
        wording = checked_text("published_text", published_text or wish.text, max_length=1000, multiline=True)
        if holds_personal_numbers(wording):
            raise DomainError("published_text", _("The published wording may hold no phone or ID number."))
        return WISHES.move(actor, wish, "screen", outcome=WishStatus.PUBLISHED,
                           changes={"published_text": wording})  # fmt: skip
    reason = checked_text("reason", reason, max_length=200)
    if not reason:
        raise DomainError("reason", _("Give the reason for rejecting."))
    return WISHES.move(actor, wish, "screen", outcome=WishStatus.REJECTED, changes={"reason": reason})


@transaction.atomic
def claim_wish(actor: Actor, wish: Wish) -> Wish:
    """A member claims a published wish for herself (one claimer; two at once: one wins)."""
    person = _actor_person(actor)
    wish = WISHES.lock(actor, wish, "claim")
    return WISHES.move(actor, wish, "claim", changes={"claimed_by": person, "claimed_at": timezone.now()})


@transaction.atomic
def fulfil_wish(actor: Actor, wish: Wish, fulfilment: str) -> Wish:
    """The member who claimed it records what was done."""
    wish = WISHES.lock(actor, wish, "fulfil")
    if getattr(actor, "person_id", None) != wish.claimed_by_id and actor is not None:
        raise DomainError("status", _("Only the member who claimed this wish records its fulfilment."))
    fulfilment = checked_text("fulfilment", fulfilment, max_length=2000, multiline=True)
    if not fulfilment:
        raise DomainError("fulfilment", _("Say what was done."))
    counted_before = tallies.wish_counts(wish)
    wish = WISHES.move(actor, wish, "fulfil", changes={"fulfilment": fulfilment, "fulfilled_at": timezone.now()})
    tallies.retally(counted_before, tallies.wish_counts(wish))  # the dashboards' wishes fulfilled this month
    return wish


@transaction.atomic
def close_wish(actor: Actor, wish: Wish) -> Wish:
    """The community confirms the fulfilment with the resident and closes the wish; offered to the points hook."""
    wish = WISHES.lock(actor, wish, "close")
    require(actor, CHANGE, wish.org_path)
    WISHES.move(actor, wish, "close", changes={"closed_at": timezone.now()})
    if wish.claimed_by_id:
        claimer = Person.objects.get(pk=wish.claimed_by_id)
        offer(Achievement(WISH_FULFILLED, person_id=claimer.pk, org_path=claimer.org_path,
                          occurred_on=timezone.localdate(), source=f"activities.wish:{wish.pk}"))  # fmt: skip
    return wish


def stalled_wishes(user: object) -> QuerySet[Wish]:
    """Wishes of the user's communities published but unclaimed, or claimed and not fulfilled, for too long."""
    scope = scope_for(user, CHANGE)
    since = timezone.now() - datetime.timedelta(days=WISH_STALLED_DAYS)
    stalled = Q(status=WishStatus.PUBLISHED, submitted_at__lt=since)
    stalled |= Q(status=WishStatus.CLAIMED, claimed_at__lt=since)
    return Wish.objects.filter(stalled).within(scope, self_service=False)


def pending_wishes(user: object) -> list[PendingItem]:
    """The inbox: wishes to screen and wishes fulfilled to confirm (one grouped query)."""
    scope = scope_for(user, CHANGE)
    if not scope.has_subtrees:
        return []
    waiting = (WishStatus.SUBMITTED, WishStatus.FULFILLED)
    counts = dict(
        Wish.objects.filter(status__in=waiting).within(scope, self_service=False).values_list("status")
        .annotate(n=Count("id")).order_by()
    )  # fmt: skip
    url = reverse("activities:wishes")
    items = []
    if counts.get(WishStatus.SUBMITTED):
        items.append(PendingItem(_("Micro-wishes to screen"), counts[WishStatus.SUBMITTED], url))
    if counts.get(WishStatus.FULFILLED):
        items.append(PendingItem(_("Micro-wishes to confirm"), counts[WishStatus.FULFILLED], url))
    return items
