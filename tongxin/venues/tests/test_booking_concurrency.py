"""Double booking is impossible at the database level (PostgreSQL, real concurrent connections): 100
requests for overlapping times of one venue at the same moment (through at most 30 connections: see
``CONNECTIONS``) get exactly one booking, the others the refusal with the date named; and an overlapping row
written past the service is refused by the exclusion constraint itself."""

from __future__ import annotations

import datetime
import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connections, transaction

from tongxin.core.exceptions import DomainError
from tongxin.core.testing import race
from tongxin.venues.models import Booking, BookingStatus
from tongxin.venues.tests.venue_helpers import at, book, make_venue, saturday

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs real concurrent connections and the exclusion constraint"),
    pytest.mark.usefixtures("english"),
]

REQUESTS = 100  # the figure: 100 requests for overlapping times at once
# Connections they share, as a web server's pool would: the test server's max_connections is 100 (`show
# max_connections`), shared with the other test runs on it and this test's own connection, so 100 connections of
# their own would not fit. 100 threads are released together; each takes one of CONNECTIONS slots before its first
# query and gives it back once its connection is closed, so at most 30 are in the database at once, and the others
# queue as requests queue for a pooled connection.
CONNECTIONS = 30


class Pool:
    """``CONNECTIONS`` slots; ``peak``: the most requests that were in the database at once."""

    def __init__(self, size: int) -> None:
        self.slots = threading.BoundedSemaphore(size)
        self.lock = threading.Lock()
        self.busy = self.peak = 0

    def wrap(self, action: Callable[[], Any]) -> Callable[[], Any]:
        """``action`` run holding a slot, its connection closed before the slot is freed."""

        def run() -> Any:
            with self.slots:
                with self.lock:
                    self.busy += 1
                    self.peak = max(self.peak, self.busy)
                try:
                    return action()
                finally:
                    connections.close_all()
                    with self.lock:
                        self.busy -= 1

        return run


def test_many_overlapping_requests_at_once_make_exactly_one_booking(tree, users):
    """100 requests at once, through at most 30 concurrent connections (see ``CONNECTIONS``): exactly one booking,
    99 refusals naming the date."""
    venue = make_venue(tree.committee1)
    day = saturday()
    actors = [(users.secretary_a, tree.branch_a), (users.secretary_b, tree.branch_b), (users.committee_admin,
                                                                                       tree.committee1)]  # fmt: skip

    def attempt(i: int):
        actor, org = actors[i % len(actors)]
        start = 14 + (i % 3) * 0.5  # 14:00, 14:30, 15:00 for two hours: all overlap
        return book(actor, venue, org, day, int(start), int(start) + 2, people=10, purpose=f"请求{i}")

    pool = Pool(CONNECTIONS)
    results = race(*[pool.wrap(functools.partial(attempt, i)) for i in range(REQUESTS)], timeout=120)

    winners = [r for r in results if isinstance(r, Booking)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1, results
    assert len(losers) == REQUESTS - 1, [r for r in results if not isinstance(r, Booking | DomainError)]
    assert all(f"is already booked on {day.isoformat()}" in " ".join(e.messages) for e in losers)
    assert Booking.objects.filter(venue=venue, status=BookingStatus.CONFIRMED).count() == 1
    assert 1 < pool.peak <= CONNECTIONS  # they did meet in the database at once


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
