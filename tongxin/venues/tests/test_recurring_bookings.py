"""Recurring bookings (weekly, monthly: the youth salon is monthly), checked occurrence by occurrence: the
refusal lists each conflicting date and each date on a closure and writes nothing; skipping them books the
others and keeps the skipped dates with their reason; a skipped date can be added back once free."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from tongxin.core.exceptions import DomainError
from tongxin.venues import services
from tongxin.venues.models import Booking, BookingSeries, BookingStatus
from tongxin.venues.tests.venue_helpers import at, book, make_venue, saturday

pytestmark = pytest.mark.usefixtures("english")


def _salon(actor, venue, org, first, months=6, **extra):
    return services.book_series(
        actor, venue=venue, organization=org, starts_at=at(first, 14), ends_at=at(first, 16), frequency="monthly",
        until=first + relativedelta(months=months - 1), purpose="青年沙龙", expected_attendance=30, **extra,
    )  # fmt: skip


def test_a_monthly_series_books_each_month(tree, users):
    venue = make_venue(tree.committee1)
    first = saturday()
    series = _salon(users.secretary_a, venue, tree.branch_a, first)
    dates = [b.starts_at.date() for b in series.bookings.order_by("starts_at")]
    assert len(dates) == 6 and all(b.status == BookingStatus.CONFIRMED for b in series.bookings.all())
    assert dates[1] == first + relativedelta(months=1)


def test_conflicts_and_closures_are_each_named_and_nothing_is_written(tree, users):
    venue = make_venue(tree.committee1)
    first = saturday()
    taken = first + relativedelta(months=2)
    closed = first + relativedelta(months=4)
    book(users.secretary_b, venue, tree.branch_b, taken, 15, 17)
    services.add_closure(users.committee_admin, venue, starts_on=closed, ends_on=closed, reason="国庆闭馆")
    before = (Booking.objects.count(), BookingSeries.objects.count())

    with pytest.raises(DomainError) as refused:
        _salon(users.secretary_a, venue, tree.branch_a, first)

    text = " ".join(refused.value.messages)
    assert f"甲青年之家 is already booked on {taken.isoformat()} from 15:00 to 17:00." in text
    assert f"甲青年之家 is closed on {closed.isoformat()} (国庆闭馆)." in text
    assert "occurrences" in refused.value.errors
    assert (Booking.objects.count(), BookingSeries.objects.count()) == before


def test_skipping_the_problems_books_the_others_and_keeps_the_reasons(tree, users):
    venue = make_venue(tree.committee1)
    first = saturday()
    closed = first + relativedelta(months=1)
    services.add_closure(users.committee_admin, venue, starts_on=closed, ends_on=closed, reason="国庆闭馆")

    series = _salon(users.secretary_a, venue, tree.branch_a, first, skip_problems=True)

    rows = list(series.bookings.order_by("starts_at"))
    assert [r.status for r in rows].count(BookingStatus.CONFIRMED) == 5
    skipped = [r for r in rows if r.status == BookingStatus.SKIPPED]
    assert [r.starts_at.date() for r in skipped] == [closed]
    assert "国庆闭馆" in skipped[0].skip_reason


def test_a_date_skipped_by_choice_and_added_back(tree, users):
    venue = make_venue(tree.committee1)
    first = saturday()
    chosen = first + relativedelta(months=3)
    series = _salon(users.secretary_a, venue, tree.branch_a, first, skip=[chosen])
    row = series.bookings.get(status=BookingStatus.SKIPPED)
    assert row.starts_at.date() == chosen

    services.add_back(users.secretary_a, row)

    row.refresh_from_db()
    assert row.status == BookingStatus.CONFIRMED and row.skip_reason == ""


def test_adding_back_a_date_taken_in_the_meantime_is_refused(tree, users):
    venue = make_venue(tree.committee1)
    first = saturday()
    chosen = first + relativedelta(months=3)
    series = _salon(users.secretary_a, venue, tree.branch_a, first, skip=[chosen])
    book(users.secretary_b, venue, tree.branch_b, chosen, 13, 15)
    row = series.bookings.get(status=BookingStatus.SKIPPED)

    with pytest.raises(DomainError, match=f"already booked on {chosen.isoformat()} from 13:00 to 15:00"):
        services.add_back(users.secretary_a, row)
    row.refresh_from_db()
    assert row.status == BookingStatus.SKIPPED


def test_a_weekly_series_on_a_weekday_the_venue_closes_is_refused(tree, users):
    venue = make_venue(tree.committee1, days="6")  # Saturdays only
    first = saturday()
    with pytest.raises(DomainError, match="is not open on"):
        services.book_series(users.secretary_a, venue=venue, organization=tree.branch_a,
                             starts_at=at(first + datetime.timedelta(days=1), 14),
                             ends_at=at(first + datetime.timedelta(days=1), 16), frequency="weekly",
                             until=first + datetime.timedelta(days=60), purpose="周日读书会",
                             expected_attendance=10)  # fmt: skip
    assert Booking.objects.count() == 0


def test_a_series_too_long_is_refused(tree, users):
    venue = make_venue(tree.committee1)
    first = saturday()
    with pytest.raises(DomainError, match="at most 120 occurrences"):
        services.book_series(users.secretary_a, venue=venue, organization=tree.branch_a, starts_at=at(first, 9),
                             ends_at=at(first, 10), frequency="weekly", until=first + datetime.timedelta(days=7 * 130),
                             purpose="晨读", expected_attendance=5)  # fmt: skip
    assert Booking.objects.count() == 0


def test_the_outsider_cannot_add_back_or_cancel(tree, users):
    from django.core.exceptions import PermissionDenied

    venue = make_venue(tree.committee1)
    first = saturday()
    series = _salon(users.secretary_a, venue, tree.branch_a, first, skip=[first])
    skipped = series.bookings.get(status=BookingStatus.SKIPPED)
    confirmed = series.bookings.filter(status=BookingStatus.CONFIRMED).first()
    with pytest.raises(PermissionDenied):
        services.add_back(users.outsider, skipped)
    with pytest.raises(PermissionDenied):
        services.cancel_booking(users.secretary_b, confirmed)
    # the venue's host may cancel a booking of its venue
    services.cancel_booking(users.committee_admin, confirmed)
