"""Flow (issue 17): on a phone (375 px) a member claims a points item with evidence; the secretary accepts it;
the month is published to the branch, confirmed at the branch's recorded general meeting and locked."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.orglife.models import MeetingKind
from tongxin.orglife.services import meetings
from tongxin.points.defaults import install_now
from tongxin.points.models import Claim, ClaimStatus, CycleStatus, MonthCycle, MonthlyScore

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_a_month_of_points_on_a_phone(context_for, tree, users):
    install_now()  # a browser test's database is emptied after each test, the migration's rules included
    member = context_for("zh-CN").new_page()
    member.set_viewport_size(PHONE)
    login(member, "member")
    member.goto(url("points:mine"))
    member.get_by_test_id("claim-new").click()
    member.get_by_label(zh("Item")).select_option(label="岗位建功、发挥先锋作用 (+2)")
    member.get_by_label(zh("Evidence")).fill("带领团小组完成社区环境整治")
    member.get_by_role("button", name=zh("Submit the claim")).click()
    expect(member.get_by_test_id("claims")).to_contain_text(zh("Awaiting review"))
    assert page_width(member) <= PHONE["width"]
    shoot(member, "points-claimed")
    claim = Claim.objects.get(person=tree.people.a2)

    secretary = context_for("zh-CN").new_page()
    secretary.set_viewport_size(PHONE)
    login(secretary, "secretary_a")
    secretary.goto(url("points:branch", tree.branch_a.pk))
    secretary.get_by_test_id("waiting").get_by_text(tree.people.a2.name).click()
    secretary.get_by_label(zh("Decision")).select_option("accepted")
    secretary.get_by_test_id("review-claim").click()
    expect(secretary.get_by_test_id("claim-status")).to_have_text(zh("Accepted"))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED
    assert MonthlyScore.objects.get(person=tree.people.a2).points == 2

    secretary.goto(url("points:branch", tree.branch_a.pk))
    secretary.once("dialog", lambda dialog: dialog.accept())
    secretary.get_by_test_id("publish").click()
    expect(secretary.get_by_test_id("cycle-status")).to_have_text(zh("Published to the branch"))

    member.goto(url("points:my_branch"))
    expect(member.get_by_test_id("scores")).to_contain_text(tree.people.a2.name)

    # the party members' (here: the league branch's) general meeting is held and recorded
    when = timezone.now() - datetime.timedelta(minutes=1)
    held = meetings.plan_meeting(users.secretary_a, organization=tree.branch_a, kind=MeetingKind.LEAGUE_GENERAL,
                                 starts_at=when, topic="评议本月积分")  # fmt: skip
    marks = {tree.people.a1.pk: ("present", ""), tree.people.a2.pk: ("present", "")}
    meetings.record_meeting(users.secretary_a, held, attendance=marks)

    secretary.reload()
    secretary.get_by_test_id("meeting").select_option(str(held.pk))
    secretary.once("dialog", lambda dialog: dialog.accept())
    secretary.get_by_test_id("confirm").click()
    expect(secretary.get_by_test_id("cycle-status")).to_have_text(zh("Confirmed and locked"))
    expect(secretary.get_by_test_id("confirmed-at")).to_contain_text("评议本月积分")
    assert page_width(secretary) <= PHONE["width"]
    shoot(secretary, "points-locked")
    month = MonthCycle.objects.get(organization=tree.branch_a)
    assert month.status == CycleStatus.LOCKED and month.meeting_id == held.pk
