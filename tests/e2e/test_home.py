"""Issue 13: the secretary's workbench on a phone: her meetings to record with the button to record one, her
branch's counts, nothing wider than the screen; the member's page (我的). Screenshots of each role's home."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url
from tongxin.orglife.models import Meeting, MeetingStatus

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_the_secretary_works_from_her_workbench_on_a_phone(page, tree, users):
    Meeting.objects.create(
        organization=tree.branch_a, org_path=tree.branch_a.path, kind="league_day", status=MeetingStatus.PLANNED,
        starts_at=timezone.now() - datetime.timedelta(days=1), topic="昨天的团日",
    )  # fmt: skip
    page.set_viewport_size(PHONE)
    login(page, "secretary_a")
    expect(page).to_have_url(url("core:home"))
    card = page.locator("[data-home-card=meetings]")
    expect(card.locator("[data-home-value]")).to_have_text("1")
    assert page_width(page) <= PHONE["width"]
    shoot(page, "home-secretary")
    card.get_by_test_id("record-held").click()
    expect(page).to_have_url(url("orglife:meeting_record_held", tree.branch_a.pk))
    expect(page.locator("[data-testid=held-fields] #id_topic")).to_be_visible()


@pytest.mark.parametrize("username", ["district", "member"])
def test_each_roles_home(page, tree, users, username):
    login(page, username)
    expect(page).to_have_url(url("core:home"))
    expect(page.locator("[data-home-card]").first).to_be_visible()
    shoot(page, f"home-{username}")
