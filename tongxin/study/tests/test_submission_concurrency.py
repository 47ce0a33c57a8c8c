"""Submissions at once (real concurrent connections, PostgreSQL only): a double tap makes one participation,
two attempts of one member make one participation, and many members at once leave the roll-up rows equal to a
recount (the root's row is taken by every submission: none is lost)."""

from __future__ import annotations

import pytest

from tongxin.core.testing import person_data, race
from tongxin.people.services import create_person
from tongxin.study import services
from tongxin.study.models import Attempt, Participation, PeriodStats
from tongxin.study.tests.helpers import open_period, right_answers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english"),
]


def test_a_double_tap_makes_one_participation(tree, users):
    period = open_period(tree)
    attempt = services.start_attempt(users.member, period)
    answers = right_answers(attempt)
    submit = lambda: services.submit_attempt(users.member, attempt, answers=answers, token=attempt.token)  # noqa: E731
    results = race(submit, submit, submit)
    assert all(isinstance(r, Attempt) and r.score == 100 for r in results), results
    assert Participation.objects.filter(period=period).count() == 1
    assert PeriodStats.objects.get(period=period, organization=tree.root).participants == 1


def test_many_members_at_once_keep_the_rollups_exact(tree, users):
    from tongxin.accounts.models import User

    period = open_period(tree)
    members = []
    for index, branch in enumerate([tree.branch_a, tree.branch_b, tree.branch_c, tree.branch_d] * 2):
        person = create_person(None, person_data(branch, name=f"并发{'甲乙丙丁'[index % 4]}"))
        members.append(User.objects.create(username=f"race{index}", person=person))
    services.count_members(None, period)
    attempts = [(user, services.start_attempt(user, period)) for user in members]

    def submit(user, attempt):
        return lambda: services.submit_attempt(user, attempt, answers={}, token=attempt.token)

    results = race(*(submit(user, attempt) for user, attempt in attempts))
    assert all(isinstance(r, Attempt) for r in results), results
    stats = {row.organization_id: row.participants for row in PeriodStats.objects.filter(period=period)}
    assert stats[tree.root.pk] == 8
    assert stats[tree.committee1.pk] == stats[tree.committee2.pk] == 4
    assert stats[tree.branch_a.pk] == stats[tree.branch_d.pk] == 2


def test_two_attempts_of_one_member_at_once_make_one_participation_with_the_best_score(tree, users):
    import secrets

    period = open_period(tree, max_attempts=3)
    first = services.start_attempt(users.member, period)
    second = Attempt.objects.create(period=period, person=first.person, org_path=first.org_path, seed=first.seed + 1,
                                    token=secrets.token_hex(16), question_ids=first.question_ids,
                                    started_at=first.started_at)  # fmt: skip
    right = right_answers(first)
    results = race(
        lambda: services.submit_attempt(users.member, first, answers={}, token=first.token),
        lambda: services.submit_attempt(users.member, second, answers=right, token=second.token),
    )
    assert all(isinstance(r, Attempt) for r in results), results
    assert sorted(r.score for r in results) == [0, 100]
    participation = Participation.objects.get(period=period)
    assert (participation.attempts, participation.best_score) == (2, 100)
    assert PeriodStats.objects.get(period=period, organization=tree.root).participants == 1
