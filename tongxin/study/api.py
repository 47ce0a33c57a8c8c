"""Study API.

* ``/api/study-periods/``: the periods of the campaigns in the caller's subtrees (role holders), with the
  caller's organisation's figures; no question, no answer.
* ``/api/study-attempts/``: the member's own attempts (and, for role holders, those of their subtrees).
  ``POST`` with ``{"period": id}`` starts one (or answers the open one: a reload shows the same order); an
  attempt shows its questions in its own order without the answers until it is submitted, then the score and
  each question's right answer and explanation. ``POST /api/study-attempts/<id>/submit/`` with
  ``{"token", "answers": {"<question id>": [option index, ...]}}`` grades it on the server; the same
  submission again answers the recorded result (idempotent).
* ``/api/study-participations/``: the participation records (the proof), each with its signed receipt token.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.core.api import ScopedViewSet, Step
from tongxin.core.scoping import VIEW
from tongxin.study import queries, services
from tongxin.study.filters import ParticipationFilter, PeriodFilter
from tongxin.study.models import Attempt, Participation, StudyPeriod


class PeriodSerializer(serializers.ModelSerializer):
    campaign_title = serializers.CharField(source="campaign.title", read_only=True)

    class Meta:
        model = StudyPeriod
        fields = ["id", "campaign", "campaign_title", "number", "title", "opens_at", "closes_at", "video_url",
                  "min_watch_seconds", "question_count", "max_attempts"]  # fmt: skip
        read_only_fields = fields


class ShownOptionSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    text = serializers.CharField()


class ShownQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    options = ShownOptionSerializer(many=True)


class ResultSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    mine = serializers.ListField(child=serializers.IntegerField())
    answer = serializers.ListField(child=serializers.IntegerField())
    right = serializers.BooleanField()
    explanation = serializers.CharField()


class AttemptSerializer(serializers.ModelSerializer):
    questions = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = ["id", "period", "started_at", "submitted_at", "score", "token", "questions", "results"]
        read_only_fields = fields

    @extend_schema_field(ShownQuestionSerializer(many=True))
    def get_questions(self, attempt: Attempt) -> list[dict[str, Any]]:
        return [
            {"id": q.id, "number": q.number, "kind": q.kind, "text": q.text,
             "options": [{"index": i, "text": t} for i, t in q.options]}
            for q in services.shown_questions(attempt)
        ]  # fmt: skip

    @extend_schema_field(ResultSerializer(many=True, allow_null=True))
    def get_results(self, attempt: Attempt) -> list[dict[str, Any]] | None:
        """The right answers and explanations: only once submitted."""
        if attempt.submitted_at is None:
            return None
        return [{k: row[k] for k in ("number", "text", "mine", "answer", "right", "explanation")}
                for row in services.results(attempt)]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_token(self, attempt: Attempt) -> str | None:
        """The submission's token, for the member himself only."""
        request = self.context.get("request")
        own = request is not None and getattr(request.user, "person_id", None) == attempt.person_id
        return attempt.token if own else None


class StartSerializer(serializers.Serializer):
    period = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class SubmitSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)
    # {"<question id>": [option index, ...]}: checked here for its shape, by the service against the attempt.
    answers = serializers.JSONField()

    def validate_answers(self, value: Any) -> dict[str, list[int]]:
        shape = _("Answers are an object of question ids, each with a list of option numbers.")
        if not isinstance(value, dict) or len(value) > 100:
            raise serializers.ValidationError(shape)
        for key, options in value.items():
            if not (isinstance(key, str) and key.isdigit() and len(key) <= 12 and isinstance(options, list)):
                raise serializers.ValidationError(shape)
            if len(options) > 20 or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i <= 100
                                            for i in options):  # fmt: skip
                raise serializers.ValidationError(shape)
        return value


class ParticipationSerializer(serializers.ModelSerializer):
    period_title = serializers.CharField(source="period.title", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    receipt = serializers.SerializerMethodField()

    class Meta:
        model = Participation
        fields = ["id", "period", "period_title", "person", "person_name", "best_score", "attempts", "source",
                  "completed_at", "receipt"]  # fmt: skip
        read_only_fields = fields

    def get_receipt(self, participation: Participation) -> str:
        """The signed receipt token (verify it at /study/verify/?t=<token>)."""
        return services.receipt_token(participation)


class StudyPeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Periods of the campaigns in the caller's subtrees (``?campaign=<id>``)."""

    queryset = StudyPeriod.objects.select_related("campaign").order_by("-opens_at", "-id")
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter


def _submit(actor: Any, attempt: Attempt, *, token: str, answers: dict[str, Any]) -> Attempt:
    return services.submit_attempt(actor, attempt, answers=answers, token=token)


class StudyAttemptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The caller's attempts (role holders: those of their subtrees too); POST starts one."""

    queryset = Attempt.objects.select_related("period", "person").order_by("-started_at", "-id")
    serializer_class = AttemptSerializer
    # The member submits his own attempt: the service checks it is his.
    steps = [Step("submit", _submit, SubmitSerializer, response=AttemptSerializer, write_scope=VIEW)]

    @extend_schema(request=StartSerializer, responses={201: AttemptSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(StartSerializer, request)
        person = getattr(request.user, "person", None)
        period = None
        if person is not None:
            period = queries.member_periods(person, only_open=False).filter(pk=values["period"]).first()
        if period is None:
            raise exceptions.ValidationError({"period": ["No such period is open to you."]})
        attempt = services.start_attempt(request.user, period)
        return Response(AttemptSerializer(attempt, context=self.get_serializer_context()).data, status=201)


class StudyParticipationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Participation records (the proof of taking part), newest first (``?period=<id>``)."""

    queryset = Participation.objects.select_related("person", "period__campaign").order_by("-completed_at", "-id")
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilter
