"""Submitting a quiz: graded on the server, one participation per member and period, the roll-ups kept by
the same transaction, refusals that write nothing, the points hook and the receipt."""

from __future__ import annotations

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from tongxin.core import achievements
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import refused_unchanged
from tongxin.study import services
from tongxin.study.models import Attempt, Participation, PeriodStats, Question
from tongxin.study.tests.helpers import open_period, right_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def stats(period):
    return {r.organization_id: (r.members, r.participants) for r in PeriodStats.objects.filter(period=period)}


def counts():
    return {m.__name__: m.objects.count() for m in (Attempt, Participation, ChangeLog)} | {
        "done": Attempt.objects.filter(submitted_at__isnull=False).count(),
        "participants": sum(PeriodStats.objects.values_list("participants", flat=True)),
    }


def test_members_counted_per_subtree(tree):
    period = open_period(tree)
    s = stats(period)
    assert s[tree.root.pk] == (5, 0)
    assert s[tree.committee1.pk] == (3, 0)
    assert s[tree.branch_a.pk] == (2, 0)
    assert s[tree.branch_d.pk] == (1, 0)


def test_submit_grades_records_and_rolls_up(tree, users):
    period = open_period(tree)
    attempt = services.start_attempt(users.member, period)
    answers = right_answers(attempt)
    done = services.submit_attempt(users.member, attempt, answers=answers, token=attempt.token)
    assert done.score == 100
    participation = Participation.objects.get(period=period, person=tree.people.a2)
    assert participation.best_score == 100
    s = stats(period)
    assert s[tree.branch_a.pk] == (2, 1)
    assert s[tree.committee1.pk] == (3, 1)
    assert s[tree.root.pk] == (5, 1)
    assert s[tree.branch_b.pk] == (1, 0)
    assert s[tree.committee2.pk] == (2, 0)


def test_double_submission_makes_one_participation(tree, users):
    period = open_period(tree)
    attempt = services.start_attempt(users.member, period)
    answers = right_answers(attempt)
    services.submit_attempt(users.member, attempt, answers=answers, token=attempt.token)
    before = counts()
    again = services.submit_attempt(users.member, attempt, answers={}, token=attempt.token)
    assert again.score == 100
    assert counts() == before
    assert Participation.objects.filter(period=period).count() == 1


def test_reload_shows_the_same_order(tree, users):
    period = open_period(tree)
    first = services.start_attempt(users.member, period)
    again = services.start_attempt(users.member, period)
    assert again.pk == first.pk
    shown = [(q.id, [i for i, _t in q.options]) for q in services.shown_questions(first)]
    assert shown == [(q.id, [i for i, _t in q.options]) for q in services.shown_questions(again)]
    assert sorted(shown[0][1]) == list(range(len(shown[0][1])))


def test_retries_keep_the_best_score_and_are_limited(tree, users):
    period = open_period(tree, max_attempts=2)
    first = services.start_attempt(users.member, period)
    services.submit_attempt(users.member, first, answers={}, token=first.token)
    assert Participation.objects.get(period=period).best_score == 0
    second = services.start_attempt(users.member, period)
    assert second.pk != first.pk
    services.submit_attempt(users.member, second, answers=right_answers(second), token=second.token)
    participation = Participation.objects.get(period=period)
    assert (participation.best_score, participation.attempts) == (100, 2)
    assert stats(period)[tree.root.pk] == (5, 1)  # still one participant
    refused_unchanged(counts, lambda: services.start_attempt(users.member, period), "2")


def test_refused_before_opening_and_after_closing(tree, users):
    later = open_period(tree, opens_in=2, closes_in=5)
    refused_unchanged(counts, lambda: services.start_attempt(users.member, later), "opens")
    period = open_period(tree, campaign=later.campaign, questions=list(later.questions.all()), number=2)
    attempt = services.start_attempt(users.member, period)
    period.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    period.save()
    refused_unchanged(
        counts, lambda: services.submit_attempt(users.member, attempt, answers={}, token=attempt.token), "closed"
    )


