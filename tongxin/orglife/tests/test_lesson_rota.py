"""Lessons in turn (轮流讲党课/团课): a branch plans who gives each quarter's lesson; one turn per organisation,
year, quarter and lesson; the lecturer is one of the organisation's own; the rota rotates through the members
chosen; a turn changed once its quarter has begun needs a reason."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import person_data, refused_unchanged
from tongxin.orglife.models import LessonTurn, MeetingKind
from tongxin.orglife.services import lessons
from tongxin.people.services import create_person

pytestmark = pytest.mark.django_db

LEAGUE = MeetingKind.LEAGUE_LESSON


def _plan(actor, tree, quarter=1, lecturer=None, **extra):
    values = {"organization": tree.branch_a, "year": timezone.localdate().year, "quarter": quarter, "kind": LEAGUE,
              "lecturer": lecturer or tree.people.a1, **extra}  # fmt: skip
    return lessons.plan_turn(actor, **values)


def _turns() -> int:
    return LessonTurn.objects.count()


def test_a_secretary_plans_a_turn_and_it_is_audited(tree, users):
    turn = _plan(users.secretary_a, tree, topic="五四精神与新时代青年")
    assert (turn.org_path, turn.lecturer, turn.meeting) == (tree.branch_a.path, tree.people.a1, None)
    log = ChangeLog.objects.get(content_type=ContentType.objects.get_for_model(LessonTurn), object_id=str(turn.pk))
    assert log.action == ChangeLog.Action.CREATE and log.org_path == tree.branch_a.path


def test_one_turn_per_organisation_year_quarter_and_lesson(tree, users, english):
    _plan(users.secretary_a, tree, quarter=2)
    refused_unchanged(_turns, lambda: _plan(users.secretary_a, tree, quarter=2, lecturer=tree.people.a2),
                      "already has a lecturer for the League lesson of quarter 2")  # fmt: skip
    _plan(users.secretary_a, tree, quarter=3, lecturer=tree.people.a2)  # another quarter is free
    assert _turns() == 2


def test_a_lecturer_outside_the_organisation_is_refused(tree, users, english):
    refused_unchanged(_turns, lambda: _plan(users.committee_admin, tree, lecturer=tree.people.b1),
                      "The lecturer must be a member of 甲团支部")  # fmt: skip


def test_a_party_lesson_is_not_planned_for_a_league_branch(tree, users, english):
    refused_unchanged(_turns, lambda: _plan(users.secretary_a, tree, kind=MeetingKind.PARTY_LESSON),
                      "league organisations league lessons")  # fmt: skip


def test_quarter_and_year_are_bounded(tree, users, english):
    refused_unchanged(_turns, lambda: _plan(users.secretary_a, tree, quarter=5), "A quarter is 1, 2, 3 or 4")
    this = timezone.localdate().year
    refused_unchanged(_turns, lambda: _plan(users.secretary_a, tree, year=this + 5), "last year, this year or next")


def test_another_branch_may_not_plan_for_branch_a(tree, users):
    with pytest.raises(PermissionDenied):
        _plan(users.secretary_b, tree)
    assert _turns() == 0


def test_the_rota_rotates_through_the_members_and_goes_on_after_the_last(tree, users):
    extra = create_person(None, person_data(tree.branch_a, name="刘甲三"))
    people = [tree.people.a1, tree.people.a2, extra]
    this = timezone.localdate().year
    turns = lessons.plan_rota(users.secretary_a, organization=tree.branch_a, year=this - 1, kind=LEAGUE,
                              lecturers=people)  # fmt: skip
    assert [(t.quarter, t.lecturer) for t in turns] == [(1, people[0]), (2, people[1]), (3, people[2]), (4, people[0])]
    # This year goes on after last year's fourth lecturer; a quarter already planned keeps its lecturer.
    _plan(users.secretary_a, tree, quarter=2, lecturer=extra)
    turns = lessons.plan_rota(users.secretary_a, organization=tree.branch_a, year=this, kind=LEAGUE, lecturers=people)
    assert [(t.quarter, t.lecturer) for t in turns] == [(1, people[1]), (3, people[2]), (4, people[0])]
    assert LessonTurn.objects.get(year=this, quarter=2).lecturer == extra


def test_a_rota_with_every_quarter_planned_is_refused(tree, users, english):
    lessons.plan_rota(users.secretary_a, organization=tree.branch_a, year=timezone.localdate().year, kind=LEAGUE,
                      lecturers=[tree.people.a1], quarters=[1])  # fmt: skip
    refused_unchanged(
        _turns,
        lambda: lessons.plan_rota(users.secretary_a, organization=tree.branch_a, year=timezone.localdate().year,
                                  kind=LEAGUE, lecturers=[tree.people.a2], quarters=[1]),
        "Every quarter chosen already has its lecturer",
    )  # fmt: skip


def test_a_turn_changed_once_its_quarter_has_begun_needs_a_reason(tree, users, english):
    today = timezone.localdate()
    turn = _plan(users.secretary_a, tree, quarter=lessons.quarter_of(today))
    with pytest.raises(DomainError, match="say why it changes"):
        lessons.change_turn(users.secretary_a, turn, lecturer=tree.people.a2)
    assert LessonTurn.objects.get().lecturer == tree.people.a1
    turn.reminded_at = timezone.now()
    turn.save()
    changed = lessons.change_turn(users.secretary_a, turn, lecturer=tree.people.a2, reason="张甲一出差")
    assert changed.lecturer == tree.people.a2 and changed.reminded_at is None  # the new lecturer is reminded
    log = ChangeLog.objects.filter(action=ChangeLog.Action.UPDATE, object_id=str(turn.pk)).get()
    assert log.after is not None and log.after["reason"] == "张甲一出差"


def test_a_turn_of_a_quarter_to_come_changes_without_a_reason(tree, users):
    today = timezone.localdate()
    turn = lessons.plan_turn(users.secretary_a, organization=tree.branch_a, year=today.year + 1, quarter=1,
                             kind=LEAGUE, lecturer=tree.people.a1)  # fmt: skip
    assert lessons.change_turn(users.secretary_a, turn, lecturer=tree.people.a2).lecturer == tree.people.a2


def test_the_lecturer_may_not_change_his_own_turn_without_a_role(tree, users):
    turn = _plan(users.secretary_a, tree, lecturer=tree.people.a2)
    with pytest.raises(PermissionDenied):
        lessons.change_turn(users.member, turn, topic="我自己的题目")  # the member is a2: he sees it, no more
    assert LessonTurn.objects.get().topic == ""
