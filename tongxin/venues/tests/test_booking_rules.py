"""Booking a venue: a booking within the rules is written with its audit rows; an overlap (the date named), a
closed or suspended venue, a day it does not open, a time outside its hours, more people than it holds, an end
before the start: refused with the field and the rule named, nothing written. The outsider books nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import refused_unchanged
from tongxin.venues import services
from tongxin.venues.models import Booking, BookingStatus, VenueClosure
from tongxin.venues.tests.venue_helpers import at, book, make_venue, saturday

pytestmark = pytest.mark.usefixtures("english")


def _counts():
    return (Booking.objects.count(), ChangeLog.objects.count())


def test_a_booking_within_the_rules_is_written_and_audited_on_both_sides(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    booking = book(users.secretary_a, venue, tree.branch_a, day)
    assert booking.status == BookingStatus.CONFIRMED
    assert (booking.org_path, booking.venue_path) == (tree.branch_a.path, tree.committee1.path)
    paths = set(ChangeLog.objects.filter(object_id=str(booking.pk), content_type__model="booking")
                .values_list("org_path", flat=True))  # fmt: skip
    assert paths == {tree.branch_a.path, tree.committee1.path}


def test_an_overlapping_booking_is_refused_with_the_date_named(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    book(users.secretary_a, venue, tree.branch_a, day, 14, 16)
    error = refused_unchanged(
        _counts, lambda: book(users.secretary_b, venue, tree.branch_b, day, 15, 17),
        f"甲青年之家 is already booked on {day.isoformat()} from 14:00 to 16:00.",
    )  # fmt: skip
    assert "starts_at" in error.errors
    # touching ends are not an overlap: 16:00–18:00 follows 14:00–16:00
    assert book(users.secretary_b, venue, tree.branch_b, day, 16, 18).status == BookingStatus.CONFIRMED


def test_a_cancelled_booking_frees_its_time(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    first = book(users.secretary_a, venue, tree.branch_a, day)
    services.cancel_booking(users.secretary_a, first)
    assert book(users.secretary_b, venue, tree.branch_b, day).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("closed", "venue", "甲青年之家 is Closed: it takes no bookings."),
        ("suspended", "venue", "甲青年之家 is Suspended: it takes no bookings."),
        ("closure", "starts_at", "甲青年之家 is closed on {day} (装修)."),
    ],
)
def test_a_closed_venue_takes_no_booking(tree, users, change, field, message):
    venue = make_venue(tree.committee1)
    day = saturday()
    if change == "closed":
        services.close_venue(users.committee_admin, venue)
    elif change == "suspended":
        services.suspend_venue(users.committee_admin, venue)
    else:
        services.add_closure(users.committee_admin, venue, starts_on=day, ends_on=day, reason="装修")
    venue.refresh_from_db()
    error = refused_unchanged(_counts, lambda: book(users.secretary_a, venue, tree.branch_a, day),
                              message.format(day=day.isoformat()))  # fmt: skip
    assert field in error.errors


@pytest.mark.parametrize(
    ("start", "end", "people", "field", "message"),
    [
        (8, 10, 10, "starts_at", "Outside the opening hours of 甲青年之家: Mon Tue Wed Thu Fri Sat Sun 09:00–21:00."),
        (20, 22, 10, "starts_at", "Outside the opening hours"),
        (14, 16, 41, "expected_attendance", "甲青年之家 holds at most 40 people."),
        (16, 14, 10, "ends_at", "A booking ends after it starts."),
        (14, 14, 10, "ends_at", "A booking ends after it starts."),
    ],
)
def test_bad_times_and_too_many_people_are_refused(tree, users, start, end, people, field, message):
    venue = make_venue(tree.committee1)
    error = refused_unchanged(_counts, lambda: book(users.secretary_a, venue, tree.branch_a, saturday(), start, end,
                                                    people), message)  # fmt: skip
    assert field in error.errors


def test_a_day_the_venue_does_not_open_is_refused(tree, users):
    venue = make_venue(tree.committee1, days="12345")
    day = saturday()
    refused_unchanged(_counts, lambda: book(users.secretary_a, venue, tree.branch_a, day),
                      f"甲青年之家 is not open on {day.isoformat()}: it opens Mon Tue Wed Thu Fri.")  # fmt: skip


def test_an_outsider_may_neither_book_for_branch_a_nor_book_a_venue_she_does_not_see(tree, users):
    venue = make_venue(tree.committee1)
    with pytest.raises(PermissionDenied):
        book(users.outsider, venue, tree.branch_a, saturday())
    # committee 2's admin booking for her own branch a venue of committee 1: not hers to see
    with pytest.raises(DomainError, match="No such venue in your scope"):
        book(users.outsider, venue, tree.branch_c, saturday())
    assert Booking.objects.count() == 0


def test_a_venue_is_seen_below_its_host_not_beside_it(tree, users):
    from tongxin.venues.models import Venue

    district = make_venue(tree.root, name="区青年之家")
    c1 = make_venue(tree.committee1, name="一委青年之家")
    a = make_venue(tree.branch_a, name="甲支部活动室")
    seen = {u: set(Venue.objects.visible_to(getattr(users, u)).values_list("name", flat=True))
            for u in ("secretary_a", "secretary_b", "outsider", "member", "nobody")}  # fmt: skip
    assert seen["secretary_a"] == {district.name, c1.name, a.name}
    assert seen["secretary_b"] == {district.name, c1.name}
    assert seen["outsider"] == {district.name}
    assert seen["member"] == seen["nobody"] == set()


def test_only_the_host_changes_a_venue(tree, users):
    venue = make_venue(tree.committee1)
    with pytest.raises(PermissionDenied):
        services.close_venue(users.secretary_a, venue)  # sees it (her committee's), may not close it
    with pytest.raises(PermissionDenied):
        services.add_closure(users.secretary_a, venue, starts_on=saturday(), ends_on=saturday(), reason="x")
    assert VenueClosure.objects.count() == 0


def test_a_closure_ending_before_it_starts_is_refused(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    refused_unchanged(lambda: VenueClosure.objects.count(),
                      lambda: services.add_closure(users.committee_admin, venue, starts_on=day,
                                                   ends_on=day - datetime.timedelta(days=1), reason="装修"),
                      "A closure ends on or after the day it starts.")  # fmt: skip


def test_hours_out_of_order_are_refused_when_creating_a_venue(tree, users):
    from tongxin.venues.models import Venue

    refused_unchanged(lambda: Venue.objects.count(),
                      lambda: make_venue(tree.committee1, actor=users.committee_admin, closes_at=datetime.time(8)),
                      "The venue must close after it opens.")  # fmt: skip


def test_a_booking_spanning_two_days_is_outside_the_hours(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    next_day = day + datetime.timedelta(days=1)
    refused_unchanged(_counts, lambda: services.book(users.secretary_a, venue=venue, organization=tree.branch_a,
                                                     starts_at=at(day, 20), ends_at=at(next_day, 10),
                                                     purpose="通宵", expected_attendance=5),
                      "Outside the opening hours")  # fmt: skip
