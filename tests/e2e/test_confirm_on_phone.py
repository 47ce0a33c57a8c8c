"""On a phone, 取消会议 asks first: the secretary who taps it by mistake and answers "cancel" keeps her
meeting; answering "OK" cancels it. The question comes from the shared data-confirm handler (a static
script: the strict CSP allows no inline one). Without scripts, a page asks the same question before
anything is written."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.orglife.models import Meeting
from tongxin.orglife.services.meetings import plan_meeting

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_cancelling_a_meeting_asks_first(context_for, tree, users):
    meeting = plan_meeting(
        users.secretary_a, organization=tree.branch_a, kind="league_day",
        starts_at=timezone.now() + datetime.timedelta(days=3), topic="学习新思想主题团日",
    )  # fmt: skip
    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "secretary_a")
    page.goto(url("orglife:meeting_detail", meeting.pk))
    question = zh("Cancel this meeting? Everyone invited sees it as cancelled.")
    asked: list[str] = []

    def say_no(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", say_no)
    page.get_by_test_id("cancel-meeting").click()
    page.wait_for_timeout(300)  # a submission would have started by now
    assert asked == [question]
    expect(page.get_by_test_id("cancel-meeting")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    shoot(page, "meeting-before-cancel")
    page.set_viewport_size(PHONE)

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("cancel-meeting").click()
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert Meeting.objects.filter(pk=meeting.pk, status="cancelled").exists()


def test_without_scripts_cancelling_a_meeting_asks_on_a_page(context_for, tree, users):
    meeting = plan_meeting(
        users.secretary_a, organization=tree.branch_a, kind="league_day",
        starts_at=timezone.now() + datetime.timedelta(days=3), topic="学习新思想主题团日",
    )  # fmt: skip
    page = context_for("zh-CN", javascript=False).new_page()
    page.set_viewport_size(PHONE)
    login(page, "secretary_a")
    page.goto(url("orglife:meeting_detail", meeting.pk))
    page.get_by_test_id("cancel-meeting").click()
    expect(page.get_by_test_id("ask-first")).to_contain_text(
        zh("Cancel this meeting? Everyone invited sees it as cancelled.")
    )
    meeting.refresh_from_db()
    assert meeting.status == "planned"  # asked, nothing written
    assert page_width(page) <= PHONE["width"]
    shoot(page, "ask-first-without-scripts")
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name=zh("No, go back")).click()
    expect(page.get_by_test_id("cancel-meeting")).to_be_visible()  # back on the meeting, still planned
    page.get_by_test_id("cancel-meeting").click()
    page.get_by_test_id("ask-first-yes").click()
    expect(page.get_by_test_id("ask-first")).to_have_count(0)
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
