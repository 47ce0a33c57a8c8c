"""Flow: a recruitment from the written application to the oath through the pages. Secretary A records the
branch's steps, the committee admin pre-checks and approves; the new member then shows in branch A's roster."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, shoot, url, zh
from tongxin.core.testing import make_id_number, years_ago
from tongxin.lifecycle.services.recruitment import add_months

pytestmark = pytest.mark.e2e

TODAY = timezone.localdate()
APPLIED = TODAY - datetime.timedelta(days=300)
ACTIVIST = APPLIED + datetime.timedelta(days=10)
CANDIDATE = add_months(ACTIVIST, 3) + datetime.timedelta(days=5)
PRECHECKED = CANDIDATE + datetime.timedelta(days=7)
MEETING = PRECHECKED + datetime.timedelta(days=7)
APPROVED = MEETING + datetime.timedelta(days=7)
OATH = APPROVED + datetime.timedelta(days=3)


def take_step(page, label: str, day: datetime.date) -> None:
    form = page.get_by_test_id("step-form")
    form.get_by_label(zh(label)).fill(day.isoformat())
    form.get_by_test_id("take-step").click()


def test_a_recruitment_from_application_to_oath(context_for, tree, users):
    branch = context_for("zh-CN").new_page()
    login(branch, "secretary_a")
    branch.goto(url("lifecycle:recruitments"))
    branch.get_by_test_id("new-application").click()
    branch.get_by_label(zh("Branch")).select_option(label=tree.branch_a.name)
    branch.get_by_label(zh("Name of the applicant")).fill("赵新苗")
    branch.get_by_label(zh("ID number")).fill(make_id_number(years_ago(17)))
    branch.get_by_label(zh("Date of the written application")).fill(APPLIED.isoformat())
    branch.get_by_role("button", name=zh("Record the application")).click()
    expect(branch.get_by_test_id("recruitment-stage")).to_have_text(zh("Application received"))
    shoot(branch, "recruitment-applied")

    take_step(branch, "Date the branch committee named the activist", ACTIVIST)
    expect(branch.get_by_test_id("recruitment-stage")).to_have_text(zh("Activist"))
    training = branch.get_by_test_id("training-form")
    training.get_by_label(zh("League class hours attended so far")).fill("8")
    training.get_by_test_id("record-training").click()
    expect(branch.get_by_test_id("training-hours")).to_have_text("8")
    take_step(branch, "Date the branch committee chose the candidate", CANDIDATE)
    expect(branch.get_by_test_id("recruitment-stage")).to_have_text(zh("Candidate"))
    expect(branch.get_by_test_id("waiting-note")).to_be_visible()  # the pre-check is the committee's
    detail = branch.url

    committee = context_for("zh-CN").new_page()
    login(committee, "committee_admin")
    committee.goto(url("lifecycle:recruitments"))
    committee.get_by_test_id("recruitments").get_by_role("link", name="赵新苗").click()
    take_step(committee, "Date of the committee's pre-check", PRECHECKED)
    expect(committee.get_by_test_id("recruitment-stage")).to_have_text(zh("Pre-checked by the committee"))

    branch.goto(detail)
    vote = branch.get_by_test_id("step-form")
    vote.get_by_label(zh("Date of the branch general meeting")).fill(MEETING.isoformat())
    vote.get_by_label(zh("First sponsor")).select_option(label=tree.people.a1.name)
    vote.get_by_label(zh("Second sponsor")).select_option(label=tree.people.a2.name)
    vote.get_by_label(zh("Members present")).fill("2")
    vote.get_by_label(zh("Votes for")).fill("2")
    vote.get_by_label(zh("Votes against")).fill("0")
    shoot(branch, "recruitment-vote")
    vote.get_by_test_id("take-step").click()
    expect(branch.get_by_test_id("recruitment-stage")).to_have_text(zh("Passed by the branch general meeting"))

    committee.reload()
    take_step(committee, "Date of the committee's approval", APPROVED)
    expect(committee.get_by_test_id("recruitment-stage")).to_have_text(zh("Approved by the committee"))
    expect(committee.get_by_test_id("member-link")).to_contain_text(str(MEETING.year))

    branch.goto(detail)
    take_step(branch, "Date of the oath", OATH)
    expect(branch.get_by_test_id("recruitment-stage")).to_have_text(zh("Oath taken"))
    expect(branch.get_by_test_id("timeline")).to_contain_text(OATH.isoformat())
    shoot(branch, "recruitment-sworn")

    branch.goto(url("people:roster"))
    expect(branch.locator("#roster-table")).to_contain_text("赵新苗")
