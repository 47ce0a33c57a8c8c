"""Double booking is impossible at the database level (PostgreSQL, real concurrent connections): many
organisations asking for overlapping times of one venue at the same moment get exactly one booking, the others
the refusal with the date named; and an overlapping row written past the service is refused by the exclusion
constraint itself."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from tongxin.core.exceptions import DomainError
from tongxin.core.testing import race
from tongxin.venues.models import Booking, BookingStatus
from tongxin.venues.tests.venue_helpers import at, book, make_venue, saturday

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs real concurrent connections and the exclusion constraint"),
    pytest.mark.usefixtures("english"),
]

REQUESTS = 30  # concurrent connections: PostgreSQL's default limit is 100, shared with the other test runs


def test_many_overlapping_requests_at_once_make_exactly_one_booking(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    actors = [(users.secretary_a, tree.branch_a), (users.secretary_b, tree.branch_b), (users.committee_admin,
                                                                                       tree.committee1)]  # fmt: skip

    def attempt(i: int):
        actor, org = actors[i % len(actors)]
        start = 14 + (i % 3) * 0.5  # 14:00, 14:30, 15:00 for two hours: all overlap
        return book(actor, venue, org, day, int(start), int(start) + 2, people=10, purpose=f"请求{i}")

    results = race(*[lambda i=i: attempt(i) for i in range(REQUESTS)], timeout=60)

    winners = [r for r in results if isinstance(r, Booking)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1, results
    assert len(losers) == REQUESTS - 1, [r for r in results if not isinstance(r, Booking | DomainError)]
    assert all(f"is already booked on {day.isoformat()}" in " ".join(e.messages) for e in losers)
    assert Booking.objects.filter(venue=venue, status=BookingStatus.CONFIRMED).count() == 1


def test_the_database_refuses_an_overlap_the_service_never_saw(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    book(users.secretary_a, venue, tree.branch_a, day, 14, 16)
    row = {"venue": venue, "venue_path": venue.org_path, "organization": tree.branch_b, "org_path": tree.branch_b.path,
           "purpose": "绕过服务", "expected_attendance": 5}  # fmt: skip
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        Booking.objects.create(starts_at=at(day, 15), ends_at=at(day, 17), **row)
    # a cancelled or skipped row may overlap; so may the next slot, touching at 16:00
    Booking.objects.create(starts_at=at(day, 15), ends_at=at(day, 17), status=BookingStatus.SKIPPED, **row)
    Booking.objects.create(starts_at=at(day, 16), ends_at=at(day, 18), **row)
    other_day = day + datetime.timedelta(days=7)
    Booking.objects.create(starts_at=at(other_day, 15), ends_at=at(other_day, 17), **row)
