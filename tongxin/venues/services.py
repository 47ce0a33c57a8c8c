"""Every write of the positions app: venues (create, open, suspend, close, closures) and bookings (one, a
recurring series, cancel, add a skipped occurrence back).

Who acts: a venue is its host organisation's (CHANGE over the host); a booking is the booking organisation's
(CHANGE over it), of a venue the actor sees (hosted in or above her subtrees).

Double booking: ``book`` and ``book_series`` lock the venue row first (``SELECT … FOR NO KEY UPDATE``), so two
bookings of one venue are checked one after the other and the second is refused with the date named. On
PostgreSQL the exclusion constraint ``booking_no_overlap`` (migration 0002) refuses an overlapping confirmed
booking whatever wrote it; its violation becomes the same refusal. Every refusal names the field and the
rule, and nothing is written.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from dateutil.rrule import MONTHLY, WEEKLY, rrule
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core.achievements import Achievement, offer, withdraw
from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date, checked_text, wording_refusal
from tongxin.core.inbox import PendingItem
from tongxin.core.models import ChangeLog
from tongxin.core.registry import linked
from tongxin.core.scoping import CHANGE, Actor, actor_scope, by, require, scope_for
from tongxin.core.uploads import IMAGE_TYPES, check_upload
from tongxin.core.workflow import Workflow
from tongxin.orgs import tallies as org_tallies
from tongxin.orgs.models import Organization, OrgStatus
from tongxin.orgs.validators import division_code_refusal
from tongxin.people.models import Person
from tongxin.venues import tallies
from tongxin.venues.models import (
    MAX_HOURS,
    ORGANISATION_HONOURS,
    PERSON_HONOURS,
    Booking,
    BookingSeries,
    BookingStatus,
    Frequency,
    Honour,
    HonourKind,
    HonourLevel,
    HonourStatus,
    Venue,
    VenueClosure,
    VenueKind,
    VenuePhoto,
    VenueStatus,
)

MAX_OCCURRENCES = 120  # occurrences of one series (ten years of months, two years of weeks)

VENUE_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "suspend": ((VenueStatus.OPEN,), VenueStatus.SUSPENDED),
    "close": ((VenueStatus.OPEN, VenueStatus.SUSPENDED), VenueStatus.CLOSED),
    "reopen": ((VenueStatus.SUSPENDED, VenueStatus.CLOSED), VenueStatus.OPEN),
}
VENUES: Workflow[Venue] = Workflow(
    Venue,
    VENUE_TRANSITIONS,
    refusal=gettext_lazy("This venue is already “%(status)s”; someone acted on it before you. Reload the page."),
    url_name="venues:detail",
)

BOOKING_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "cancel": ((BookingStatus.CONFIRMED,), BookingStatus.CANCELLED),
    "add_back": ((BookingStatus.SKIPPED,), BookingStatus.CONFIRMED),
}
BOOKINGS: Workflow[Booking] = Workflow(
    Booking,
    BOOKING_TRANSITIONS,
    refusal=gettext_lazy("This booking is already “%(status)s”; someone acted on it before you. Reload the page."),
    related=("venue",),
    url_name="venues:booking",
    audit_paths=lambda b: (b.org_path, b.venue_path),
)


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value)


def _day(value: datetime.datetime) -> str:
    return _local(value).strftime("%Y-%m-%d")


def _hm(value: datetime.datetime | datetime.time) -> str:
    return (value if isinstance(value, datetime.time) else _local(value)).strftime("%H:%M")


# --- venues ----------------------------------------------------------------------------------------------


def _venue_fields(values: dict) -> dict:
    """The venue's values checked: texts bounded, hours in order, days ISO weekdays, capacity positive."""
    name = checked_text("name", values.get("name"), max_length=100)
    if not name:
        raise DomainError("name", _("Give the venue's name."))
    if refusal := wording_refusal(name):
        raise DomainError("name", refusal)
    if values.get("kind") not in VenueKind.values:
        raise DomainError("kind", _("Unknown venue kind."))
    address = checked_text("address", values.get("address"), max_length=200)
    if not address:
        raise DomainError("address", _("Give the venue's address, so people find it."))
    division = checked_text("division_code", values.get("division_code"), max_length=12)
    if division and (refusal := division_code_refusal(division)):
        raise DomainError("division_code", refusal)
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if not isinstance(opens, datetime.time) or not isinstance(closes, datetime.time):
        raise DomainError("opens_at", _("Give the opening hours."))
    if closes <= opens:
        raise DomainError("closes_at", _("The venue must close after it opens."))
    days = "".join(sorted(set(str(values.get("open_days") or ""))))
    if not days or any(d not in "1234567" for d in days):
        raise DomainError("open_days", _("Open days are weekdays 1 (Monday) to 7 (Sunday)."))
    capacity = values.get("capacity")
    if not isinstance(capacity, int) or not 1 <= capacity <= 100_000:
        raise DomainError("capacity", _("The capacity is a number of people from 1 to 100000."))
    return {
        "name": name, "kind": values["kind"], "address": address, "division_code": division, "opens_at": opens,
        "closes_at": closes, "open_days": days, "capacity": capacity,
        "partner": checked_text("partner", values.get("partner"), max_length=100),
        "facilities": checked_text("facilities", values.get("facilities"), max_length=500),
    }  # fmt: skip


