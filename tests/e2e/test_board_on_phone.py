"""一表通 on a phone (375 px): the month table scrolls sideways inside its box while the meeting kinds stay in
view, the box takes keyboard focus, and a cell leads to planning the missing meeting."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url
from tongxin.orglife.models import DEFAULT_REQUIREMENTS, MeetingRequirement

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_board_scrolls_with_the_first_column_in_view(context_for, tree, users):
    for org_kind, kind, frequency in DEFAULT_REQUIREMENTS:  # emptied after each browser test: restore
        MeetingRequirement.objects.get_or_create(
            org_kind=org_kind, meeting_kind=kind, defaults={"frequency": frequency}
        )
    year = timezone.localdate().year - 1
    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "secretary_a")
    page.goto(f"{url('orglife:board')}?org={tree.branch_a.pk}&year={year}")
    region = page.locator(".tx-board-scroll")
    first = page.locator("tr[data-kind='league_committee'] th.tx-sticky-col")
    assert page_width(page) <= PHONE["width"]  # only the box scrolls
    box = region.bounding_box()
    assert box is not None and box["width"] < PHONE["width"]
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # it does scroll
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("End")
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    page.wait_for_timeout(100)
    scrolled, hidden = region.evaluate("el => [el.scrollLeft, el.scrollWidth - el.clientWidth]")
    assert scrolled > 0 and abs(scrolled - hidden) <= 1  # scrolled to the end of the months
    kind_box = first.bounding_box()
    assert kind_box is not None and kind_box["x"] >= box["x"] - 1 and kind_box["x"] < box["x"] + 10
    shoot(page, "board-branch-scrolled")
    page.set_viewport_size(PHONE)
    overdue = page.locator("tr[data-kind='league_committee'] td[data-status='overdue'] a").first
    link_box = overdue.bounding_box()
    assert link_box is not None and link_box["height"] >= 24 and link_box["width"] >= 24
    overdue.click()
    expect(page.locator("select[name='kind']")).to_have_value("league_committee")
