"""The study filters, shared by the pages and the API: participations by period, periods and questions by
campaign."""

from __future__ import annotations

import django_filters

from tongxin.core.filters import FilterSet, IdFilter
from tongxin.study.models import Participation, Question, Source, StudyPeriod


class PeriodFilter(FilterSet):
    campaign = IdFilter(field_name="campaign_id")

    class Meta:
        model = StudyPeriod
        fields: list[str] = []


class ParticipationFilter(FilterSet):
    period = IdFilter(field_name="period_id")
    source = django_filters.ChoiceFilter(choices=Source.choices)

    class Meta:
        model = Participation
        fields: list[str] = []


class QuestionFilter(FilterSet):
    campaign = IdFilter(field_name="campaign_id")

    class Meta:
        model = Question
        fields: list[str] = []