@transaction.atomic
def create_venue(actor: Actor, *, host: Organization, **values) -> Venue:
    """A venue hosted by ``host`` (CHANGE over it), open from the start."""
    require(actor, CHANGE, host.path)
    if host.status != OrgStatus.ACTIVE:
        raise DomainError("host", _("%(org)s has been dissolved.") % {"org": host.name})
    venue = Venue(host=host, org_path=host.path, status=VENUES.target("reopen"), **_venue_fields(values))
    venue.save()
    VENUES.record(actor, venue, ChangeLog.Action.CREATE)
    return venue


EDITABLE = ("name", "kind", "partner", "address", "division_code", "opens_at", "closes_at", "open_days", "capacity",
            "facilities")  # fmt: skip


def venue_values(venue: Venue) -> dict:
    """The venue's editable values as they are (the defaults of an edit form and of a partial API update)."""
    return {name: getattr(venue, name) for name in EDITABLE}


def _status_transition(venue: Venue, status: str) -> str:
    """The transition from the venue's status to ``status``; DomainError on the status field when there is none."""
    if status not in VenueStatus.values:
        raise DomainError("status", _("Unknown status."))
    for transition, (sources, target) in VENUE_TRANSITIONS.items():
        if target == status and venue.status in sources:
            return transition
    raise DomainError("status", _("A venue that is “%(from)s” cannot become “%(to)s”.")
                      % {"from": venue.get_status_display(), "to": VenueStatus(status).label})  # fmt: skip


