"""A booking names the activity held there (optional): the venues and activities apps sit side by side in the
layers, so the booking keeps the activity's id and reads it through core's "activity" link kind. Only an activity
the booker may change is accepted (refused on the ``activity`` field, nothing written); the booking page shows
the linked activity; the monthly usage counts the activities held (each once)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tongxin.activities.models import Activity
from tongxin.activities.services import create_activity
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.registry import link_choices, linked
from tongxin.venues import queries, services
from tongxin.venues.models import Booking, Venue
from tongxin.venues.tests.venue_helpers import at, book, make_venue, saturday

pytestmark = pytest.mark.usefixtures("english")


def _activity(org, day, title="青年读书会", hour=14) -> Activity:
    return create_activity(
        None,
        organization=org,
        kind="volunteer",
        title=title,
        starts_at=at(day, hour),
        ends_at=at(day, hour + 2),
        capacity=30,
    )


def _counts():
    return (Booking.objects.count(), ChangeLog.objects.count())


def test_a_booking_names_its_activity(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    activity = _activity(tree.branch_a, day)
    booking = services.book(
        users.secretary_a,
        venue=venue,
        organization=tree.branch_a,
        starts_at=at(day, 14),
        ends_at=at(day, 16),
        purpose="读书会",
        expected_attendance=20,
        activity=activity.pk,
    )
    assert booking.activity_id == activity.pk
    entry = ChangeLog.objects.get(content_type__model="booking", object_id=str(booking.pk), org_path=tree.branch_a.path)
    assert (entry.after or {})["activity_id"] == activity.pk
    (found,) = linked("activity", users.secretary_a, [activity.pk]).values()
    assert found.title.startswith("青年读书会") and found.url == reverse("activities:detail", args=[activity.pk])
    assert activity.pk in {a.pk for a in link_choices("activity", users.secretary_a)}
    assert activity.pk not in {a.pk for a in link_choices("activity", users.secretary_b)}


def test_an_activity_outside_the_bookers_scope_is_refused(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    other = _activity(tree.branch_b, day)
    before = _counts()
    for activity in (other.pk, 999_999):
        with pytest.raises(DomainError) as info:
            services.book(
                users.secretary_a,
                venue=venue,
                organization=tree.branch_a,
                starts_at=at(day, 14),
                ends_at=at(day, 16),
                purpose="读书会",
                expected_attendance=20,
                activity=activity,
            )
        assert "No such activity in your scope." in info.value.errors["activity"]
    assert _counts() == before


def test_link_later_and_unlink_audited_on_both_sides(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    booking = book(users.secretary_a, venue, tree.branch_a, day)
    activity = _activity(tree.branch_a, day)
    services.link_activity(users.secretary_a, booking, activity.pk)
    booking.refresh_from_db()
    assert booking.activity_id == activity.pk
    paths = set(
        ChangeLog.objects.filter(content_type__model="booking", object_id=str(booking.pk), action="update").values_list(
            "org_path", flat=True
        )
    )
    assert paths == {tree.branch_a.path, tree.committee1.path}
    # the other branch, which neither booked nor hosts it, may not
    with pytest.raises(PermissionDenied):
        services.link_activity(users.secretary_b, booking, None)
    services.link_activity(users.secretary_a, booking, None)
    booking.refresh_from_db()
    assert booking.activity_id is None


def test_usage_counts_activities_held_once_per_month(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    first, second = _activity(tree.branch_a, day, "甲活动", 9), _activity(tree.branch_a, day, "乙活动", 14)
    for start, activity in ((9, first.pk), (11, first.pk), (14, second.pk), (17, None)):
        services.book(
            users.secretary_a,
            venue=venue,
            organization=tree.branch_a,
            starts_at=at(day, start),
            ends_at=at(day, start + 2),
            purpose="活动",
            expected_attendance=10,
            activity=activity,
        )
    rows = queries.usage(Venue.objects.all(), year=day.year)
    (row,) = [r for r in rows if r.month == day.replace(day=1)]
    assert (row.bookings, row.activities, row.hours) == (4, 2, 8.0)


def test_the_pages_show_and_link_the_activity(tree, users, client_for):
    venue = make_venue(tree.committee1)
    day = saturday()
    activity = _activity(tree.branch_a, day)
    client = client_for(users.secretary_a)
    form = {
        "organization": tree.branch_a.pk,
        "day": day.isoformat(),
        "start": "14:00",
        "end": "16:00",
        "purpose": "读书会",
        "expected_attendance": 20,
        "repeat": "once",
        "activity": activity.pk,
    }
    assert "青年读书会" in client.get(reverse("venues:book", args=[venue.pk])).content.decode()
    response = client.post(reverse("venues:book", args=[venue.pk]), form)
    booking = Booking.objects.get(venue=venue)
    assert response.status_code == 302 and booking.activity_id == activity.pk
    page = client.get(reverse("venues:booking", args=[booking.pk])).content.decode()
    assert f'href="{reverse("activities:detail", args=[activity.pk])}"' in page
    # a repeating booking names no activity: refused on the field
    page = client.post(
        reverse("venues:book", args=[venue.pk]),
        {**form, "repeat": "weekly", "until": (day + datetime.timedelta(days=14)).isoformat()},
    )
    assert page.status_code == 200 and "link each date to its activity" in page.content.decode()
    # take the link away, then link again from the booking's page
    client.post(reverse("venues:booking_activity", args=[booking.pk]), {"activity": ""})
    booking.refresh_from_db()
    assert booking.activity_id is None
    client.post(reverse("venues:booking_activity", args=[booking.pk]), {"activity": activity.pk})
    booking.refresh_from_db()
    assert booking.activity_id == activity.pk
    usage = client.get(reverse("venues:usage"), {"year": day.year}).content.decode()
    assert "Activities held" in usage
    # the other branch cannot see the booking
    assert (
        client_for(users.secretary_b)
        .post(reverse("venues:booking_activity", args=[booking.pk]), {"activity": ""})
        .status_code
        == 404
    )


def test_the_api(tree, users, api_for):
    venue = make_venue(tree.committee1)
    day = saturday()
    activity = _activity(tree.branch_a, day)
    other = _activity(tree.branch_b, day)
    api = api_for(users.secretary_a)
    data = {
        "venue": venue.pk,
        "organization": tree.branch_a.pk,
        "starts_at": at(day, 14).isoformat(),
        "ends_at": at(day, 16).isoformat(),
        "purpose": "读书会",
        "expected_attendance": 20,
    }
    response = api.post("/api/bookings/", {**data, "activity": other.pk}, format="json")
    assert response.status_code == 400 and "activity" in response.json()
    response = api.post("/api/bookings/", {**data, "activity": activity.pk}, format="json")
    assert response.status_code == 201 and response.json()["activity"] == activity.pk
    pk = response.json()["id"]
    response = api.post(f"/api/bookings/{pk}/link-activity/", {"activity": None}, format="json")
    assert response.status_code == 200 and response.json()["activity"] is None
    response = api.post(f"/api/bookings/{pk}/link-activity/", {"activity": other.pk}, format="json")
    assert response.status_code == 400
    assert (
        api_for(users.secretary_b)
        .post(f"/api/bookings/{pk}/link-activity/", {"activity": None}, format="json")
        .status_code
        == 404
    )