def test_refused_answers_for_questions_not_in_the_attempt(tree, users):
    period = open_period(tree)
    other = Question.objects.exclude(pk__in=period.questions.values("pk")).first() or services.add_question(
        None, period.campaign, kind="single", text="不在本期", options=["a", "b"], answer=[0]
    )
    attempt = services.start_attempt(users.member, period)
    refused_unchanged(
        counts,
        lambda: services.submit_attempt(users.member, attempt, answers={str(other.pk): [0]}, token=attempt.token),
        "not in this quiz",
    )
    qid = attempt.question_ids[0]
    refused_unchanged(
        counts,
        lambda: services.submit_attempt(users.member, attempt, answers={str(qid): [9]}, token=attempt.token),
        "does not exist",
    )


def test_refused_outside_the_audience(tree, users):
    period = open_period(tree, org=tree.committee2)  # branch A's member is not in committee 2's subtree
    refused_unchanged(counts, lambda: services.start_attempt(users.member, period), "not for you")
    with pytest.raises(DomainError):
        services.start_attempt(users.secretary_a, period)  # a secretary without a person record


def test_wrong_token_or_someone_elses_attempt_is_refused(tree, users, selves):
    period = open_period(tree)
    attempt = services.start_attempt(users.member, period)
    refused_unchanged(counts, lambda: services.submit_attempt(users.member, attempt, answers={}, token="x"), "expired")
    refused_unchanged(
        counts, lambda: services.submit_attempt(selves.secretary, attempt, answers={}, token=attempt.token), "expired"
    )


def test_min_watch_time(tree, users):
    period = open_period(tree, min_watch_seconds=600)
    attempt = services.start_attempt(users.member, period)
    refused_unchanged(
        counts, lambda: services.submit_attempt(users.member, attempt, answers={}, token=attempt.token), "Watch"
    )


def test_first_participation_is_offered_to_the_points_hook(tree, users):
    received: list[achievements.Achievement] = []
    taken: list[str] = []
    achievements.register_receiver("test", received.append, lambda kind, source: taken.append(source))
    try:
        period = open_period(tree, max_attempts=2)
        for _ in range(2):
            attempt = services.start_attempt(users.member, period)
            services.submit_attempt(users.member, attempt, answers={}, token=attempt.token)
    finally:
        achievements.unregister_receiver("test")
    assert [(a.kind, a.person_id) for a in received] == [("study.period_done", tree.people.a2.pk)]


def test_receipt_verifies_and_a_forged_one_is_refused(tree, users):
    period = open_period(tree)
    attempt = services.start_attempt(users.member, period)
    services.submit_attempt(users.member, attempt, answers=right_answers(attempt), token=attempt.token)
    participation = Participation.objects.select_related("person", "period__campaign").get()
    token = services.receipt_token(participation)
    data = services.verify_receipt(token)
    assert data["s"] == 100 and data["n"] == "李**"
    forged = signing.dumps({**data, "s": 100, "n": "王**"}, salt="another")
    with pytest.raises(DomainError):
        services.verify_receipt(forged)
    with pytest.raises(DomainError):
        services.verify_receipt(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_video_is_checked_by_content_and_size(tree, settings):
    period = open_period(tree)
    mp4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
    video = services.upload_video(None, period, file_name="第一期.mp4", content=mp4)
    assert video.content_type == "video/mp4"
    with pytest.raises(DomainError, match="not a real video"):
        services.upload_video(None, period, file_name="fake.mp4", content=b"%PDF-1.4 nothing")
    with pytest.raises(DomainError, match="MP4"):
        services.upload_video(None, period, file_name="x.exe", content=mp4)
    settings.TONGXIN_STUDY_VIDEO_MAX_BYTES = 50
    with pytest.raises(DomainError, match="limit"):
        services.upload_video(None, period, file_name="big.mp4", content=mp4)


def test_outsider_may_not_create_a_campaign(tree, users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_campaign(users.outsider, organization=tree.committee1, title="越权")
    with pytest.raises(PermissionDenied):
        services.create_campaign(users.member, organization=tree.branch_a, title="越权")


def test_bulk_participations_apply_the_same_checks(tree, users):
    period = open_period(tree, org=tree.committee1)
    at = timezone.now()
    n = services.record_participations(None, period, [(tree.people.a1, 80, at), (tree.people.a1, 80, at)])
    assert n == 1
    assert stats(period)[tree.committee1.pk] == (3, 1)
    with pytest.raises(DomainError, match="not for you"):
        services.record_participations(None, period, [(tree.people.c1, 80, at)])
