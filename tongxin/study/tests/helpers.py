"""Builders shared by the study tests: a campaign (of the district by default) with a period open now."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tongxin.study import services
from tongxin.study.models import QuestionKind


def bank(campaign, n: int = 3):
    questions = [
        services.add_question(
            None,
            campaign,
            kind=QuestionKind.SINGLE,
            text=f"问题{i}",
            options=["甲", "乙", "丙"],
            answer=[1],
            explanation=f"解析{i}",
            category="理论",
        )
        for i in range(n)
    ]
    questions.append(
        services.add_question(
            None,
            campaign,
            kind=QuestionKind.MULTIPLE,
            text="多选题",
            options=["一", "二", "三", "四"],
            answer=[0, 2],
            explanation="多选解析",
            category="理论",
        )
    )
    questions.append(
        services.add_question(
            None,
            campaign,
            kind=QuestionKind.TRUE_FALSE,
            text="判断题",
            options=[],
            answer=[0],
            explanation="判断解析",
            category="时事",
        )
    )
    return questions


def open_period(tree, *, org=None, number: int = 1, opens_in: int = -1, closes_in: int = 24, **kwargs):
    """A campaign of ``org`` (the district by default) with one period open now (hours relative to now)."""
    campaign = kwargs.pop("campaign", None) or services.create_campaign(
        None, organization=org or tree.root, title="青年大学习 2027 春季"
    )
    questions = kwargs.pop("questions", None) or bank(campaign)
    now = timezone.now()
    period = services.create_period(
        None,
        campaign,
        number=number,
        title="第一期",
        opens_at=now + datetime.timedelta(hours=opens_in),
        closes_at=now + datetime.timedelta(hours=closes_in),
        questions=questions,
        **kwargs,
    )
    return period


def right_answers(attempt) -> dict[str, list[int]]:
    from tongxin.study.models import Question

    return {str(q.pk): q.answer for q in Question.objects.filter(pk__in=attempt.question_ids)}
