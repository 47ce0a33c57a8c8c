"""The free-venue search ("which venue is free on Saturday afternoon for 30 people?") and the usage per venue
per month; the public directory shows open venues without a login and nothing personal."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.venues import queries, services
from tongxin.venues.models import Venue
from tongxin.venues.tests.venue_helpers import at, book, make_venue, saturday

pytestmark = pytest.mark.usefixtures("english")


def test_free_venues_by_time_capacity_and_area(tree, users):
    big = make_venue(tree.committee1, name="大青年之家", capacity=60)
    small = make_venue(tree.committee1, name="小书吧", capacity=20)
    busy = make_venue(tree.committee1, name="忙青年之家", capacity=50)
    elsewhere = make_venue(tree.committee1, name="外区青年之家", capacity=80, division="530102")
    closed = make_venue(tree.committee1, name="闭馆之家", capacity=80)
    weekdays = make_venue(tree.committee1, name="工作日之家", capacity=80, days="12345")
    day = saturday()
    book(users.secretary_a, busy, tree.branch_a, day, 13, 15)
    services.add_closure(users.committee_admin, closed, starts_on=day, ends_on=day, reason="维修")

    def found(**kw):
        qs = queries.free_venues(Venue.objects.visible_to(users.secretary_a), starts_at=at(day, 14),
                                 ends_at=at(day, 17), **kw)  # fmt: skip
        return {v.name for v in qs}

    assert found(capacity=30) == {big.name, elsewhere.name}
    assert found(capacity=30, division_code="530112") == {big.name}
    assert found(capacity=10, division_code="5301") == {big.name, small.name, elsewhere.name}
    assert weekdays.name not in found(capacity=1)


def test_the_search_page_and_the_outsider(tree, users, client_for):
    make_venue(tree.committee1, name="大青年之家", capacity=60)
    day = saturday()
    query = {"day": day.isoformat(), "start": "14:00", "end": "17:00", "capacity": 30}
    page = client_for(users.secretary_a).get(reverse("venues:search"), query)
    assert "大青年之家" in page.content.decode()
    page = client_for(users.outsider).get(reverse("venues:search"), query)
    assert page.status_code == 200 and "大青年之家" not in page.content.decode()


def test_usage_per_venue_and_month(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday()
    book(users.secretary_a, venue, tree.branch_a, day, 9, 11, people=20)
    book(users.secretary_b, venue, tree.branch_b, day, 14, 17, people=30)
    rows = queries.usage(Venue.objects.all(), year=day.year)
    (row,) = [r for r in rows if r.month == day.replace(day=1)]
    assert (row.bookings, row.hours, row.attendance) == (2, 5.0, 50)


def test_the_public_directory_needs_no_login_and_shows_no_one(tree, users):
    open_venue = make_venue(tree.committee1, name="开放青年之家")
    closed = make_venue(tree.committee1, name="已关闭之家")
    services.close_venue(None, closed)
    book(users.secretary_a, open_venue, tree.branch_a, saturday(), purpose="秘密会议")
    page = Client().get(reverse("venues:directory"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "开放青年之家" in text and "09:00–21:00" in text and "西山区前卫街道1号" in text
    assert "已关闭之家" not in text
    for private in ("秘密会议", tree.branch_a.name, tree.committee1.name, tree.people.a1.name):
        assert private not in text


def test_the_booking_page_books_and_refuses_with_the_date(tree, users, client_for):
    venue = make_venue(tree.committee1)
    day = saturday()
    client = client_for(users.secretary_a)
    url = reverse("venues:book", args=[venue.pk])
    data = {"organization": tree.branch_a.pk, "day": day.isoformat(), "start": "14:00", "end": "16:00",
            "purpose": "团日活动", "expected_attendance": 20, "repeat": "once"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    response = client.post(url, {**data, "start": "15:00", "end": "17:00"})
    assert response.status_code == 200
    assert f"already booked on {day.isoformat()} from 14:00 to 16:00" in response.content.decode()
    data_series = {**data, "day": (day + datetime.timedelta(days=7)).isoformat(), "repeat": "weekly",
                   "until": (day + datetime.timedelta(days=28)).isoformat(), "skip_problems": "on"}  # fmt: skip
    response = client.post(url, data_series, follow=True)
    assert response.status_code == 200 and "occurrence-confirmed" in response.content.decode()


def test_the_venue_page_links_only_the_bookings_the_user_may_open(tree, users, client_for):
    """A branch secretary sees the committee's venue and when it is taken, but another branch's booking is no
    link (its page answers 404 to her: the crawl over the demo found such a dead link)."""
    venue = make_venue(tree.committee1)
    day = saturday()
    theirs = book(None, venue, tree.branch_a, day, 10, 12)
    ours = book(None, venue, tree.branch_b, day, 14, 16)
    page = client_for(users.secretary_b).get(reverse("venues:detail", args=[venue.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("venues:booking", args=[ours.pk]) in html
    assert reverse("venues:booking", args=[theirs.pk]) not in html
    assert at(day, 10).astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M") in html
    assert client_for(users.secretary_b).get(reverse("venues:booking", args=[theirs.pk])).status_code == 404
