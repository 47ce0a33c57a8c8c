"""Two people planning the same quarter's lesson at once, or recording two lessons of one quarter at once (real
concurrent connections, PostgreSQL only): one turn, told clearly to the second; the turn linked to one meeting."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tongxin.core.testing import one_winner, race
from tongxin.orglife.models import LessonTurn, Meeting, MeetingKind
from tongxin.orglife.services import lessons
from tongxin.orglife.services import meetings as services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs a unique index and row locks across connections"),
    pytest.mark.usefixtures("english"),
]


def test_two_plans_of_one_quarter_at_once_make_one_turn(tree, users):
    year = timezone.localdate().year

    def plan(actor, lecturer):
        return lambda: lessons.plan_turn(actor, organization=tree.branch_a, year=year, quarter=2,
                                         kind=MeetingKind.LEAGUE_LESSON, lecturer=lecturer)  # fmt: skip

    results = race(plan(users.secretary_a, tree.people.a1), plan(users.committee_admin, tree.people.a2))
    _winner, refusal = one_winner(results, LessonTurn)
    assert "already has a lecturer for the League lesson of quarter 2" in refusal
    assert LessonTurn.objects.count() == 1


def test_two_lessons_of_one_quarter_recorded_at_once_give_the_turn_once(tree, users):
    when = timezone.now() - datetime.timedelta(hours=2)
    day = timezone.localdate(when)
    lessons.plan_turn(users.secretary_a, organization=tree.branch_a, year=day.year, quarter=lessons.quarter_of(day),
                      kind=MeetingKind.LEAGUE_LESSON, lecturer=tree.people.a2)  # fmt: skip
    present = {tree.people.a1.pk: ("present", ""), tree.people.a2.pk: ("present", "")}
    first, second = (
        services.plan_meeting(
            users.secretary_a,
            organization=tree.branch_a,
            kind=MeetingKind.LEAGUE_LESSON,
            starts_at=when - datetime.timedelta(minutes=m),
            topic=f"第{m}课",
        )
        for m in (0, 30)
    )
    results = race(
        lambda: services.record_meeting(users.secretary_a, first, attendance=present),
        lambda: services.record_meeting(users.committee_admin, second, attendance=present),
    )
    assert all(isinstance(r, Meeting) for r in results), results
    turn = LessonTurn.objects.get()
    assert turn.meeting_id in (first.pk, second.pk)
    assert LessonTurn.objects.filter(meeting__isnull=False).count() == 1
