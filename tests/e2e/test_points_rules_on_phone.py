"""Flow (issue 17, the committee's part): on a phone (375 px) a committee admin gives committee 1 its own copy of
the points rules and changes an item from next month (the current month keeps its version); the secretary
corrects an entry of a locked month with a reason; the member reads his months and what each entry came from."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.core.achievements import Achievement, offer
from tongxin.points.defaults import install_now
from tongxin.points.models import CORRECTION, CycleStatus, MonthCycle, PointEntry, RuleSet
from tongxin.points.services import ledger

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_rules_and_a_correction_on_a_phone(context_for, tree, users):
    install_now()  # a browser test's database is emptied after each test, the migration's rules included
    this_month = timezone.localdate().replace(day=1)
    next_month = ledger.next_month(this_month)

    admin = context_for("zh-CN").new_page()
    admin.set_viewport_size(PHONE)
    login(admin, "committee_admin")
    admin.goto(url("points:subtree", tree.committee1.pk))
    admin.get_by_test_id("rules").click()
    expect(admin.get_by_test_id("rules-source")).to_contain_text(zh("the district's default rules"))
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_test_id("rules-override").click()
    expect(admin.get_by_test_id("rules-source")).not_to_contain_text(zh("the district's default rules"))
    own = RuleSet.objects.get(org_path=tree.committee1.path)
    meeting = own.rules.get(key="meeting")
    admin.goto(url("points:rule_edit", tree.committee1.pk) + f"?rule={meeting.pk}")
    admin.get_by_label(zh("In force from (month)")).fill(f"{next_month:%Y-%m}")
    admin.locator("#id_points").fill("2")
    admin.get_by_role("button", name=zh("Save the new version")).click()
    expect(admin.get_by_test_id("rule-items")).to_contain_text(f"{next_month:%Y-%m}")
    assert page_width(admin) <= PHONE["width"]
    shoot(admin, "points-rules")
    assert meeting.versions.get(valid_from=next_month).points == 2
    assert meeting.versions.filter(valid_from__lt=next_month).exists()  # the past keeps its version

    last = (this_month - datetime.timedelta(days=1)).replace(day=1)
    with transaction.atomic():  # as the producer's service offers it: in its transaction (the ledger locks rows)
        offer(Achievement("orglife.attended", person_id=tree.people.a2.pk, org_path=tree.people.a2.org_path,
                          occurred_on=last + datetime.timedelta(days=3), source="e2e.attendance:1"))  # fmt: skip
    MonthCycle.objects.create(organization=tree.branch_a, org_path=tree.branch_a.path, month=last,
                              status=CycleStatus.LOCKED)  # fmt: skip
    secretary = context_for("zh-CN").new_page()
    secretary.set_viewport_size(PHONE)
    login(secretary, "secretary_a")
    secretary.goto(url("points:branch", tree.branch_a.pk) + f"?month={last:%Y-%m}")
    secretary.get_by_test_id("corrections").locator("summary").click()
    secretary.get_by_test_id("corrections").get_by_role("link", name=zh("Correct")).click()
    secretary.locator("#id_how").select_option("adjust")
    secretary.locator("#id_points").fill("1.5")
    secretary.locator("#id_reason").fill("漏记一次支部活动")
    secretary.get_by_role("button", name=zh("Record the correction")).click()
    expect(secretary.get_by_test_id("cycle-status")).to_have_text(zh("Confirmed and locked"))
    assert page_width(secretary) <= PHONE["width"]
    correction = PointEntry.objects.get(kind=CORRECTION)
    assert correction.month == this_month and correction.reason == "漏记一次支部活动"

    member = context_for("zh-CN").new_page()
    member.set_viewport_size(PHONE)
    login(member, "member")
    member.goto(url("points:mine"))
    expect(member.get_by_test_id("entries")).to_contain_text("漏记一次支部活动")
    member.get_by_test_id("history").click()
    expect(member.get_by_test_id(f"history-{last.year}")).to_contain_text(f"{last:%Y-%m}")
    assert page_width(member) <= PHONE["width"]
    shoot(member, "points-history")
