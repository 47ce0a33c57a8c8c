"""Flow on a phone (375 px wide): a serving party member (the member, branch A) registers with a community (branch
C, a 社区, under committee 2), takes up the need the community posted and reports what he did (no photo, no
check-in); the community's admin sees on its page who has reported and what."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.community import services
from tongxin.orgs.models import OrgCategory

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_register_take_up_report_and_the_community_sees_it(context_for, tree, users):
    tree.branch_c.category = OrgCategory.COMMUNITY
    tree.branch_c.save(update_fields=["category"])
    services.post_need(users.outsider, community=tree.branch_c, title="独居老人探访", capacity=5)

    member = context_for("zh-CN").new_page()
    member.set_viewport_size(PHONE)
    login(member, "member")
    member.goto(url("community:mine"))
    member.get_by_test_id("register-link").click()
    member.get_by_label(zh("Community")).select_option(str(tree.branch_c.pk))
    member.get_by_role("button", name=zh("Register")).click()
    expect(member.locator(".alert-success")).to_contain_text(zh("Registered with the community."))
    expect(member.get_by_test_id("my-registrations")).to_contain_text(tree.branch_c.name)
    member.get_by_test_id("needs").get_by_role("link", name="独居老人探访").click()
    member.get_by_test_id("take-up").click()
    expect(member.locator(".alert-success")).to_contain_text(zh("You took up the need."))
    member.get_by_label(zh("What was done")).fill("探访了两位独居老人，帮忙买菜")
    member.get_by_label(zh("Hours (optional)")).fill("2")
    member.get_by_test_id("report").click()
    expect(member.locator(".alert-success")).to_contain_text(zh("Your report is recorded."))
    assert page_width(member) <= PHONE["width"]
    shoot(member, "community-report")
    member.goto(url("community:mine"))
    expect(member.get_by_test_id("my-reports")).to_contain_text("探访了两位独居老人")

    community = context_for("zh-CN").new_page()
    community.set_viewport_size(PHONE)
    login(community, "outsider")
    community.goto(url("community:community", tree.branch_c.pk))
    expect(community.get_by_test_id("registrations")).to_contain_text(tree.people.a2.name)
    expect(community.get_by_test_id("registrations")).to_contain_text(zh("Reported"))
    expect(community.get_by_test_id("reports")).to_contain_text("探访了两位独居老人，帮忙买菜")
    assert page_width(community) <= PHONE["width"]
