"""A lesson meeting recorded as held gives the turn of its quarter (linked in the recording's transaction); the
record form's lecturer is prefilled from the rota; a turn planned after its lesson was recorded is linked at once."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.orglife.models import LessonTurn, MeetingKind
from tongxin.orglife.services import lessons
from tongxin.orglife.services import meetings as services

pytestmark = pytest.mark.django_db

LEAGUE = MeetingKind.LEAGUE_LESSON


def _when() -> datetime.datetime:
    """Two hours ago (a held meeting is in the past), in this quarter (unless the quarter began today)."""
    return timezone.now() - datetime.timedelta(hours=2)


def _turn(users, tree, day: datetime.date, lecturer=None) -> LessonTurn:
    return lessons.plan_turn(users.secretary_a, organization=tree.branch_a, year=day.year,
                             quarter=lessons.quarter_of(day), kind=LEAGUE,
                             lecturer=lecturer or tree.people.a2)  # fmt: skip


def _present(tree):
    return {tree.people.a1.pk: ("present", ""), tree.people.a2.pk: ("present", "")}


def test_recording_the_lesson_links_the_turn_and_takes_its_lecturer(tree, users):
    when = _when()
    turn = _turn(users, tree, timezone.localdate(when))
    meeting = services.plan_meeting(users.secretary_a, organization=tree.branch_a, kind=LEAGUE, starts_at=when,
                                    topic="团的光辉历史")  # fmt: skip
    services.record_meeting(users.secretary_a, meeting, attendance=_present(tree))  # no lecturer typed
    turn.refresh_from_db()
    meeting.refresh_from_db()
    assert turn.meeting == meeting and meeting.lecturer == tree.people.a2.name


def test_a_second_lesson_in_the_quarter_leaves_the_turn_with_the_first(tree, users):
    when = _when()
    turn = _turn(users, tree, timezone.localdate(when))
    first = services.record_held_meeting(users.secretary_a, organization=tree.branch_a, kind=LEAGUE, starts_at=when,
                                         topic="第一课", attendance=_present(tree))  # fmt: skip
    services.record_held_meeting(users.secretary_a, organization=tree.branch_a, kind=LEAGUE,
                                 starts_at=when - datetime.timedelta(minutes=30), topic="第二课",
                                 attendance=_present(tree), lecturer="区团委讲师")  # fmt: skip
    turn.refresh_from_db()
    assert turn.meeting == first


def test_another_kind_of_meeting_links_nothing(tree, users):
    when = _when()
    turn = _turn(users, tree, timezone.localdate(when))
    services.record_held_meeting(users.secretary_a, organization=tree.branch_a, kind=MeetingKind.LEAGUE_DAY,
                                 starts_at=when, topic="主题团日", attendance=_present(tree))  # fmt: skip
    turn.refresh_from_db()
    assert turn.meeting is None


def test_a_turn_planned_after_its_lesson_was_recorded_is_linked(tree, users):
    when = _when()
    meeting = services.record_held_meeting(users.secretary_a, organization=tree.branch_a, kind=LEAGUE, starts_at=when,
                                           topic="青年的责任与担当", attendance=_present(tree),
                                           lecturer=tree.people.a1.name)  # fmt: skip
    turn = _turn(users, tree, timezone.localdate(when), lecturer=tree.people.a1)
    assert turn.meeting == meeting


def test_the_record_form_prefills_the_lecturer_and_the_rota_shows_the_lesson_given(client_for, tree, users):
    when = _when()
    _turn(users, tree, timezone.localdate(when))
    meeting = services.plan_meeting(users.secretary_a, organization=tree.branch_a, kind=LEAGUE, starts_at=when,
                                    topic="学习宪法")  # fmt: skip
    client = client_for(users.secretary_a)
    form = client.get(reverse("orglife:meeting_record", args=[meeting.pk])).content.decode()
    assert f'value="{tree.people.a2.name}"' in form
    services.record_meeting(users.secretary_a, meeting, attendance=_present(tree))
    rota = client.get(reverse("orglife:lessons", args=[tree.branch_a.pk]) + f"?year={when.year}").content.decode()
    assert 'data-turn-state="given"' in rota and reverse("orglife:meeting_detail", args=[meeting.pk]) in rota
    detail = client.get(reverse("orglife:meeting_detail", args=[meeting.pk])).content.decode()
    assert reverse("orglife:lesson_turn", args=[LessonTurn.objects.get().pk]) in detail  # the meeting names its turn


def test_a_given_turn_keeps_its_lecturer(tree, users, english):
    when = _when()
    turn = _turn(users, tree, timezone.localdate(when))
    services.record_held_meeting(users.secretary_a, organization=tree.branch_a, kind=LEAGUE, starts_at=when,
                                 topic="第一课", attendance=_present(tree))  # fmt: skip
    with pytest.raises(Exception, match="has been given"):
        lessons.change_turn(users.secretary_a, turn, lecturer=tree.people.a1, reason="改人")


def test_a_lesson_given_by_someone_else_is_flagged_to_the_secretary(client_for, tree, users, english):
    when = _when()
    _turn(users, tree, timezone.localdate(when))  # a2 is planned
    meeting = services.plan_meeting(users.secretary_a, organization=tree.branch_a, kind=LEAGUE, starts_at=when,
                                    topic="学习宪法")  # fmt: skip
    client = client_for(users.secretary_a)
    data = {"starts_at": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M"), "lecturer": "区团委讲师团",
            f"status-{tree.people.a1.pk}": "present", f"status-{tree.people.a2.pk}": "present"}  # fmt: skip
    page = client.post(reverse("orglife:meeting_record", args=[meeting.pk]), data, follow=True).content.decode()
    assert "The rota named" in page and tree.people.a2.name in page and "区团委讲师团" in page
    assert LessonTurn.objects.get().meeting == meeting  # still given
