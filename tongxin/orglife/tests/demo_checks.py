"""The demo seed's lessons in turn: the demo branch's rota of this year, its past quarters given by the lesson
meetings recorded (the lecturer taken from the turn), the demo member's turn coming up next; a few more branches
keep a rota too.

Checked on the demo district that tongxin/core/tests/test_demo_parts.py seeds once for every app's checks.
"""

from __future__ import annotations

from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.orglife.models import LessonTurn
from tongxin.orglife.services import lessons


def demo_seeds_rotas_with_lessons_given_and_one_to_come(client):
    today = timezone.localdate()
    branch = User.objects.get(username="secretary").role_assignments.get().organization
    member = User.objects.get(username="member")
    turns = list(LessonTurn.objects.filter(organization=branch, year=today.year).select_related("meeting", "lecturer"))
    assert sorted(t.quarter for t in turns) == [1, 2, 3, 4]
    given = [t for t in turns if t.meeting is not None]
    assert given or lessons.quarter_of(today) == 1  # in the first quarter nothing of this year may be past yet
    for turn in given:
        assert turn.meeting is not None
        assert turn.meeting.lecturer == turn.lecturer.name and turn.meeting.status == "held"
        assert lessons.quarter_of(timezone.localdate(turn.meeting.starts_at)) == turn.quarter
    coming = lessons.next_turn(member.person_id, today)
    assert coming is not None and coming.organization == branch
    assert LessonTurn.objects.exclude(organization=branch).values("organization").distinct().count() >= 3
