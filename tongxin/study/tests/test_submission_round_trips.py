"""The weekly peak's requests cost a fixed number of statements (issue 14: each round trip is ~3 ms of a request
the whole district sends in one evening): a start reads the member once (his row locked), the period once with
his attempts at it and its questions; a submission reads the attempt once (locked, with its period, his columns
and its questions), writes the participation in one statement and the roll-up rows in another. A statement more on this
path fails here. Counted with the production task backend (the points hook is one task row), in the test's
transaction (the service's own transaction is the SAVEPOINT and RELEASE pair counted in each figure)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from tongxin.study.models import Attempt, Participation, PeriodStats
from tongxin.study.tests.helpers import open_period, right_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_start_and_a_reload_cost_four_statements(tree, users, api_for, queued, django_assert_num_queries):
    period = open_period(tree)
    api = api_for(users.member)
    # token; savepoint; his row locked; the period with his attempts counted and its questions; the attempt; release
    with django_assert_num_queries(6):
        started = api.post("/api/study-attempts/", {"period": period.pk}, format="json")
    assert started.status_code == 201, started.content
    assert len(started.json()["questions"]) == 5
    # the reload answers the same attempt: read by its id instead of the attempt written (the questions it shows
    # came with the period)
    with django_assert_num_queries(6):
        again = api.post("/api/study-attempts/", {"period": period.pk}, format="json")
    assert again.json() == started.json()


def test_a_submission_costs_seven_statements_and_a_double_tap_two(
    tree, users, api_for, queued, django_assert_num_queries
):
    from django_tasks_db.models import DBTaskResult

    period = open_period(tree)
    api = api_for(users.member)
    body = api.post("/api/study-attempts/", {"period": period.pk}, format="json").json()
    answers = right_answers(Attempt.objects.get(pk=body["id"]))
    ContentType.objects.get_for_model(Participation)  # cached for the life of a process: not a request's
    url = f"/api/study-attempts/{body['id']}/submit/"
    # token; savepoint; the attempt locked with its period, campaign, his columns, his submitted attempts and its
    # questions; the attempt graded; the participation; the points hook's task row; the audit entry; the roll-up
    # rows; release
    with django_assert_num_queries(9) as captured:
        first = api.post(url, {"token": body["token"], "answers": answers}, format="json")
    # the roll-up rows, shared by every submission of the evening, are locked last: held until the commit only
    statements = [query["sql"] for query in captured.captured_queries]
    assert PeriodStats._meta.db_table in statements[-2] and "RELEASE" in statements[-1].upper()
    assert not any(PeriodStats._meta.db_table in sql for sql in statements[:-2])
    assert first.status_code == 200, first.content
    assert first.json()["score"] == 100 and DBTaskResult.objects.count() == 1
    # a double tap: token; savepoint; the attempt locked with its questions (submitted: the first submission
    # stands); release
    with django_assert_num_queries(4):
        again = api.post(url, {"token": body["token"], "answers": {}}, format="json")
    assert again.json() == first.json()
    assert Participation.objects.get(period=period).best_score == 100
    assert PeriodStats.objects.get(period=period, organization=tree.root).participants == 1


def test_the_submit_step_still_answers_404_out_of_scope_and_400_to_who_sees_it(tree, users, api_for):
    period = open_period(tree)
    body = api_for(users.member).post("/api/study-attempts/", {"period": period.pk}, format="json").json()
    url = f"/api/study-attempts/{body['id']}/submit/"
    submission = {"token": body["token"], "answers": {}}
    assert api_for(users.outsider).post(url, submission, format="json").status_code == 404
    assert api_for(users.outsider).post(url, {}, format="json").status_code == 404
    gone = api_for(users.member).post("/api/study-attempts/999999/submit/", submission, format="json")
    assert gone.status_code == 404
    refused = api_for(users.secretary_a).post(url, submission, format="json")  # she sees his attempt: not hers
    assert refused.status_code == 400
    assert Attempt.objects.get(pk=body["id"]).submitted_at is None


def test_a_period_that_is_not_his_is_no_such_period(tree, users, api_for):
    other = open_period(tree, org=tree.committee2)
    for user in (users.member, users.outsider):
        answer = api_for(user).post("/api/study-attempts/", {"period": other.pk}, format="json")
        assert answer.json() == {"period": ["No such period is open to you."]}
    answer = api_for(users.member).post("/api/study-attempts/", {"period": 999999}, format="json")
    assert answer.json() == {"period": ["No such period is open to you."]}
    assert not Attempt.objects.exists()


def test_the_start_and_the_submission_answer_what_the_attempt_serializer_says(tree, users, api_for):
    """The two hot answers are built without the serializer (issue 14): the same keys, values and order as
    ``AttemptSerializer`` gives for an open and a submitted attempt, to the member and to a secretary who sees it."""
    from types import SimpleNamespace

    from tongxin.study.api import AttemptSerializer, attempt_answer

    period = open_period(tree)
    api = api_for(users.member)
    started = api.post("/api/study-attempts/", {"period": period.pk}, format="json").json()
    attempt = Attempt.objects.get(pk=started["id"])
    answers = right_answers(attempt)
    answers[next(iter(answers))] = []  # one wrong: a score below 100, a result marked wrong
    done = api.post(f"/api/study-attempts/{attempt.pk}/submit/", {"token": started["token"], "answers": answers},
                    format="json").json()  # fmt: skip
    assert done["submitted_at"] and done["results"] and 0 < done["score"] < 100
    fresh = Attempt.objects.get(pk=attempt.pk)
    for row in (attempt, fresh):
        for user in (users.member, users.secretary_a):
            request = SimpleNamespace(user=user)
            expected = AttemptSerializer(row, context={"request": request}).data
            built = attempt_answer(row, request)  # type: ignore[arg-type]
            assert list(built.items()) == list(expected.items())
    assert started == attempt_answer(attempt, SimpleNamespace(user=users.member))  # type: ignore[arg-type]
    assert done == attempt_answer(fresh, SimpleNamespace(user=users.member))  # type: ignore[arg-type]


@pytest.mark.parametrize("selection", ["fixed", "random"])
def test_the_questions_read_with_the_period_and_the_attempt_are_the_orms(tree, users, selection):
    from tongxin.study import services
    from tongxin.study.models import Question, Selection

    if selection == "fixed":
        period = open_period(tree)
    else:  # three of the bank's four "理论" questions drawn per attempt (the five given are not its questions)
        from tongxin.study.tests.helpers import bank

        campaign = services.create_campaign(None, organization=tree.root, title="青年大学习 2027 春季")
        period = open_period(tree, campaign=campaign, questions=bank(campaign), selection=Selection.RANDOM,
                             category="理论", question_count=3)  # fmt: skip

    def same(read: dict, ids: list[int]) -> None:
        orm = Question.objects.in_bulk(ids)
        assert set(read) == set(ids) and len(ids) == (5 if selection == "fixed" else 3)
        for pk, question in orm.items():
            for field in Question._meta.concrete_fields:
                assert getattr(read[pk], field.attname) == getattr(question, field.attname), field.name
        if selection == "random":
            assert {q.category for q in orm.values()} == {"理论"}

    attempt = services.start_attempt(users.member, period.pk)
    same(services.questions_of(attempt), attempt.question_ids)
    reloaded = services.start_attempt(users.member, period.pk)  # his open attempt, its questions as read then
    assert reloaded.pk == attempt.pk
    same(services.questions_of(reloaded), reloaded.question_ids)
    answers = right_answers(attempt)
    submitted = services.submit_attempt(users.member, Attempt(pk=attempt.pk), answers=answers, token=attempt.token)
    assert submitted.score == 100
    same(services.questions_of(submitted), submitted.question_ids)
    again = services.submit_attempt(users.member, Attempt(pk=attempt.pk), answers={}, token=attempt.token)
    assert again.score == 100 and [row["right"] for row in services.results(again)] == [True] * len(answers)
