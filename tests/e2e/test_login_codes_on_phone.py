"""One-time login codes on a phone (375 px): names read on one line (they wrapped one character per line),
a person is picked by tapping the name or a 24-px box, and the page is no wider than the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_login_codes_rows_are_usable_on_a_phone(page, tree, users):
    page.set_viewport_size(PHONE)
    login(page, "secretary_a")
    page.goto(url("accounts:bulk_reset"))
    boxes = page.locator("[data-select-row]")
    expect(boxes).to_have_count(2)
    name = page.locator(f"label[for='pick-{tree.people.a1.pk}']")
    expect(name).to_have_text(tree.people.a1.name)
    name_box = name.bounding_box()
    assert name_box is not None and name_box["height"] >= 24 and name_box["height"] < 60  # one line
    box = boxes.first.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24
    name.click()  # the name picks the person
    expect(page.locator(f"#pick-{tree.people.a1.pk}")).to_be_checked()
    assert page_width(page) <= PHONE["width"]
    shoot(page, "login-codes")
