"""Flow (issue 14): a member on a phone (375 px wide) opens the study period, watches, answers the quiz, sees
his score with the explanations, shows his receipt, whose QR link verifies on the public page (a tampered
one is refused), and his branch's participation rate on the secretary's drill-down changes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.study.models import Question
from tongxin.study.tests.helpers import open_period

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_member_takes_a_period_on_a_phone(context_for, tree, users):
    period = open_period(tree)
    secretary = context_for("zh-CN").new_page()
    login(secretary, "secretary_a")
    secretary.goto(url("study:drill", period.pk) + f"?org={tree.branch_a.pk}")
    expect(secretary.get_by_test_id("own-percent")).to_have_text("0.0%")

    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "member")
    page.goto(url("study:mine"))
    page.get_by_test_id("period-1").click()
    page.get_by_test_id("start-quiz").click()
    questions = page.get_by_test_id("question")
    expect(questions).to_have_count(5)
    for index in range(5):
        box = questions.nth(index)
        name = box.locator("input").first.get_attribute("name") or ""
        question = Question.objects.get(pk=int(name[1:]))
        for right in question.answer:
            box.locator(f"input[value='{right}']").check()
    assert page_width(page) <= PHONE["width"]
    shoot(page, "study-quiz")
    page.get_by_test_id("submit-quiz").click()
    expect(page.get_by_test_id("score")).to_have_text("100")
    expect(page.get_by_test_id("explanation").first).to_contain_text("解析")
    page.get_by_test_id("show-receipt").click()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    shoot(page, "study-receipt")
    link = page.get_by_test_id("verify-link").get_attribute("href") or ""

    stranger = context_for("zh-CN").new_page()  # anyone holding the link, not logged in
    stranger.goto(link)
    expect(stranger.get_by_test_id("verified")).to_contain_text(
        zh("This receipt is genuine: it was issued by this system.")
    )
    expect(stranger.locator("dl")).to_contain_text("李**")
    stranger.goto(re.sub(r".{4}$", "AAAA", link))
    expect(stranger.get_by_test_id("refused")).to_be_visible()

    secretary.reload()
    expect(secretary.get_by_test_id("own-percent")).to_have_text("50.0%")