@transaction.atomic
def update_venue(actor: Actor, venue: Venue, *, status: str | None = None, **values) -> Venue:
    """The host (CHANGE over it) changes the venue's fields and, with ``status``, opens, suspends or closes it;
    every value checked first (refused by field, nothing written). The host organisation stays: a venue moves to
    another host by being closed and created there. Audited: the fields changed, and the status step apart."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    require(actor, CHANGE, venue.org_path)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        field = sorted(unknown)[0]
        raise DomainError(field, _("This field cannot be changed here."))
    checked = _venue_fields({**venue_values(venue), **values})
    transition = _status_transition(venue, status) if status and status != venue.status else None
    before = snapshot(venue)
    for name, value in checked.items():
        setattr(venue, name, value)
    venue.save()
    record_change(actor, venue, ChangeLog.Action.UPDATE, before=before, after=snapshot(venue), org_path=venue.org_path)
    if transition is not None:
        venue = VENUES.move(actor, venue, transition)
    return venue


def _set_status(transition: str):
    @transaction.atomic
    def step(actor: Actor, venue: Venue) -> Venue:
        venue = VENUES.lock(actor, venue, transition)
        require(actor, CHANGE, venue.org_path)
        return VENUES.move(actor, venue, transition)

    step.__name__ = f"{transition}_venue"
    step.__doc__ = f"The venue's host {transition}s it (CHANGE over the host)."
    return step


suspend_venue = _set_status("suspend")
close_venue = _set_status("close")
reopen_venue = _set_status("reopen")


@transaction.atomic
def add_closure(actor: Actor, venue: Venue, *, starts_on: datetime.date, ends_on: datetime.date,
                reason: str) -> VenueClosure:  # fmt: skip
    """Dates the venue is closed. Confirmed bookings on those dates stay (the host tells their organisers);
    new ones are refused."""
    venue = Venue.objects.select_for_update(no_key=True).get(pk=venue.pk)
    require(actor, CHANGE, venue.org_path)
    checked_date("starts_on", starts_on, "plan")
    checked_date("ends_on", ends_on, "plan")
    if ends_on < starts_on:
        raise DomainError("ends_on", _("A closure ends on or after the day it starts."))
    reason = checked_text("reason", reason, max_length=200)
    if not reason:
        raise DomainError("reason", _("Say why the venue is closed."))
    closure = VenueClosure.objects.create(venue=venue, starts_on=starts_on, ends_on=ends_on, reason=reason)
    after = {"venue": venue.pk, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "reason": reason}
    record_change(actor, closure, ChangeLog.Action.CREATE, after=after, org_path=venue.org_path)
    return closure


@transaction.atomic
def remove_closure(actor: Actor, venue: Venue, closure_id: int) -> None:
    """The host takes back a closure (the venue opens on those dates after all); audited with its dates."""
    venue = Venue.objects.select_for_update(no_key=True).get(pk=venue.pk)
    require(actor, CHANGE, venue.org_path)
    closure = VenueClosure.objects.filter(venue=venue, pk=closure_id).first()
    if closure is None:
        raise DomainError("closure", _("No such closure of this venue."))
    before = {"venue": venue.pk, "starts_on": closure.starts_on.isoformat(), "ends_on": closure.ends_on.isoformat(),
              "reason": closure.reason}  # fmt: skip
    record_change(actor, closure, ChangeLog.Action.DELETE, before=before, org_path=venue.org_path)
    closure.delete()


# --- photos (optional evidence, never required) ---------------------------------------------------------

MAX_PHOTOS = 12  # photos of one venue


@transaction.atomic
def add_venue_photo(actor: Actor, venue: Venue, *, file_name: str, content: bytes) -> VenuePhoto:
    """The host adds a photo (JPEG, PNG) of the venue: the type read from the content must match the name (a PDF is
    not a photo), the size limited; refused on ``photo``, nothing written. Audited without the bytes."""
    venue = Venue.objects.select_for_update(no_key=True).get(pk=venue.pk)
    require(actor, CHANGE, venue.org_path)
    name, content_type = check_upload(file_name, content, field="photo")
    if content_type not in IMAGE_TYPES:
        raise DomainError("photo", _("“%(name)s”: a venue photo is a JPEG or PNG picture.") % {"name": name})
    if venue.photos.count() >= MAX_PHOTOS:
        raise DomainError("photo", _("A venue has at most %(n)s photos: remove one first.") % {"n": MAX_PHOTOS})
    uploader = by(actor) if getattr(actor, "pk", None) else None
    photo = VenuePhoto.objects.create(venue=venue, file_name=name, content_type=content_type, size=len(content),
                                      content=content, uploaded_by=uploader)  # fmt: skip
    after = {"venue": venue.pk, "file_name": name, "content_type": content_type, "size": len(content)}
    record_change(actor, photo, ChangeLog.Action.CREATE, after=after, org_path=venue.org_path)
    return photo


@transaction.atomic
def remove_venue_photo(actor: Actor, photo: VenuePhoto) -> None:
    """The host removes a photo of the venue; audited with its name."""
    photo = VenuePhoto.objects.select_related("venue").defer("content").get(pk=photo.pk)
    require(actor, CHANGE, photo.venue.org_path)
    before = {"venue": photo.venue_id, "file_name": photo.file_name, "size": photo.size}
    record_change(actor, photo, ChangeLog.Action.DELETE, before=before, org_path=photo.venue.org_path)
    photo.delete()


# --- the rules of a booking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why one occurrence cannot be booked: ``kind`` is "conflict" or "closure"; ``text`` names the date."""

    day: datetime.date
    kind: str
    text: str


def _closure_on(venue: Venue, day: datetime.date) -> VenueClosure | None:
    return venue.closures.filter(starts_on__lte=day, ends_on__gte=day).order_by("starts_on").first()


def _overlapping(venue: Venue, starts_at: datetime.datetime, ends_at: datetime.datetime):
    earliest = starts_at - datetime.timedelta(hours=MAX_HOURS)  # a booking overlapping started within a day
    return Booking.objects.filter(venue=venue, status=BookingStatus.CONFIRMED, starts_at__lt=ends_at,
                                  starts_at__gt=earliest, ends_at__gt=starts_at).order_by("starts_at")  # fmt: skip


