"""Bookings and honours on the dashboards (venues.tallies): a booking counts in the month of the day booked, at the
booking organisation and above; a cancellation takes it back; a series counts its booked dates, not the skipped
ones, until one is added back. An honour counts in the month it is recorded, until revoked. The figures equal a
rebuild's; another committee's dashboard is out of reach (404)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from tongxin.orgs import tallies
from tongxin.venues import services
from tongxin.venues.models import BookingStatus
from tongxin.venues.tests.venue_helpers import at, book, make_venue, saturday


def trend(client, org, facet: str) -> dict[str, int]:
    data = client.get(reverse("dashboard-detail", args=[org.pk])).json()
    (row,) = [t for t in data["trends"] if t["facet"] == facet]
    return {month: value for month, value in zip(row["months"], row["values"], strict=True) if value}


def test_a_booking_counts_in_its_month_until_cancelled(client, tree, users):
    venue = make_venue(tree.branch_a)
    day = saturday(1)
    booking = book(users.secretary_a, venue, tree.branch_a, day)
    assert tallies.figures(tree.committee1.pk)["bookings"] == {f"{day:%Y%m}": 1}
    assert tallies.figures(tree.branch_b.pk)["bookings"] == {}
    # The trend shows the twelve months ending with this one: a day booked next month shows once it comes.
    shown = (
        {f"{day:%Y-%m}": 1} if (day.year, day.month) <= (timezone.localdate().year, timezone.localdate().month) else {}
    )
    client.force_login(users.committee_admin)
    assert trend(client, tree.committee1, "bookings") == shown
    assert trend(client, tree.branch_b, "bookings") == {}
    services.cancel_booking(users.secretary_a, booking)
    assert trend(client, tree.committee1, "bookings") == {}
    assert tallies.figures(tree.root.pk)["bookings"] == {}
    client.force_login(users.outsider)
    assert client.get(reverse("dashboard-detail", args=[tree.branch_a.pk])).status_code == 404
    assert tallies.kept() == tallies.expected()


def test_a_series_counts_its_booked_dates_and_one_added_back(tree, users):
    venue = make_venue(tree.branch_a)
    first = saturday(1)
    skipped = first + datetime.timedelta(days=7)
    series = services.book_series(users.secretary_a, venue=venue, organization=tree.branch_a,
                                  starts_at=at(first, 10), ends_at=at(first, 12), frequency="weekly",
                                  until=first + datetime.timedelta(days=21), purpose="读书会", expected_attendance=10,
                                  skip=[skipped])  # fmt: skip
    assert sum(tallies.figures(tree.root.pk)["bookings"].values()) == 3  # four Saturdays, one left out
    left_out = series.bookings.get(status=BookingStatus.SKIPPED)
    services.add_back(users.secretary_a, left_out)
    assert sum(tallies.figures(tree.root.pk)["bookings"].values()) == 4
    assert tallies.figures(tree.branch_a.pk)["bookings"][f"{skipped:%Y%m}"] >= 1
    assert tallies.kept() == tallies.expected()


def test_an_honour_counts_this_month_until_revoked(client, tree, users):
    this_month = f"{timezone.localdate():%Y-%m}"
    honour = services.award_honour(users.secretary_a, kind="outstanding_member", level="district",
                                   year=timezone.localdate().year, awarding_body="共青团测试区委",
                                   person=tree.people.a1)  # fmt: skip
    services.award_honour(users.committee_admin, kind="youth_civilisation", level="municipal", year=2024,
                          awarding_body="市委", organization=tree.branch_b)  # fmt: skip
    client.force_login(users.committee_admin)
    assert trend(client, tree.committee1, "honours") == {this_month: 2}
    assert trend(client, tree.branch_a, "honours") == {this_month: 1}
    services.review_honour(users.committee_admin, honour)  # under review: still held
    assert trend(client, tree.committee1, "honours") == {this_month: 2}
    services.revoke_honour(users.committee_admin, honour, reason="复核不合格")
    assert trend(client, tree.committee1, "honours") == {this_month: 1}
    assert tallies.kept() == tallies.expected()
