"""Flow on phones (375 px wide): the member opens his personal check-in code; secretary A, on the activity's scan
page, types it (the camera cannot be driven headless) and the member is checked in; the member then asks for a
correction of his hours with a reason, secretary A accepts it with the corrected hours, and the member sees the
correction on his record, verified and supplementary hours apart."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.activities import services
from tongxin.activities.models import CorrectionStatus, HoursCorrection, Registration

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def _shoot(page, name: str) -> None:
    """The screenshots (they leave the page at desktop width), then the phone again."""
    shoot(page, name)
    page.set_viewport_size(PHONE)


def test_personal_code_check_in_then_a_correction_accepted(context_for, tree, users):
    start = timezone.now() - datetime.timedelta(hours=1)
    activity = services.create_activity(
        None, organization=tree.branch_a, kind="volunteer", title="敬老院陪伴志愿服务", starts_at=start,
        ends_at=start + datetime.timedelta(hours=3), capacity=5, place="西山区敬老院",
    )  # fmt: skip
    registration = services.register(None, activity, tree.people.a2)
    services.confirm(users.secretary_a, registration)

    member = context_for("zh-CN").new_page()
    member.set_viewport_size(PHONE)
    login(member, "member")
    member.goto(url("activities:detail", activity.pk))
    member.get_by_test_id("my-code").click()
    expect(member.get_by_test_id("personal-qr")).to_be_visible()
    short = member.get_by_test_id("personal-short-code").inner_text().strip()
    assert page_width(member) <= PHONE["width"]
    _shoot(member, "activity-my-code")

    secretary = context_for("zh-CN").new_page()
    secretary.set_viewport_size(PHONE)
    login(secretary, "secretary_a")
    secretary.goto(url("activities:detail", activity.pk))
    secretary.get_by_test_id("scan-personal").click()
    expect(secretary.get_by_test_id("scan")).to_be_visible()  # the camera button (not driven headless)
    secretary.get_by_label(zh("The member's personal code")).fill(short)
    secretary.get_by_test_id("submit-personal-code").click()
    expect(secretary.locator(".alert-success")).to_contain_text(tree.people.a2.name)
    assert page_width(secretary) <= PHONE["width"]
    _shoot(secretary, "activity-personal-check-in")
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None

    member.goto(url("activities:detail", activity.pk))
    expect(member.get_by_test_id("checked-in")).to_be_visible()
    # He leaves without checking out: no verified hours. He asks for a correction.
    member.goto(url("activities:mine"))
    member.get_by_test_id(f"ask-correction-{registration.pk}").click()
    member.get_by_label(zh("What is wrong with the hours recorded")).fill("忘记签退，实际服务到活动结束")
    member.get_by_label(zh("The hours you think right (optional)")).fill("3")
    member.get_by_role("button", name=zh("Send the request")).click()
    expect(member.locator(".alert-success")).to_contain_text(zh("Your request is sent: the organiser decides it."))
    correction = HoursCorrection.objects.get(registration=registration)
    expect(member.get_by_test_id(f"my-correction-{correction.pk}")).to_contain_text(
        zh("Awaiting the organiser's decision")
    )
    assert page_width(member) <= PHONE["width"]

    secretary.goto(url("activities:detail", activity.pk))
    secretary.get_by_test_id(f"correction-{correction.pk}").click()
    secretary.get_by_label(zh("Decision")).select_option("accept")
    secretary.get_by_label(zh("Corrected hours (verified and supplementary together)")).fill("3")
    secretary.get_by_label(zh("Reason for the decision")).fill("经现场负责人核实")
    secretary.once("dialog", lambda dialog: dialog.accept())
    secretary.get_by_test_id("decide").click()
    expect(secretary.get_by_test_id("correction-status")).to_have_text(zh("Accepted"))
    assert page_width(secretary) <= PHONE["width"]
    _shoot(secretary, "activity-correction-decided")
    assert HoursCorrection.objects.get(pk=correction.pk).status == CorrectionStatus.ACCEPTED

    member.goto(url("activities:mine"))
    expect(member.get_by_test_id(f"my-correction-{correction.pk}")).to_contain_text("3.00")
    expect(member.get_by_test_id("verified-hours")).to_have_text("0.00")
    expect(member.get_by_test_id("supplementary-hours")).to_have_text("3.00")
    _shoot(member, "activity-correction-answered")