def overlap_refusal(venue: Venue, starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    other = _overlapping(venue, starts_at, ends_at).first()
    if other is None:  # the database refused it: someone booked it a moment ago
        return _("%(venue)s is already booked on %(date)s at that time.") % {"venue": venue.name,
                                                                            "date": _day(starts_at)}  # fmt: skip
    return _("%(venue)s is already booked on %(date)s from %(start)s to %(end)s.") % {
        "venue": venue.name, "date": _day(other.starts_at), "start": _hm(other.starts_at), "end": _hm(other.ends_at),
    }  # fmt: skip


def _closure_text(venue: Venue, day: datetime.date, closure: VenueClosure) -> str:
    return _("%(venue)s is closed on %(date)s (%(reason)s).") % {
        "venue": venue.name, "date": day.isoformat(), "reason": closure.reason,
    }  # fmt: skip


def _check_times(venue: Venue, starts_at: datetime.datetime, ends_at: datetime.datetime, attendance: int) -> None:
    """The rules of one slot that do not depend on other bookings: order, length, the venue open, its
    opening hours and days, its capacity. DomainError naming the field and the rule."""
    checked_date("starts_at", starts_at, "plan")
    checked_date("ends_at", ends_at, "plan")
    if ends_at <= starts_at:
        raise DomainError("ends_at", _("A booking ends after it starts."))
    if ends_at - starts_at > datetime.timedelta(hours=MAX_HOURS):
        raise DomainError("ends_at", _("A booking lasts at most %(hours)s hours.") % {"hours": MAX_HOURS})
    if venue.status != VenueStatus.OPEN:
        raise DomainError("venue", _("%(venue)s is %(status)s: it takes no bookings.")
                          % {"venue": venue.name, "status": venue.get_status_display()})  # fmt: skip
    start, end = _local(starts_at), _local(ends_at)
    hours = {"venue": venue.name, "days": venue.open_days_display(), "opens": _hm(venue.opens_at),
             "closes": _hm(venue.closes_at)}  # fmt: skip
    if str(start.isoweekday()) not in venue.open_days:
        raise DomainError("starts_at", _("%(venue)s is not open on %(date)s: it opens %(days)s.")
                          % {**hours, "date": start.date().isoformat()})  # fmt: skip
    if start.date() != end.date() or start.time() < venue.opens_at or end.time() > venue.closes_at:
        raise DomainError("starts_at", _("Outside the opening hours of %(venue)s: %(days)s %(opens)s–%(closes)s.")
                          % hours)  # fmt: skip
    if not isinstance(attendance, int) or attendance < 1:
        raise DomainError("expected_attendance", _("Give the expected attendance (at least 1)."))
    if attendance > venue.capacity:
        raise DomainError("expected_attendance", _("%(venue)s holds at most %(capacity)s people.")
                          % {"venue": venue.name, "capacity": venue.capacity})  # fmt: skip


def _problem(venue: Venue, starts_at: datetime.datetime, ends_at: datetime.datetime) -> Problem | None:
    """A weekday the venue does not open, a closure on the day, or a confirmed booking overlapping the slot."""
    day = _local(starts_at).date()
    if str(day.isoweekday()) not in venue.open_days:
        return Problem(day, "closure", _("%(venue)s is not open on %(date)s: it opens %(days)s.")
                       % {"venue": venue.name, "date": day.isoformat(), "days": venue.open_days_display()})  # fmt: skip
    closure = _closure_on(venue, day)
    if closure is not None:
        return Problem(day, "closure", _closure_text(venue, day, closure))
    if _overlapping(venue, starts_at, ends_at).exists():
        return Problem(day, "conflict", overlap_refusal(venue, starts_at, ends_at))
    return None


def _booker(actor: Actor, organization: Organization) -> None:
    require(actor, CHANGE, organization.path)
    if organization.status != OrgStatus.ACTIVE:
        raise DomainError("organization", _("%(org)s has been dissolved.") % {"org": organization.name})


def _usable(actor: Actor, venue: Venue) -> Venue:
    """The venue, locked so bookings of it are checked one at a time; one the actor may not see is refused
    like a missing one."""
    venue = Venue.objects.select_for_update(no_key=True).get(pk=venue.pk)
    if actor is not None and not Venue.objects.for_actor(actor).filter(pk=venue.pk).exists():
        raise DomainError("venue", _("No such venue in your scope."))
    return venue


def _purpose(purpose: str) -> str:
    purpose = checked_text("purpose", purpose, max_length=200)
    if not purpose:
        raise DomainError("purpose", _("Say what the booking is for."))
    return purpose


def _save(actor: Actor, booking: Booking) -> Booking:
    booking = BOOKINGS.create(
        actor, booking, conflict=lambda: DomainError("starts_at", overlap_refusal(booking.venue, booking.starts_at,
                                                                                 booking.ends_at)),
    )  # fmt: skip
    org_tallies.adjust(tallies.booking_counts(booking))  # the dashboards' bookings of its month
    return booking


def _retally(before: Counter[org_tallies.Key], booking: Booking) -> Booking:
    org_tallies.adjust(org_tallies.difference(before, tallies.booking_counts(booking)))
    return booking


# --- one booking -----------------------------------------------------------------------------------------


@transaction.atomic
def book(
    actor: Actor,
    *,
    venue: Venue,
    organization: Organization,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    purpose: str,
    expected_attendance: int,
    activity: int | None = None,
) -> Booking:
    """Book ``venue`` for ``organization``, naming the ``activity`` held there (its id) if any; refused with the
    field and the rule named, nothing written."""
    _booker(actor, organization)
    activity = _activity(actor, activity)
    venue = _usable(actor, venue)
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    _check_times(venue, starts_at, ends_at, expected_attendance)
    purpose = _purpose(purpose)
    problem = _problem(venue, starts_at, ends_at)
    if problem is not None:
        raise DomainError("starts_at", problem.text)
    booking = Booking(
        venue=venue, venue_path=venue.org_path, organization=organization, org_path=organization.path,
        starts_at=starts_at, ends_at=ends_at, purpose=purpose, expected_attendance=expected_attendance,
        status=BOOKINGS.target("add_back"), created_by=by(actor), activity_id=activity,
    )  # fmt: skip
    return _save(actor, booking)


def _activity(actor: Actor, activity: int | None) -> int | None:
    """The id of an activity the actor may change (she organises it), else DomainError on ``activity``. Read
    through core's "activity" link kind (the activities app is beside this one: no import, no foreign key)."""
    if activity is None:
        return None
    if not isinstance(activity, int) or activity not in linked("activity", actor, [activity], CHANGE):
        raise DomainError("activity", _("No such activity in your scope."))
    return activity


@transaction.atomic
def link_activity(actor: Actor, booking: Booking, activity: int | None) -> Booking:
    """The booking organisation names the activity held at a booking (a date of a series, booked before the
    activity was planned), or takes the link away (``None``). Audited."""
    booking = Booking.objects.select_for_update().select_related("venue").get(pk=booking.pk)
    require(actor, CHANGE, booking.org_path)
    if booking.status == BookingStatus.CANCELLED:
        raise DomainError("activity", _("This booking is cancelled."))
    activity = _activity(actor, activity)
    before = snapshot(booking, ["activity_id"])
    booking.activity_id = activity
    booking.save(update_fields=["activity_id", "updated_at"])
    for path in dict.fromkeys((booking.org_path, booking.venue_path)):
        record_change(actor, booking, ChangeLog.Action.UPDATE, before=before, after=snapshot(booking, ["activity_id"]),
                      org_path=path)  # fmt: skip
    return booking


@transaction.atomic
def cancel_booking(actor: Actor, booking: Booking) -> Booking:
    """The booking organisation, or the venue's host, cancels a confirmed booking."""
    booking = BOOKINGS.lock(actor, booking, "cancel")
    scope = actor_scope(actor, CHANGE)
    if not (scope.covers_path(booking.org_path) or scope.covers_path(booking.venue_path)):
        raise PermissionDenied
    counted_before = tallies.booking_counts(booking)
    return _retally(counted_before, BOOKINGS.move(actor, booking, "cancel"))


@transaction.atomic
def add_back(actor: Actor, booking: Booking) -> Booking:
    """A skipped occurrence of a series booked after all, once its date is free again (checked again)."""
    booking = BOOKINGS.lock(actor, booking, "add_back")
    require(actor, CHANGE, booking.org_path)
    venue = _usable(actor, booking.venue)
    _check_times(venue, booking.starts_at, booking.ends_at, booking.expected_attendance)
    problem = _problem(venue, booking.starts_at, booking.ends_at)
    if problem is not None:
        raise DomainError("starts_at", problem.text)
    counted_before = tallies.booking_counts(booking)
    try:
        with transaction.atomic():
            moved = BOOKINGS.move(actor, booking, "add_back", changes={"skip_reason": ""})
    except IntegrityError:  # PostgreSQL's exclusion constraint: booked a moment ago
        raise DomainError("starts_at", overlap_refusal(venue, booking.starts_at, booking.ends_at)) from None
    return _retally(counted_before, moved)


# --- recurring bookings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    problem: Problem | None

    @property
    def day(self) -> datetime.date:
        return _local(self.starts_at).date()


def occurrences(
    venue: Venue, *, starts_at: datetime.datetime, ends_at: datetime.datetime, frequency: str, until: datetime.date
) -> list[Occurrence]:
    """Every occurrence of the series from the first until ``until`` (included), each with its problem (a
    booking in the way, a closure) or none. A read: the services lock first, a page previews with it."""
    if frequency not in Frequency.values:
        raise DomainError("frequency", _("A series repeats weekly or monthly."))
    checked_date("until", until, "plan")
    first = _local(_aware(starts_at))
    length = _aware(ends_at) - _aware(starts_at)
    if until < first.date():
        raise DomainError("until", _("The series ends on or after its first date."))
    rule = rrule(WEEKLY if frequency == Frequency.WEEKLY else MONTHLY, dtstart=first.replace(tzinfo=None),
                 until=datetime.datetime.combine(until, datetime.time.max))  # fmt: skip
    starts = [timezone.make_aware(naive) for naive in islice(rule, MAX_OCCURRENCES + 1)]
    if len(starts) > MAX_OCCURRENCES:
        raise DomainError("until", _("A series has at most %(n)s occurrences.") % {"n": MAX_OCCURRENCES})
    return [Occurrence(start, start + length, _problem(venue, start, start + length)) for start in starts]


def problems_text(problems: Iterable[Problem]) -> str:
    return " ".join(p.text for p in problems)


@transaction.atomic
def book_series(
    actor: Actor,
    *,
    venue: Venue,
    organization: Organization,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    frequency: str,
    until: datetime.date,
    purpose: str,
    expected_attendance: int,
    skip: Iterable[datetime.date] = (),
    skip_problems: bool = False,
) -> BookingSeries:
    """A recurring booking, checked occurrence by occurrence. An occurrence on a closure or in conflict with
    another booking is refused by date, every one named in one answer, nothing written; unless it is among
    ``skip`` (or ``skip_problems``): then it is kept as a skipped occurrence with its reason, and the others
    are booked. ``skip`` may also leave out dates that are free."""
    _booker(actor, organization)
    venue = _usable(actor, venue)
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    _check_times(venue, starts_at, ends_at, expected_attendance)
    purpose = _purpose(purpose)
    found = occurrences(venue, starts_at=starts_at, ends_at=ends_at, frequency=frequency, until=until)
    skipped = set(skip)
    blocking = [o.problem for o in found if o.problem is not None and o.day not in skipped and not skip_problems]
    if blocking:
        raise DomainError("occurrences", _("These dates cannot be booked: %(list)s Skip them to book the others.")
                          % {"list": problems_text(blocking)})  # fmt: skip
    if all(o.problem is not None or o.day in skipped for o in found):
        raise DomainError("occurrences", _("No date of the series is left to book."))
    series = BookingSeries.objects.create(
        venue=venue, venue_path=venue.org_path, organization=organization, org_path=organization.path,
        frequency=frequency, starts_at=starts_at, ends_at=ends_at, until=until, purpose=purpose,
        expected_attendance=expected_attendance, created_by=by(actor),
    )  # fmt: skip
    rows = []
    for o in found:
        reason = o.problem.text if o.problem else (_("Left out when booking.") if o.day in skipped else "")
        rows.append(Booking(
            venue=venue, venue_path=venue.org_path, organization=organization, org_path=organization.path,
            series=series, starts_at=o.starts_at, ends_at=o.ends_at, purpose=purpose,
            expected_attendance=expected_attendance, skip_reason=reason, created_by=by(actor),
            status=BookingStatus.SKIPPED if reason else BOOKINGS.target("add_back"),
        ))  # fmt: skip
    try:
        with transaction.atomic():
            Booking.objects.bulk_create(rows)
    except IntegrityError:  # PostgreSQL's exclusion constraint
        raise DomainError("occurrences", _("Someone booked one of these dates a moment ago: try again.")) from None
    # The dashboards' bookings: every confirmed occurrence in its month, in one upsert.
    org_tallies.adjust(sum((tallies.booking_counts(row) for row in rows), Counter()))
    after = {**snapshot(series, ["venue", "organization", "frequency", "starts_at", "ends_at", "until", "purpose"]),
             "booked": sum(r.status == BookingStatus.CONFIRMED for r in rows),
             "skipped": [_day(r.starts_at) for r in rows if r.status == BookingStatus.SKIPPED]}  # fmt: skip
    for path in dict.fromkeys((organization.path, venue.org_path)):
        record_change(actor, series, ChangeLog.Action.CREATE, after=after, org_path=path)
    return series


# --- reads ---------------------------------------------------------------------------------------------


def upcoming_bookings_count(user) -> int | None:
    """The secretary's home card: confirmed bookings of her organisations from now on (None: no role)."""
    scope = scope_for(user, CHANGE)
    if not scope.has_subtrees:
        return None
    qs = Booking.objects.filter(status=BookingStatus.CONFIRMED, ends_at__gte=timezone.now())
    return qs.filter(scope.q("org_path")).count()


def booked_q() -> Q:
    return Q(status=BookingStatus.CONFIRMED)


# --- honours and brands (荣誉, 品牌) ----------------------------------------------------------------------------
# Awarded by a role holder over the holder (CHANGE at the organisation, or at the person's branch), with the
# certificate checked by its content (core.uploads). A 青年文明号 is reviewed (valid → under review → valid again,
# or revoked); any honour may be revoked with a reason. Nobody reviews or revokes an honour of her own (four eyes:
# ``subject`` is the person honoured). A person's honour is offered to the points hook (core.achievements) in the
# awarding transaction and withdrawn when revoked.

HONOUR_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "review": ((HonourStatus.VALID,), HonourStatus.UNDER_REVIEW),
    "confirm": ((HonourStatus.UNDER_REVIEW,), HonourStatus.VALID),
    "revoke": ((HonourStatus.VALID, HonourStatus.UNDER_REVIEW), HonourStatus.REVOKED),
}
HONOURS: Workflow[Honour] = Workflow(
    Honour,
    HONOUR_TRANSITIONS,
    refusal=gettext_lazy("This honour is already “%(status)s”; someone acted on it before you. Reload the page."),
    url_name="venues:honour",
    subject=lambda honour: honour.person_id,
)
HONOUR_ACHIEVEMENT = "venues.honour"


