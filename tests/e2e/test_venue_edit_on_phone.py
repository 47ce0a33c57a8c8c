"""Flow (issue 16, venues): on a phone (375 px wide), the committee admin edits her committee's youth home: a
closing time before the opening time is refused on that field, then the capacity is changed and the venue
suspended; she adds a closure from the edit page and takes it back, reopens the venue, and adds a photo, which the
public directory then shows to anyone."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.venues import services
from tongxin.venues.models import Venue, VenueClosure, VenuePhoto

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _fits(page) -> None:
    assert page_width(page) <= PHONE["width"]


def test_edit_a_venue_its_closures_and_photos(context_for, tree, users):
    venue = services.create_venue(None, host=tree.committee1, name="书香青年之家", kind="youth_home",
                                  address="前卫街道书林街12号", division_code="530112", opens_at=datetime.time(9),
                                  closes_at=datetime.time(21), open_days="1234567", capacity=40)  # fmt: skip
    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "committee_admin")
    page.goto(url("venues:detail", venue.pk))
    page.get_by_test_id("edit-venue").click()
    _fits(page)

    page.locator("#id_closes_at").select_option("08:00")
    page.get_by_role("button", name=zh("Save the venue")).click()
    expect(page.locator(".invalid-feedback").first).to_contain_text(zh("The venue must close after it opens."))
    page.locator("#id_closes_at").select_option("21:00")
    page.locator("#id_capacity").fill("60")
    page.locator("#id_status").select_option("suspended")
    shoot(page, "venue-edit")
    page.set_viewport_size(PHONE)  # shoot() leaves the desktop width
    page.get_by_role("button", name=zh("Save the venue")).click()
    expect(page.get_by_test_id("venue-status")).to_have_text(zh("Suspended"))
    venue.refresh_from_db()
    assert (venue.capacity, venue.status) == (60, "suspended")

    # a closure added from the edit page, then taken back
    page.get_by_test_id("edit-venue").click()
    day = timezone.localdate() + datetime.timedelta(days=30)
    page.locator("#id_starts_on").fill(day.isoformat())
    page.locator("#id_ends_on").fill(day.isoformat())
    page.locator("#id_reason").fill("书架更换")
    page.get_by_role("button", name=zh("Add the closure")).click()
    expect(page.get_by_test_id("closures")).to_contain_text("书架更换")
    _fits(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=zh("Take back")).click()
    expect(page.get_by_test_id("closures")).not_to_contain_text("书架更换")
    assert not VenueClosure.objects.exists()

    # reopened, with a photo
    page.locator("#id_status").select_option("open")
    page.get_by_role("button", name=zh("Save the venue")).click()
    expect(page.get_by_test_id("venue-status")).to_have_text(zh("Open"))
    page.locator("#id_photo").set_input_files({"name": "大厅.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_role("button", name=zh("Add the photo")).click()
    expect(page.get_by_test_id("venue-photos").locator("img")).to_have_count(1)
    _fits(page)
    shoot(page, "venue-photos")
    page.set_viewport_size(PHONE)  # shoot() leaves the desktop width
    photo = VenuePhoto.objects.get()
    assert Venue.objects.get().status == "open"

    public = context_for("zh-CN").new_page()
    public.set_viewport_size(PHONE)
    public.goto(url("venues:directory"))
    image = public.get_by_test_id("directory-photo")
    expect(image).to_have_count(1)
    assert image.get_attribute("src") == url("venues:directory_photo", photo.pk)
    response = public.request.get(url("venues:directory_photo", photo.pk))  # no login: the photo of an open venue
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    _fits(public)
