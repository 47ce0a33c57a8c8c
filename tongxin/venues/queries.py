"""Reads of the positions app: the free-venue search, a venue's month, the usage per venue per month, and the
public directory."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from tongxin.venues.models import (
    MAX_HOURS,
    Booking,
    BookingStatus,
    HonourKind,
    HonourLevel,
    HonourStatus,
    Venue,
    VenueClosure,
    VenuePhoto,
    VenueStatus,
)


def free_venues(
    venues: QuerySet[Venue],
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int = 1,
    division_code: str = "",
) -> QuerySet[Venue]:
    """Open venues of ``venues`` holding ``capacity`` people, open for the whole slot (its weekday and its
    hours), with no closure on its day and no confirmed booking overlapping it; ``division_code`` narrows
    to an area (a prefix of the GB/T 2260 code: "530112" a district, "5301" the city)."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if end <= start or start.date() != end.date():
        return venues.none()
    day = start.date()
    # A booking lasts at most a day (services.MAX_HOURS): one overlapping the slot starts less than a day before
    # it, which bounds the index range (venue, status, starts_at) read per venue to a day, not the year before.
    earliest = starts_at - datetime.timedelta(hours=MAX_HOURS)
    taken = Booking.objects.filter(venue=OuterRef("pk"), status=BookingStatus.CONFIRMED, starts_at__lt=ends_at,
                                   starts_at__gt=earliest, ends_at__gt=starts_at)  # fmt: skip
    closed = VenueClosure.objects.filter(venue=OuterRef("pk"), starts_on__lte=day, ends_on__gte=day)
    qs = venues.filter(
        status=VenueStatus.OPEN, capacity__gte=max(capacity, 1), opens_at__lte=start.time(), closes_at__gte=end.time(),
        open_days__contains=str(start.isoweekday()),
    )  # fmt: skip
    if division_code:
        qs = qs.filter(division_code__startswith=division_code)
    return qs.filter(~Exists(taken), ~Exists(closed)).order_by("capacity", "name", "id")


@dataclass
class UsageRow:
    venue: Venue
    month: datetime.date
    bookings: int
    hours: float
    attendance: int
    activities: int = 0  # distinct activities held (bookings naming an activity, counted once per month)


def usage(venues: QuerySet[Venue], *, year: int) -> list[UsageRow]:
    """Per venue and month of ``year``: confirmed bookings, activities held (the distinct activities the bookings
    name), hours booked, expected attendance. One query over the year's bookings (four columns each); months
    without a booking are left out."""
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    by_id = {v.pk: v for v in venues}
    sums: dict[tuple[int, datetime.date], list[float]] = {}
    held: dict[tuple[int, datetime.date], set[int]] = {}
    booked = Booking.objects.filter(venue_id__in=list(by_id), status=BookingStatus.CONFIRMED, starts_at__gte=start,
                                    starts_at__lt=end)  # fmt: skip
    for venue_id, starts_at, ends_at, people, activity in booked.values_list(
        "venue_id", "starts_at", "ends_at", "expected_attendance", "activity_id"
    ):
        key = (venue_id, timezone.localtime(starts_at).date().replace(day=1))
        row = sums.setdefault(key, [0, 0.0, 0])
        row[0] += 1
        row[1] += (ends_at - starts_at).total_seconds() / 3600
        row[2] += people
        if activity is not None:
            held.setdefault(key, set()).add(activity)
    return [
        UsageRow(by_id[venue_id], month, int(n), round(hours, 1), int(people), len(held.get((venue_id, month), ())))
        for (venue_id, month), (n, hours, people) in sorted(sums.items(), key=lambda kv: (by_id[kv[0][0]].name, kv[0]))
    ]


def directory() -> QuerySet[Venue]:
    """The public directory: open venues with their hours and address (no person, no booking)."""
    return (
        Venue.objects.filter(status=VenueStatus.OPEN)
        .only(
            "name",
            "kind",
            "partner",
            "address",
            "division_code",
            "opens_at",
            "closes_at",
            "open_days",
            "capacity",
            "facilities",
        )
        .prefetch_related(Prefetch("photos", queryset=VenuePhoto.objects.only("id", "venue_id", "file_name")))
        .order_by("kind", "name", "id")
    )


def upcoming(bookings: QuerySet[Booking], limit: int = 20) -> list[Booking]:
    return list(
        bookings.filter(status=BookingStatus.CONFIRMED, ends_at__gte=timezone.now())
        .select_related("venue", "organization")
        .order_by("starts_at", "id")[:limit]
    )


def visible_bookings_q(scope) -> Q:
    return scope.q("org_path", "venue_path")


def honour_counts(honours: QuerySet) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """Valid and under-review honours counted by kind (rows) and level (columns), with row totals: one grouped
    query. Returns (level labels, [(kind label, counts per level, total)])."""
    counts = {
        (row["kind"], row["level"]): row["n"]
        for row in honours.exclude(status=HonourStatus.REVOKED).values("kind", "level").annotate(n=Count("id"))
    }
    levels = list(HonourLevel.values)
    rows = []
    for kind in HonourKind:
        per_level = [counts.get((kind.value, level), 0) for level in levels]
        if any(per_level):
            rows.append((str(kind.label), per_level, sum(per_level)))
    return [str(HonourLevel(level).label) for level in levels], rows
