"""Flow (issue 16, 团代表工作室): on a phone (375 px wide), secretary A opens the league deputies, finds a1 (a
deputy to committee 1's congress at its studio), records the request a young person brought at the reception,
sees the phone masked, assigns the request to her branch and records the answer; the overdue filter lists an old
unanswered request and not the answered one."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.deputies import services
from tongxin.deputies.models import ConstituentRequest, RequestStatus
from tongxin.venues.services import create_venue

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def _no_overflow(page) -> None:
    assert page_width(page) <= PHONE["width"]


def _shoot(page, name: str) -> None:
    shoot(page, name)  # with TONGXIN_SCREENSHOTS=1; it leaves the page at desktop width
    page.set_viewport_size(PHONE)


def test_record_assign_and_answer_a_request_on_a_phone(context_for, tree, users):
    today = timezone.localdate()
    studio = create_venue(None, host=tree.committee1, name="前卫团代表工作室", kind="deputy_studio",
                          address="前卫街道办事处1楼", opens_at=datetime.time(9), closes_at=datetime.time(17),
                          open_days="12345", capacity=15)  # fmt: skip
    congress = services.create_congress(None, organization=tree.committee1, name="一委第三次团代会",
                                        term_start=today - datetime.timedelta(days=400),
                                        term_end=today + datetime.timedelta(days=700))  # fmt: skip
    deputy = services.elect_deputy(None, congress=congress, person=tree.people.a1, studio=studio)
    services.record_request(None, deputy, name="赵一鸣", subject="租房押金纠纷", content="押金被扣",
                            received_on=today - datetime.timedelta(days=30))  # fmt: skip

    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "secretary_a")
    page.goto(url("deputies:list"))
    expect(page.get_by_test_id("studios")).to_contain_text("前卫团代表工作室")
    _no_overflow(page)
    page.get_by_role("link", name=tree.people.a1.name).click()
    expect(page.locator("h1")).to_have_text(tree.people.a1.name)
    page.get_by_test_id("record-request").click()

    page.get_by_label(zh("Young person's name")).fill("李晓雨")
    page.get_by_label(zh("Contact phone")).fill("13812345678")
    page.get_by_label(zh("Subject")).fill("求职就业指导")
    page.get_by_label(zh("What is asked")).fill("刚毕业还没找到工作，希望了解见习岗位。")
    _no_overflow(page)
    _shoot(page, "deputy-request-form")
    page.get_by_role("button", name=zh("Record the request")).click()
    expect(page.get_by_test_id("request-status")).to_have_text(zh("Received"))
    expect(page.get_by_test_id("phone")).to_have_text("138****5678")
    row = ConstituentRequest.objects.get(subject="求职就业指导")
    assert row.phone == "13812345678"  # stored (encrypted), shown masked

    page.get_by_label(zh("Assign to")).select_option(str(tree.branch_a.pk))
    page.get_by_role("button", name=zh("Assign"), exact=True).click()
    expect(page.get_by_test_id("request-status")).to_have_text(zh("Assigned"))
    expect(page.get_by_test_id("assigned-to")).to_have_text(tree.branch_a.name)

    page.get_by_label(zh("Answer")).fill("已推荐区人社局青年见习岗位三个，并电话告知本人。")
    _no_overflow(page)
    page.get_by_role("button", name=zh("Record the answer")).click()
    expect(page.get_by_test_id("request-status")).to_have_text(zh("Answered"))
    expect(page.get_by_test_id("answer")).to_contain_text("见习岗位")
    _no_overflow(page)
    _shoot(page, "deputy-request-answered")
    row.refresh_from_db()
    assert row.status == RequestStatus.ANSWERED and row.assigned_to == tree.branch_a

    page.goto(url("deputies:requests") + "?overdue=1")
    rows = page.get_by_test_id("request-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("租房押金纠纷")
    expect(rows.get_by_test_id("overdue")).to_be_visible()
    _no_overflow(page)
    _shoot(page, "deputy-requests-overdue")
