"""Flow: secretary A plans a theme league day for branch A, then, on a phone (375 px wide) during the meeting,
taps each member present or absent (with the reason), sees the meeting recorded as held, and the compliance
board's cell of this month's theme league day turns from due to done."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.orglife.models import DEFAULT_REQUIREMENTS, Meeting, MeetingRequirement

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_secretary_records_attendance_on_a_phone(context_for, tree, users):
    # A browser test's database is emptied after each such test, seeded rows included: restore the
    # required frequencies the migration seeds, which the board reads.
    for org_kind, kind, frequency in DEFAULT_REQUIREMENTS:
        MeetingRequirement.objects.get_or_create(
            org_kind=org_kind, meeting_kind=kind, defaults={"frequency": frequency}
        )
    a1, a2 = tree.people.a1, tree.people.a2
    page = context_for("zh-CN").new_page()
    login(page, "secretary_a")
    page.goto(url("orgs:detail", tree.branch_a.pk))
    page.get_by_test_id("meetings-link").click()
    page.get_by_test_id("plan-meeting").click()
    page.get_by_label(zh("Meeting kind")).select_option("league_day")
    when = timezone.localtime(timezone.now() - datetime.timedelta(minutes=30))
    page.get_by_label(zh("Date and time")).fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(zh("Topic")).fill("学习新思想主题团日")
    page.get_by_label(zh("Place")).fill("团员活动室")
    page.get_by_role("button", name=zh("Plan the meeting")).click()
    expect(page.locator("h1")).to_have_text("学习新思想主题团日")
    meeting = Meeting.objects.get(topic="学习新思想主题团日")
    assert meeting.organization == tree.branch_a and meeting.kind == "league_day"

    board_url = f"{url('orglife:board')}?org={tree.branch_a.pk}&year={when.year}"
    this_month = f"tr[data-kind='league_day'] td[data-status] >> nth={when.month - 1}"
    page.goto(board_url)
    expect(page.locator(this_month)).to_have_attribute("data-status", "due")
    page.go_back()

    page.set_viewport_size(PHONE)
    page.get_by_test_id("record-meeting").click()
    row_a1, row_a2 = page.get_by_test_id(f"member-{a1.pk}"), page.get_by_test_id(f"member-{a2.pk}")
    expect(row_a1).to_contain_text(a1.name)
    row_a1.locator(f"label[for='s-{a1.pk}-present']").click()
    row_a2.locator(f"label[for='s-{a2.pk}-absent']").click()
    expect(row_a2.locator("input[value='absent']")).to_be_checked()
    # The page fits the phone: nothing wider than the screen, each button big enough to tap.
    assert page_width(page) <= PHONE["width"]
    box = row_a2.locator(f"label[for='s-{a2.pk}-absent']").bounding_box()
    assert box is not None and box["height"] >= 44
    shoot(page, "meeting-record")
    page.set_viewport_size(PHONE)  # the screenshots leave the page at desktop width

    page.get_by_test_id("save-record").click()  # the absence has no reason yet: refused, marks kept
    expect(page.get_by_test_id("errors")).to_contain_text(a2.name)
    expect(row_a2.locator("input[value='absent']")).to_be_checked()
    row_a2.locator(f"input[name='reason-{a2.pk}']").fill("生病住院")
    page.get_by_test_id("save-record").click()

    expect(page.get_by_test_id("meeting-status")).to_have_text(zh("Held"))
    expect(page.get_by_test_id("expected")).to_have_text("2")
    expect(page.get_by_test_id("present")).to_have_text("1")
    expect(page.get_by_test_id("attendance")).to_contain_text("生病住院")
    assert page_width(page) <= PHONE["width"]
    shoot(page, "meeting-held")

    page.goto(board_url)
    expect(page.locator(this_month)).to_have_attribute("data-status", "done")
    shoot(page, "board-green")
