"""Flow on a phone (375 px wide): a serving party member (the member, branch A) registers with a community (branch
C, a 社区, under committee 2), takes up the need the community posted and reports what he did (no photo, no
check-in); the community's admin sees on its page who has reported and what. Then a free-standing report (service
done without a posted need, one photo attached though none is required): the community's admin finds it in the
inbox and acknowledges it, and the member sees it acknowledged."""

from __future__ import annotations

import base64
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.community import services
from tongxin.orgs.models import OrgCategory

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
# A real 1×1 PNG picture (the browser shows it on the report's page).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def zh_state(label: str) -> str:
    """A report's state as a zh-hans page shows it (the labels carry the msgctxt "community report")."""
    with translation.override("zh-hans"):
        return translation.pgettext("community report", label)


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


def test_a_free_standing_report_is_acknowledged_by_the_community(context_for, tree, users):
    tree.branch_c.category = OrgCategory.COMMUNITY
    tree.branch_c.save(update_fields=["category"])
    registration = services.register(users.member, community=tree.branch_c, person=tree.people.a2)

    member = context_for("zh-CN").new_page()
    member.set_viewport_size(PHONE)
    login(member, "member")
    member.goto(url("community:mine"))
    member.get_by_test_id("report-other").click()
    member.get_by_label(zh("What was done")).fill("周末为社区老人义务理发")
    member.get_by_label(zh("People taking part (optional)")).fill("4")
    member.get_by_label(zh("Photos (optional, at most 3)")).set_input_files(
        [{"name": "理发.png", "mimeType": "image/png", "buffer": PNG}]
    )
    member.get_by_role("button", name=zh("Send the report")).click()
    expect(member.locator(".alert-success")).to_contain_text(zh("Your report is recorded."))
    expect(member.get_by_test_id("report-state")).to_have_text(zh_state("Awaiting acknowledgement"))
    expect(member.get_by_test_id("report-photos").locator("img")).to_have_count(1)
    assert page_width(member) <= PHONE["width"]
    shoot(member, "community-free-report")
    member.set_viewport_size(PHONE)  # shoot() leaves the page at desktop width

    community = context_for("zh-CN").new_page()
    community.set_viewport_size(PHONE)
    login(community, "outsider")
    community.goto(url("core:inbox"))
    community.get_by_role("link", name=re.compile(zh("Community reports to acknowledge"))).click()
    expect(community.get_by_test_id("reports")).to_contain_text("周末为社区老人义务理发")
    community.get_by_test_id("reports").get_by_role("link", name=tree.people.a2.name).click()
    shoot(community, "community-report-to-acknowledge")
    community.set_viewport_size(PHONE)
    community.get_by_test_id("acknowledge").click()
    expect(community.locator(".alert-success")).to_contain_text(zh("The report is acknowledged."))
    expect(community.get_by_test_id("report-state")).to_have_text(zh_state("Acknowledged"))
    assert page_width(community) <= PHONE["width"]
    shoot(community, "community-report-acknowledged")

    member.goto(url("community:mine"))
    expect(member.get_by_test_id("my-reports")).to_contain_text("周末为社区老人义务理发")
    expect(member.get_by_test_id("my-reports").get_by_test_id("report-state")).to_have_text(zh_state("Acknowledged"))
    shoot(member, "community-mine-states")
    member.set_viewport_size(PHONE)
    member.goto(url("community:registration", registration.pk))
    expect(member.get_by_test_id("year-acknowledged")).to_contain_text("1")
    assert page_width(member) <= PHONE["width"]
