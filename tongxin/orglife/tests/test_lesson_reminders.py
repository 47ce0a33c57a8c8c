"""The reminder before a turn: from ``lesson_turn_reminder_days`` (rule, default 14) before its quarter the turn
waits in the inbox of its lecturer and of the branch's secretary; the daily command notifies both once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tongxin.core import rules
from tongxin.core.inbox import pending_for
from tongxin.core.models import Notification, RuleValue
from tongxin.orglife.models import LessonTurn, Meeting, MeetingKind
from tongxin.orglife.services import lessons

pytestmark = pytest.mark.django_db


def _next_quarter(today: datetime.date) -> tuple[int, int]:
    quarter = lessons.quarter_of(today)
    return (today.year + 1, 1) if quarter == 4 else (today.year, quarter + 1)


def _turn_next_quarter(users, tree) -> LessonTurn:
    year, quarter = _next_quarter(timezone.localdate())
    return lessons.plan_turn(users.secretary_a, organization=tree.branch_a, year=year, quarter=quarter,
                             kind=MeetingKind.LEAGUE_LESSON, lecturer=tree.people.a2)  # fmt: skip


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _set_days(days: int) -> None:
    RuleValue.objects.update_or_create(key="lesson_turn_reminder_days", defaults={"value": days})
    rules.clear_cache()


def _labels(user) -> dict[str, int]:
    return {str(item.label): item.count for item in pending_for(user)}


def test_the_turn_waits_in_the_inbox_from_n_days_before_its_quarter(tree, users, english):
    turn = _turn_next_quarter(users, tree)
    days = (lessons.quarter_start(turn.year, turn.quarter) - timezone.localdate()).days
    if days > 1:
        _set_days(days - 1)  # one day short: not yet
        assert "My lesson to give" not in _labels(users.member)
        assert "Lessons in turn due" not in _labels(users.secretary_a)
    _set_days(days)
    assert _labels(users.member)["My lesson to give"] == 1  # the member's person is a2, the lecturer
    assert _labels(users.secretary_a)["Lessons in turn due"] == 1
    assert "Lessons in turn due" not in _labels(users.secretary_b)  # another branch's secretary: nothing


def test_the_command_notifies_the_lecturer_and_the_secretary_once(tree, users):
    turn = _turn_next_quarter(users, tree)
    start = lessons.quarter_start(turn.year, turn.quarter)
    assert lessons.remind_lesson_turns(_noon(start - datetime.timedelta(days=15))) == 0  # default 14 days
    assert lessons.remind_lesson_turns(_noon(start - datetime.timedelta(days=14))) == 1
    assert lessons.remind_lesson_turns(_noon(start - datetime.timedelta(days=13))) == 0  # once
    url = reverse("orglife:lesson_turn", args=[turn.pk])
    assert set(Notification.objects.filter(url=url).values_list("recipient__username", flat=True)) == {
        "member", "secretary_a"
    }  # fmt: skip
    assert LessonTurn.objects.get().reminded_at is not None


def test_the_management_command_reports_how_many(tree, users, english):
    turn = _turn_next_quarter(users, tree)
    _set_days(90)  # any turn of the next quarter is within 90 days
    out = io.StringIO()
    call_command("remind_lesson_turns", stdout=out)
    call_command("remind_lesson_turns", stdout=out)
    assert Notification.objects.filter(url=reverse("orglife:lesson_turn", args=[turn.pk])).count() == 2
    assert out.getvalue().splitlines() == ["1 lessons in turn reminded.", "0 lessons in turn reminded."]


def test_a_given_turn_is_neither_pending_nor_reminded(tree, users, english):
    turn = _turn_next_quarter(users, tree)
    _set_days(90)
    meeting = Meeting.objects.create(organization=tree.branch_a, org_path=tree.branch_a.path, kind="league_lesson",
                                     status="held", starts_at=timezone.now(), topic="已讲")  # fmt: skip
    LessonTurn.objects.filter(pk=turn.pk).update(meeting=meeting)
    assert lessons.remind_lesson_turns() == 0
    assert "My lesson to give" not in _labels(users.member)


def test_the_member_home_shows_his_next_lesson(client_for, tree, users):
    turn = _turn_next_quarter(users, tree)
    home = client_for(users.member).get(reverse("core:home")).content.decode()
    assert 'data-home-card="lesson_turn"' in home and str(turn.year) in home


def test_a_secretary_giving_the_lesson_herself_is_reminded_once(tree, users, selves):
    year, quarter = _next_quarter(timezone.localdate())
    turn = lessons.plan_turn(users.secretary_a, organization=tree.branch_a, year=year, quarter=quarter,
                             kind=MeetingKind.LEAGUE_LESSON, lecturer=tree.people.a1)  # fmt: skip
    assert lessons.remind_lesson_turns(_noon(lessons.quarter_start(year, quarter))) == 1
    got = list(Notification.objects.filter(url=reverse("orglife:lesson_turn", args=[turn.pk]))
               .values_list("recipient__username", flat=True))  # fmt: skip
    assert sorted(got) == ["secretary_a", "self_secretary"]  # a1's own user once, the other secretary once