def _honour_source(honour: Honour) -> str:
    return f"venues.honour:{honour.pk}"


def _offer(honour: Honour) -> None:
    if honour.person_id is None:
        return
    offer(Achievement(HONOUR_ACHIEVEMENT, person_id=honour.person_id, org_path=honour.org_path,
                      occurred_on=datetime.date(honour.year, 12, 31) if honour.year < timezone.localdate().year
                      else timezone.localdate(), source=_honour_source(honour)))  # fmt: skip


@transaction.atomic
def award_honour(
    actor: Actor,
    *,
    kind: str,
    level: str,
    year: int,
    awarding_body: str,
    organization: Organization | None = None,
    person: Person | None = None,
    valid_until: datetime.date | None = None,
    certificate: tuple[str, bytes] | None = None,
) -> Honour:
    """An honour for ``organization`` (a brand) or ``person`` (awarded in her branch); refused with the field and
    the rule named, nothing written: a kind for the other holder, a year ahead, a certificate whose content is not
    what its name says."""
    if (organization is None) == (person is None):
        raise DomainError("person", _("An honour goes to an organisation or to a person."))
    if kind not in HonourKind.values:
        raise DomainError("kind", _("Unknown honour kind."))
    if level not in HonourLevel.values:
        raise DomainError("level", _("Unknown level."))
    if person is not None:
        if kind in ORGANISATION_HONOURS:
            label = HonourKind(kind).label
            raise DomainError("kind", _("A “%(kind)s” is awarded to an organisation.") % {"kind": label})
        holder = Organization.objects.get(pk=person.branch_id) if person.branch_id else None
        if holder is None:
            raise DomainError("person", _("%(name)s belongs to no branch.") % {"name": person.name})
    else:
        assert organization is not None
        if kind in PERSON_HONOURS:
            raise DomainError("kind", _("A “%(kind)s” is awarded to a person.") % {"kind": HonourKind(kind).label})
        holder = organization
    require(actor, CHANGE, holder.path)
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 1949 <= year <= this_year:
        raise DomainError("year", _("The year is from 1949 to this year."))
    body = checked_text("awarding_body", awarding_body, max_length=200)
    if not body:
        raise DomainError("awarding_body", _("Name the body that awarded it."))
    checked_date("valid_until", valid_until, "any")
    if valid_until is not None and valid_until.year < year:
        raise DomainError("valid_until", _("An honour is valid until a date after the year it was awarded."))
    name, content_type, content = "", "", None
    if certificate is not None:
        name, content_type = check_upload(certificate[0], certificate[1], field="certificate")
        content = certificate[1]
    honour = Honour(
        organization=holder, person=person, org_path=holder.path, kind=kind, level=level, year=year,
        awarding_body=body, valid_until=valid_until, status=HONOURS.target("confirm"), certificate_name=name,
        certificate_type=content_type, certificate=content, created_by=by(actor),
    )  # fmt: skip
    honour.save()
    HONOURS.record(actor, honour, ChangeLog.Action.CREATE)
    org_tallies.adjust(tallies.honour_counts(honour))  # the dashboards' honours of this month
    _offer(honour)
    return honour


