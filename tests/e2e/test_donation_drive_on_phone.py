"""Flow (issue 15, donation drives): on a phone (375 px wide), secretary A opens the donation drives under
Activities, creates a drive of her branch with a partner charity, records a donation from its receipt (a bad
amount first: refused, said so, nothing written), and sees the total against the goal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.donations.models import Donation, DonationDrive

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def _no_overflow(page) -> None:
    assert page_width(page) <= PHONE["width"]


def _shoot(page, name: str) -> None:
    shoot(page, name)  # with TONGXIN_SCREENSHOTS=1; it leaves the page at desktop width
    page.set_viewport_size(PHONE)


def test_create_a_drive_and_record_a_donation_on_a_phone(context_for, tree, users):
    today = timezone.localdate().isoformat()
    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "secretary_a")
    page.goto(url("donations:list"))
    _no_overflow(page)
    page.get_by_test_id("new-drive").click()
    page.get_by_label(zh("Organising organisation")).select_option(str(tree.branch_a.pk))
    page.get_by_label(zh("Title")).fill("关爱农民工子女助学募捐")
    page.get_by_label(zh("Partner charity")).fill("云南省青少年发展基金会")
    page.get_by_label(zh("Goal (yuan)")).fill("2000")
    page.get_by_label(zh("Starts on")).fill(today)
    page.get_by_label(zh("Ends on")).fill(today)
    page.get_by_label(zh("Beneficiaries")).fill("随迁子女学校的学生")
    _no_overflow(page)
    page.get_by_role("button", name=zh("Save the drive")).click()
    expect(page.locator("h1")).to_have_text("关爱农民工子女助学募捐")

    page.get_by_test_id("record-donation").click()
    page.get_by_label(zh("Donor's name")).fill("李明")
    page.get_by_label(zh("Amount (yuan)")).fill("-50")
    page.get_by_label(zh("Receipt number")).fill("YNQJ-0001")
    page.get_by_role("button", name=zh("Record the donation")).click()
    expect(page.locator("form.card")).to_contain_text(zh("An amount is more than zero."))
    assert not Donation.objects.exists()
    page.get_by_label(zh("Amount (yuan)")).fill("500.50")
    _no_overflow(page)
    _shoot(page, "donation-form")
    page.get_by_role("button", name=zh("Record the donation")).click()
    expect(page.get_by_test_id("received")).to_have_text("500.50")
    expect(page.get_by_test_id("totals")).to_contain_text("25.0%")
    expect(page.get_by_test_id("donations")).to_contain_text("李明")
    _no_overflow(page)
    _shoot(page, "donation-drive")
    drive = DonationDrive.objects.get()
    assert Donation.objects.get(drive=drive).amount == Decimal("500.50")
