"""Flow (lessons in turn, 轮流讲党课/团课) on a phone 375 px wide: secretary A plans who gives branch A's league
lesson this quarter (the member a2); a2 sees his turn on his home page and in his inbox; the secretary records the
lesson meeting, whose lecturer the record form takes from the rota, and the rota shows the lesson given."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.orglife.models import LessonTurn, Meeting
from tongxin.orglife.services import lessons

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}


def test_the_secretary_plans_the_rota_the_lecturer_sees_his_turn_and_the_lesson_links(context_for, tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    when = timezone.localtime(timezone.now() - datetime.timedelta(minutes=30))
    quarter = lessons.quarter_of(when.date())

    # The secretary plans this quarter's lesson on her phone: a2 gives it.
    secretary = context_for("zh-CN").new_page()
    secretary.set_viewport_size(PHONE)
    login(secretary, "secretary_a")
    secretary.goto(url("orglife:meetings", tree.branch_a.pk))
    secretary.get_by_test_id("lessons-link").click()
    form = secretary.get_by_test_id("rota-form")
    for q in lessons.QUARTERS:
        box = form.locator(f"input[name='quarters'][value='{q}']")
        box.set_checked(q == quarter)
    form.get_by_label(a2.name).check()
    form.get_by_label(zh("Topic")).fill("五四精神与新时代青年")
    assert page_width(secretary) <= PHONE["width"]
    shoot(secretary, "lesson-rota-plan")
    secretary.set_viewport_size(PHONE)
    form.get_by_role("button", name=zh("Plan the rota")).click()
    card = secretary.locator(f"[data-quarter='{quarter}']")
    expect(card.locator("[data-lecturer]")).to_have_text(a2.name)
    expect(card.locator("[data-turn-state='planned']")).to_be_visible()
    turn = LessonTurn.objects.get()
    assert (turn.organization, turn.quarter, turn.lecturer, turn.kind) == (tree.branch_a, quarter, a2, "league_lesson")
    assert page_width(secretary) <= PHONE["width"]

    # The lecturer (the member a2) sees his turn on his home page and in his inbox.
    member = context_for("zh-CN").new_page()
    member.set_viewport_size(PHONE)
    login(member, "member")
    member.goto(url("core:home"))
    home_card = member.locator("[data-home-card='lesson_turn']")
    expect(home_card).to_contain_text(str(turn.year))
    assert page_width(member) <= PHONE["width"]
    shoot(member, "lesson-home-card")
    member.set_viewport_size(PHONE)
    member.goto(url("core:inbox"))
    expect(member.get_by_role("link", name=zh("My lesson to give"))).to_be_visible()
    member.get_by_role("link", name=zh("My lesson to give")).click()
    expect(member.get_by_test_id("next-turn")).to_contain_text(tree.branch_a.name)
    expect(member.get_by_test_id("my-turns")).to_contain_text(zh("Not yet given"))
    assert page_width(member) <= PHONE["width"]
    shoot(member, "lesson-mine")
    member.set_viewport_size(PHONE)

    # The secretary records the lesson meeting: the record form takes the lecturer from the rota.
    secretary.goto(url("orglife:meeting_plan", tree.branch_a.pk))
    secretary.get_by_label(zh("Meeting kind")).select_option("league_lesson")
    secretary.get_by_label(zh("Date and time")).fill(when.strftime("%Y-%m-%dT%H:%M"))
    secretary.get_by_label(zh("Topic")).fill("五四精神与新时代青年")
    secretary.get_by_role("button", name=zh("Plan the meeting")).click()
    secretary.get_by_test_id("record-meeting").click()
    expect(secretary.locator("#id_lecturer")).to_have_value(a2.name)
    for person in (a1, a2):
        secretary.get_by_test_id(f"member-{person.pk}").locator(f"label[for='s-{person.pk}-present']").click()
    secretary.get_by_test_id("save-record").click()
    expect(secretary.get_by_test_id("meeting-status")).to_have_text(zh("Held"))
    meeting = Meeting.objects.get(kind="league_lesson")
    assert meeting.lecturer == a2.name and LessonTurn.objects.get().meeting == meeting

    secretary.goto(f"{url('orglife:lessons', tree.branch_a.pk)}?year={turn.year}")
    card = secretary.locator(f"[data-quarter='{quarter}']")
    expect(card.locator("[data-turn-state='given']")).to_be_visible()
    expect(card.locator("[data-meeting-link]")).to_have_text(when.strftime("%Y-%m-%d"))
    assert page_width(secretary) <= PHONE["width"]
    shoot(secretary, "lesson-rota-given")
    secretary.set_viewport_size(PHONE)
    card.locator("[data-lecturer]").click()  # the turn's own page: given, so no longer changed
    expect(secretary.get_by_test_id("turn")).to_contain_text(a2.name)
    expect(secretary.get_by_test_id("turn-form")).to_have_count(0)
    assert page_width(secretary) <= PHONE["width"]
    shoot(secretary, "lesson-turn")