@transaction.atomic
def review_honour(actor: Actor, honour: Honour) -> Honour:
    """Open the review of an honour (a 青年文明号's periodic review)."""
    honour = HONOURS.lock(actor, honour, "review")
    require(actor, CHANGE, honour.org_path)
    return HONOURS.move(actor, honour, "review")


@transaction.atomic
def confirm_honour(actor: Actor, honour: Honour) -> Honour:
    """The review found it still deserved: valid again."""
    honour = HONOURS.lock(actor, honour, "confirm")
    require(actor, CHANGE, honour.org_path)
    return HONOURS.move(actor, honour, "confirm", changes={"note": ""})


@transaction.atomic
def revoke_honour(actor: Actor, honour: Honour, *, reason: str) -> Honour:
    """Revoke the honour, saying why; a person's honour is taken back from the points."""
    honour = HONOURS.lock(actor, honour, "revoke")
    require(actor, CHANGE, honour.org_path)
    reason = checked_text("reason", reason, max_length=300)
    if not reason:
        raise DomainError("reason", _("Say why the honour is revoked."))
    counted_before = tallies.honour_counts(honour)
    honour = HONOURS.move(actor, honour, "revoke", changes={"note": reason})
    org_tallies.adjust(org_tallies.difference(counted_before, tallies.honour_counts(honour)))
    if honour.person_id is not None:
        withdraw(HONOUR_ACHIEVEMENT, source=_honour_source(honour))
    return honour


