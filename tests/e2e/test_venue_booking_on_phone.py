"""Flow (issue 16): on a phone (375 px wide), secretary A finds her committee's youth home, books it for a theme
day; asks for a time another branch already holds and is refused with that booking's date named; then books a
monthly youth salon over a month with a closure: refused with the closed date named, then booked with that date
skipped, which the series' page shows with its reason."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.venues import services
from tongxin.venues.models import Booking, BookingStatus

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def _saturday(weeks: int) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(5 - today.weekday()) % 7 + 7 * weeks)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _fill(page, org, day: datetime.date, start: str, end: str, purpose: str, people: int, repeat="once") -> None:
    page.locator("#id_organization").select_option(str(org.pk))
    page.locator("#id_day").fill(day.isoformat())
    page.locator("#id_start").select_option(start)
    page.locator("#id_end").select_option(end)
    page.locator("#id_purpose").fill(purpose)
    page.locator("#id_expected_attendance").fill(str(people))
    page.locator("#id_repeat").select_option(repeat)


def test_book_a_venue_see_a_conflict_refused_and_a_monthly_series_skip_a_closure(context_for, tree, users):
    venue = services.create_venue(None, host=tree.committee1, name="书香青年之家", kind="youth_home",
                                  partner="新华书店", address="前卫街道书林街12号", division_code="530112",
                                  opens_at=datetime.time(9), closes_at=datetime.time(21), open_days="1234567",
                                  capacity=40)  # fmt: skip
    taken = _saturday(3)
    services.book(None, venue=venue, organization=tree.branch_b, starts_at=_at(taken, 14), ends_at=_at(taken, 16),
                  purpose="乙支部团课", expected_attendance=20)  # fmt: skip
    first = _saturday(5)
    closed = first + relativedelta(months=2)
    services.add_closure(None, venue, starts_on=closed, ends_on=closed, reason="春节闭馆")

    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "secretary_a")
    page.goto(url("venues:list"))
    page.get_by_role("link", name="书香青年之家").click()
    expect(page.locator("h1")).to_have_text("书香青年之家")
    page.get_by_test_id("book").click()

    # a booking within the rules
    day = _saturday(2)
    _fill(page, tree.branch_a, day, "14:00", "16:00", "主题团日", 30)
    assert page_width(page) <= PHONE["width"]
    shoot(page, "venue-book")
    page.set_viewport_size(PHONE)  # shoot() leaves the desktop width
    page.get_by_role("button", name=zh("Book"), exact=True).click()
    expect(page.get_by_test_id("booking-status")).to_have_text(zh("Confirmed"))
    assert Booking.objects.filter(organization=tree.branch_a, status=BookingStatus.CONFIRMED).count() == 1

    # a time branch B holds: refused, the other booking's date named, nothing written
    page.goto(url("venues:book", venue.pk))
    _fill(page, tree.branch_a, taken, "15:00", "17:00", "团支部委员会", 10)
    page.get_by_role("button", name=zh("Book"), exact=True).click()
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_contain_text(taken.isoformat())
    assert Booking.objects.filter(organization=tree.branch_a).count() == 1

    # a monthly salon for four months, one of them on the closure: refused naming the closed date ...
    page.goto(url("venues:book", venue.pk))
    _fill(page, tree.branch_a, first, "19:00", "21:00", "青年沙龙", 30, repeat="monthly")
    page.locator("#id_until").fill((first + relativedelta(months=3)).isoformat())
    page.get_by_role("button", name=zh("Book"), exact=True).click()
    expect(page.locator(".alert-danger").first).to_contain_text(closed.isoformat())
    assert Booking.objects.filter(organization=tree.branch_a).count() == 1
    # ... then booked with that date skipped
    page.locator("#id_skip_problems").check()
    page.get_by_role("button", name=zh("Book"), exact=True).click()
    expect(page.get_by_test_id("occurrence-confirmed")).to_have_count(3)
    skipped = page.get_by_test_id("occurrence-skipped")
    expect(skipped).to_have_count(1)
    expect(skipped).to_contain_text(closed.isoformat())
    expect(skipped).to_contain_text("春节闭馆")
    assert page_width(page) <= PHONE["width"]
    shoot(page, "venue-series")
