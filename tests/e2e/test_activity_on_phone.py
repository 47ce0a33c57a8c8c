"""Flow on a phone (375 px wide): the member registers for branch A's volunteer service, secretary A confirms her
place, the member checks in by typing the code the organiser's phone shows, checks out with the check-out code,
and sees her verified hours on the activity and on her own page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.activities.models import Registration
from tongxin.activities.services import create_activity

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_register_check_in_and_out_by_typed_code(context_for, tree, users):
    start = timezone.now() - datetime.timedelta(hours=2)
    activity = create_activity(None, organization=tree.branch_a, kind="volunteer", title="保护滇池湖滨清洁",
                               starts_at=start, ends_at=start + datetime.timedelta(hours=4), capacity=5,
                               place="海埂公园", partners=["环滇党建联盟"])  # fmt: skip
    member = context_for("zh-CN").new_page()
    member.set_viewport_size(PHONE)
    login(member, "member")
    member.goto(url("activities:list"))
    member.get_by_role("link", name="保护滇池湖滨清洁").click()
    member.get_by_test_id("register").click()
    expect(member.get_by_test_id("own-status")).to_have_text(zh("Awaiting confirmation"))
    assert page_width(member) <= PHONE["width"]
    shoot(member, "activity-registered")

    secretary = context_for("zh-CN").new_page()
    login(secretary, "secretary_a")
    secretary.goto(url("activities:detail", activity.pk))
    registration = Registration.objects.get(activity=activity, person=tree.people.a2)
    secretary.get_by_test_id(f"confirm-{registration.pk}").click()
    expect(secretary.get_by_test_id(f"registration-{registration.pk}")).to_contain_text(zh("Confirmed"))
    secretary.get_by_test_id("show-code").click()
    code_in = secretary.get_by_test_id("short-code").inner_text().strip()

    member.reload()
    member.get_by_test_id("check-in").click()
    member.get_by_label(zh("Code")).fill(code_in)
    member.get_by_test_id("submit-code").click()
    expect(member.get_by_test_id("checked-in")).to_be_visible()
    # An hour passes at the activity (the check-in is moved back, as the clock would have).
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=timezone.now() - datetime.timedelta(hours=1))

    secretary.goto(url("activities:code", activity.pk) + "?purpose=out")
    code_out = secretary.get_by_test_id("short-code").inner_text().strip()
    member.reload()
    member.get_by_test_id("check-out").click()
    member.get_by_label(zh("Code")).fill(code_out)
    member.get_by_test_id("submit-code").click()
    expect(member.get_by_test_id("own-hours")).to_contain_text("1.0")
    assert page_width(member) <= PHONE["width"]
    shoot(member, "activity-checked-out")

    member.goto(url("activities:mine"))
    expect(member.get_by_test_id("verified-hours")).to_contain_text("1.0")
    expect(member.get_by_test_id("supplementary-hours")).to_have_text("0.00")