# --- honours waiting for work (the inbox) ---------------------------------------------------------------------
# Honours under review wait for the review's outcome (confirm or revoke); a reviewed brand (青年文明号) whose validity
# ends within REVIEW_NOTICE_DAYS (or has ended) is due for its re-review. Neither counts an honour of the user's own:
# she may not act on it (four eyes).

REVIEW_NOTICE_DAYS = 60
REVIEWED_KINDS = (HonourKind.YOUTH_CIVILISATION,)
WAITING_REVIEW, WAITING_DUE = "review", "due"


def honours_waiting_q(waiting: str) -> Q:
    """The honours ``waiting`` for review (``"review"``: under review) or due for re-review (``"due"``)."""
    if waiting == WAITING_REVIEW:
        return Q(status=HonourStatus.UNDER_REVIEW)
    horizon = timezone.localdate() + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
    return Q(status=HonourStatus.VALID, kind__in=REVIEWED_KINDS, valid_until__lte=horizon)


def honours_waiting(user, waiting: str):
    """The honours of the user's CHANGE scope (not her own) waiting for ``waiting``."""
    rows = Honour.objects.visible_to(user, CHANGE, self_service=False).filter(honours_waiting_q(waiting))
    person_id = getattr(user, "person_id", None)
    return rows.exclude(person_id=person_id) if person_id else rows


def pending_honours(user) -> list[PendingItem]:
    """The inbox: honours under review, and brands due for re-review (one query with two counts)."""
    if not scope_for(user, CHANGE).has_subtrees:
        return []
    rows = honours_waiting(user, WAITING_REVIEW) | honours_waiting(user, WAITING_DUE)
    counts = rows.aggregate(review=Count("id", filter=honours_waiting_q(WAITING_REVIEW)),
                            due=Count("id", filter=honours_waiting_q(WAITING_DUE)))  # fmt: skip
    url = reverse("venues:honours")
    return [
        PendingItem(gettext_lazy("Honours under review"), counts["review"] or 0, f"{url}?waiting={WAITING_REVIEW}"),
        PendingItem(gettext_lazy("Honours due for re-review"), counts["due"] or 0, f"{url}?waiting={WAITING_DUE}"),
    ]
