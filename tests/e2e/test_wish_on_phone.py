"""Flow on a phone (375 px wide): a resident, not logged in, makes a micro-wish on the public page (the captcha
answered); secretary A screens and publishes it with its wording; the member claims it and records what she did;
the secretary confirms and closes it; the public list of fulfilled wishes shows it without the resident's contact."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.activities.models import Wish
from tongxin.orgs.models import OrgCategory

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_a_wish_from_the_public_form_to_the_fulfilled_list(context_for, tree, users):
    tree.branch_a.category = OrgCategory.COMMUNITY
    tree.branch_a.save(update_fields=["category"])
    resident = context_for("zh-CN").new_page()
    resident.set_viewport_size(PHONE)
    resident.goto(url("activities:wish_submit"))
    resident.get_by_label(zh("Community")).select_option(str(tree.branch_a.pk))
    resident.get_by_label(zh("What is needed")).fill("家中轮椅坏了，希望有人帮忙修理")
    resident.get_by_label(zh("Your name")).fill("王阿姨")
    resident.get_by_label(zh("Your phone")).fill("13912345678")
    resident.locator("input[name='captcha_1']").fill("PASSED")  # the test settings' captcha answer
    assert page_width(resident) <= PHONE["width"]
    shoot(resident, "wish-form")
    resident.get_by_role("button", name=zh("Send the wish")).click()
    expect(resident.locator(".alert-success")).to_contain_text(zh("Thank you: your wish is sent to the community."))
    wish = Wish.objects.get()

    secretary = context_for("zh-CN").new_page()
    login(secretary, "secretary_a")
    secretary.goto(url("activities:wish_detail", wish.pk))
    secretary.get_by_label(zh("Published wording")).fill("独居老人的轮椅需要修理")
    secretary.get_by_test_id("publish").click()
    expect(secretary.get_by_test_id("wish-status")).to_have_text(zh("Published, open to claim"))

    member = context_for("zh-CN").new_page()
    member.set_viewport_size(PHONE)
    login(member, "member")
    member.goto(url("activities:wishes"))
    member.get_by_role("link", name="独居老人的轮椅需要修理").click()
    expect(member.locator("body")).not_to_contain_text("13912345678")
    member.get_by_test_id("claim").click()
    member.get_by_label(zh("What was done")).fill("已上门修好轮椅")
    member.get_by_test_id("fulfil").click()
    expect(member.get_by_test_id("wish-status")).to_have_text(zh("Fulfilled, to confirm"))
    assert page_width(member) <= PHONE["width"]

    secretary.once("dialog", lambda dialog: dialog.accept())
    secretary.reload()
    secretary.get_by_test_id("close-wish").click()
    expect(secretary.get_by_test_id("wish-status")).to_have_text(zh("Closed"))

    resident.goto(url("activities:fulfilled"))
    expect(resident.get_by_test_id("fulfilled")).to_contain_text("独居老人的轮椅需要修理")
    expect(resident.locator("body")).not_to_contain_text("王阿姨")
