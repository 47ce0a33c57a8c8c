"""Flow: a secretary sees the bell's count, opens the inbox on a phone, opens a notification (it is read and
leads to its page), then marks the rest read; the badge counts down."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.accounts.notify import notify_users
from tongxin.core.inbox import pending_total

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 800}


def test_inbox_on_a_phone(context_for, tree, users):
    notify_users([users.secretary_a], text="张甲一申请转出，请审批。", url=url("people:detail", tree.people.a1.pk))
    notify_users([users.secretary_a], text="第二条通知")
    pending = pending_total(users.secretary_a)  # what the feature apps list as waiting (counted in too)
    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "secretary_a")

    bell = page.locator("[data-inbox-link]")
    expect(bell).to_be_visible()  # outside the collapsed menu: visible on a phone without opening it
    expect(bell.locator("[data-inbox-badge]")).to_contain_text(str(pending + 2))
    bell.click()
    expect(page.locator("[data-unread]")).to_have_count(2)
    assert page_width(page) <= PHONE["width"]
    shoot(page, "inbox")
    page.set_viewport_size(PHONE)

    page.get_by_role("button", name="张甲一申请转出").click()
    expect(page).to_have_url(re.compile(re.escape(url("people:detail", tree.people.a1.pk)) + "$"))
    expect(page.locator("[data-inbox-badge]")).to_contain_text(str(pending + 1))

    page.locator("[data-inbox-link]").click()
    page.get_by_role("button", name=zh("Mark all as read")).click()
    expect(page.locator("[data-unread]")).to_have_count(0)
    if pending:
        expect(page.locator("[data-inbox-badge]")).to_contain_text(str(pending))
    else:
        expect(page.locator("[data-inbox-badge]")).to_have_count(0)
