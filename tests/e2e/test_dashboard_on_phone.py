"""Flow (issue 18, dashboards): on a phone (375 px wide), the district admin opens the dashboard: the district's
member count and distributions come first, the child organisations below; she opens committee 2 from the list
(drill-down) and sees its figures, with the way back up in the breadcrumb. The wall display fills a
1920×1080 screen without scrolling and fetches its figures again from the server on its timer."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_open_the_district_dashboard_and_drill_down_to_a_committee(context_for, tree, users):
    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "district")
    page.goto(url("dashboard:org"))
    expect(page.locator("h1")).to_have_text(tree.root.name)
    expect(page.locator("[data-figure=members]")).to_have_text("5")
    assert page_width(page) <= PHONE["width"]
    # the figures come before the list of children on a phone
    figures_top = page.get_by_role("heading", name=zh("Members by status")).bounding_box()["y"]
    children_top = page.locator("#children-heading").bounding_box()["y"]
    assert figures_top < children_top
    shoot(page, "dashboard-district")
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name=tree.committee2.name).click()
    expect(page.locator("h1")).to_have_text(tree.committee2.name)
    expect(page.locator("[data-figure=members]")).to_have_text("2")
    assert page_width(page) <= PHONE["width"]
    page.get_by_label(zh("Where you are")).get_by_role("link", name=tree.root.display_name).click()
    expect(page.locator("h1")).to_have_text(tree.root.name)


@override_settings(TONGXIN_WALL_REFRESH_SECONDS=10)
def test_the_wall_display_fills_the_screen_and_refreshes(context_for, tree, users):
    page = context_for("zh-CN").new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(page, "district")
    page.goto(url("dashboard:wall") + f"?org={tree.root.pk}")
    expect(page.locator("[data-wall-figure=members]")).to_have_text("5")
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080]
    # a member joins; the wall shows it at its next refresh without a reload
    from tongxin.core.testing import person_data
    from tongxin.people.services import create_person

    create_person(None, person_data(tree.branch_a, name="新来的"))
    expect(page.locator("[data-wall-figure=members]")).to_have_text("6", timeout=20_000)
    assert page.locator("[data-wall]").get_attribute("data-refreshed")
    expect(page.locator("[data-wall-stale]")).to_be_hidden()
    # the sign-in ends (the session's absolute limit): the screen says so, and where to sign in again
    page.context.clear_cookies()
    expect(page.locator("[data-wall-stale]")).to_be_visible(timeout=20_000)
    expect(page.locator("[data-wall-stale] a")).to_have_attribute("href", re.compile(r"/accounts/login/\?next="))


@override_settings(TONGXIN_WALL_REFRESH_SECONDS=10)
def test_a_display_link_shows_the_wall_without_a_session(context_for, tree, users):
    """The district admin makes a display link from the wall page; the screen opens it with no cookie at all
    (1920×1080), shows the district's figures and their next refresh; revoked, it says so."""
    context = context_for("zh-CN")
    page = context.new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(page, "district")
    page.goto(url("dashboard:wall") + f"?org={tree.root.pk}")
    page.get_by_test_id("display-links").click()
    page.get_by_label(zh("Screen")).fill("会议室大屏")
    page.get_by_role("button", name=zh("Make the link")).click()
    link = page.locator("[data-display-link]").input_value()
    assert "#" in link and "?" not in link
    # the screen: no session, no cookie
    context.clear_cookies()
    screen = context.new_page()
    screen.set_viewport_size({"width": 1920, "height": 1080})
    screen.goto(link)
    expect(screen.locator("[data-wall-name]")).to_have_text(tree.root.name)
    expect(screen.locator("[data-wall-figure=members]")).to_have_text("5")
    assert not [c for c in context.cookies() if c["name"] == "sessionid"]
    size = screen.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080]
    expect(screen.locator("[data-wall-panel=distribution]").first).to_be_visible()
    shoot(screen, "wall-display-link")
    from tongxin.core.testing import person_data
    from tongxin.dashboard.display.services import revoke_display
    from tongxin.dashboard.models import WallDisplay
    from tongxin.people.services import create_person

    create_person(None, person_data(tree.branch_a, name="新来的"))
    expect(screen.locator("[data-wall-figure=members]")).to_have_text("6", timeout=20_000)
    expect(screen.locator("[data-wall-stale]")).to_be_hidden()
    # revoked: the screen tells what happened and whom to ask
    revoke_display(users.district, WallDisplay.objects.get())
    expect(screen.locator("[data-wall-ended=revoked]")).to_be_visible(timeout=20_000)
    expect(screen.locator("[data-wall-ended=revoked]")).to_have_text(
        zh("This display link was revoked; ask the committee for a new one.")
    )
