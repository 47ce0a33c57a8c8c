"""Study API.

* ``/api/study-periods/``: the periods of the campaigns the caller sees (role holders: those of her subtrees and
  of the organisations above them, as on the pages); no question, no answer.
* ``/api/study-attempts/``: the member's own attempts (and, for role holders, those of their subtrees).
  ``POST`` with ``{"period": id}`` starts one (or answers the open one: a reload shows the same order); an
  attempt shows its questions in its own order without the answers until it is submitted, then the score and
  each question's right answer and explanation. ``POST /api/study-attempts/<id>/submit/`` with
  ``{"token", "answers": {"<question id>": [option index, ...]}}`` grades it on the server; the same
  submission again answers the recorded result (idempotent).
* ``/api/study-participations/``: the participation records (the proof), each with its signed receipt token.
* ``GET /api/study-periods/<id>/rates/?org=<id>``: an organisation's participation rate in the period and its
  children's, worst first (the members who have not taken part only for a branch the caller changes);
  ``POST /api/study-periods/<id>/video/`` (multipart, ``video``) uploads the period's video.
* ``/api/study-checkins/``: the member's own study log (list, add), seen by him alone.
* ``POST /api/study-participations/verify/`` with ``{"token"}``: what a receipt certifies, or 400 when forged.
* ``/api/study-campaigns/``: the campaigns the caller sees, as on the pages (those of her subtrees and of the
  organisations above them, read-only), in progress and not started first, each with its season's span
  (``first_opens_at``, ``last_closes_at``) and ``state``, derived from its periods; ``POST`` creates one (an
  organisation she changes), ``PATCH`` changes its title, audience or tiers, ``POST
  /api/study-campaigns/<id>/deactivate/`` ends it early (its periods not yet open are withdrawn; those open stay
  answerable until they close), ``POST /api/study-campaigns/<id>/reactivate/`` undoes that.
* ``/api/study-questions/``: the question bank of the campaigns the caller manages (CHANGE over the campaign's
  organisation; ``?campaign=<id>``), answer key included; ``POST`` adds one, ``PATCH`` changes one. Nobody else
  reads a question here, not even the text: a member sees his attempt's questions, without the key, through his
  attempts; the secretary of a branch under a district's campaign sees the campaign and its periods but not its
  bank (she takes the quiz herself, as a member, and the bank is the key's).
* ``POST /api/study-periods/``: a new period of a campaign the caller manages (the page's form, the same service).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.core import params
from tongxin.core.api import NewestFirstPagination, ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.codes import PoliticalStatus
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import DateTimeField, SafeText
from tongxin.core.scoping import CHANGE, VIEW, scope_for
from tongxin.orgs.models import Organization, OrgKind
from tongxin.study import queries, services
from tongxin.study.filters import ParticipationFilter, PeriodFilter, QuestionFilter
from tongxin.study.models import (
    COMMENT_MAX_CHARS,
    DEFAULT_AUDIENCE,
    DEFAULT_TIERS,
    NOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    Attempt,
    CheckIn,
    NoteStatus,
    Participation,
    Question,
    QuestionKind,
    Selection,
    StudyCampaign,
    StudyNote,
    StudyNoteComment,
    StudyNoteImage,
    StudyPeriod,
    is_offered,
)


class PeriodSerializer(serializers.ModelSerializer):
    campaign_title = serializers.CharField(source="campaign.title", read_only=True)
    # Not a "uri" in the schema: a period without a link has "" (schemathesis, once a period existed).
    video_url = serializers.CharField(read_only=True, help_text="the video's link (intranet), or empty")
    offered = serializers.SerializerMethodField()

    class Meta:
        model = StudyPeriod
        fields = ["id", "campaign", "campaign_title", "number", "title", "opens_at", "closes_at", "video_url",
                  "min_watch_seconds", "question_count", "max_attempts", "offered"]  # fmt: skip
        read_only_fields = fields

    def get_offered(self, period: StudyPeriod) -> bool:
        """False once withdrawn: its campaign was deactivated before it opened."""
        return is_offered(period)


CAMPAIGN_ERRORS = {
    "does_not_exist": gettext_lazy("No such campaign in your scope."),
    "incorrect_type": gettext_lazy("Give the campaign's id (a number)."),
}
QUESTION_ERRORS = {
    "does_not_exist": gettext_lazy("No such question in your scope."),
    "incorrect_type": gettext_lazy("Give the question's id (a number)."),
}


class PeriodCreateSerializer(serializers.Serializer):
    campaign = ScopedPrimaryKeyRelatedField(
        queryset=StudyCampaign.objects.all(), action=CHANGE, error_messages=CAMPAIGN_ERRORS
    )
    number = serializers.IntegerField(min_value=1, max_value=999)
    title = serializers.CharField(max_length=200)
    opens_at = DateTimeField()
    closes_at = DateTimeField()
    video_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    min_watch_seconds = serializers.IntegerField(min_value=0, max_value=14400, required=False, default=0)
    selection = serializers.ChoiceField(choices=Selection.choices, required=False, default=Selection.FIXED)
    questions = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(
            queryset=Question.objects.all(), action=CHANGE, error_messages=QUESTION_ERRORS
        ),
        required=False, default=list, max_length=services.MAX_QUESTIONS,
        help_text="the fixed questions (selection fixed), ids of the campaign's bank",
    )  # fmt: skip
    category = serializers.CharField(max_length=50, required=False, allow_blank=True, default="",
                                     help_text="the category drawn from (selection random)")  # fmt: skip
    question_count = serializers.IntegerField(min_value=1, max_value=services.MAX_QUESTIONS, required=False,
                                              default=5, help_text="questions drawn (selection random)")  # fmt: skip
    max_attempts = serializers.IntegerField(min_value=1, max_value=20, required=False, default=3)


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
        return _shown(attempt)

    @extend_schema_field(ResultSerializer(many=True, allow_null=True))
    def get_results(self, attempt: Attempt) -> list[dict[str, Any]] | None:
        """The right answers and explanations: only once submitted."""
        return _results(attempt)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_token(self, attempt: Attempt) -> str | None:
        """The submission's token, for the member himself only."""
        return _token(attempt, self.context.get("request"))


def _shown(attempt: Attempt) -> list[dict[str, Any]]:
    return [
        {"id": q.id, "number": q.number, "kind": q.kind, "text": q.text,
         "options": [{"index": i, "text": t} for i, t in q.options]}
        for q in services.shown_questions(attempt)
    ]  # fmt: skip


def _results(attempt: Attempt) -> list[dict[str, Any]] | None:
    if attempt.submitted_at is None:
        return None
    return [{k: row[k] for k in ("number", "text", "mine", "answer", "right", "explanation")}
            for row in services.results(attempt)]  # fmt: skip


def _token(attempt: Attempt, request: Request | None) -> str | None:
    own = request is not None and getattr(request.user, "person_id", None) == attempt.person_id
    return attempt.token if own else None


_WHEN = serializers.DateTimeField(read_only=True)  # the serializer's datetimes: ISO 8601 in the current zone


def attempt_answer(attempt: Attempt, request: Request | None) -> dict[str, Any]:
    """``AttemptSerializer(attempt).data``, built directly: the answer of the start and of the submission, the
    weekly peak's two requests (issue 14), without a ModelSerializer built from the model's fields for each
    (a fifth of their Python). The same keys and values (test_submission_round_trips compares them)."""
    return {
        "id": attempt.pk,
        "period": attempt.period_id,
        "started_at": _WHEN.to_representation(attempt.started_at),
        "submitted_at": _WHEN.to_representation(attempt.submitted_at) if attempt.submitted_at else None,
        "score": attempt.score,
        "token": _token(attempt, request),
        "questions": _shown(attempt),
        "results": _results(attempt),
    }


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


class RateRowSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.pk", read_only=True)
    name = serializers.CharField(source="organization.name", read_only=True)
    members = serializers.IntegerField(read_only=True)
    participants = serializers.IntegerField(read_only=True)
    rate = serializers.FloatField(
        read_only=True, allow_null=True, help_text="participants ÷ members at the period's opening"
    )
    tier = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="the highest tier reached, where tiers are on"
    )


class RatesSerializer(RateRowSerializer):
    period = serializers.IntegerField(read_only=True)
    children = RateRowSerializer(many=True, read_only=True)
    not_taken_part = serializers.ListField(
        child=serializers.CharField(), allow_null=True, read_only=True,
        help_text="names of the branch's members without a participation (a branch the caller changes), else null",
    )  # fmt: skip


def _rate_row(campaign: Any, row: queries.RateRow) -> dict[str, Any]:
    return {"organization": row.organization, "members": row.members, "participants": row.participants,
            "rate": row.rate, "tier": queries.tier_of(campaign, row.rate)}  # fmt: skip


class VideoUploadSerializer(serializers.Serializer):
    video = serializers.FileField(max_length=200, allow_empty_file=False)


def _upload_video(actor: Any, period: StudyPeriod, *, video: Any) -> StudyPeriod:
    if video.size and video.size > services.video_max_bytes():
        raise exceptions.ValidationError(
            {"video": [_("The video is larger than the limit of %(mb)s MB.")
                       % {"mb": f"{services.video_max_bytes() / 1024 / 1024:g}"}]}
        )  # fmt: skip
    services.upload_video(actor, period, file_name=video.name or "", content=video.read())
    return period


class StudyPeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Periods of the campaigns the caller sees, as on the pages: her subtrees' and those of the organisations
    above them (``?campaign=<id>``; no question, no answer); POST creates one in a campaign she manages;
    ``rates``: the drill-down's figures; ``video``: upload the period's video (multipart; a period of a campaign
    above hers is refused, 403)."""

    queryset = StudyPeriod.objects.select_related("campaign").order_by("-opens_at", "-id")
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter
    steps = [Step("video", _upload_video, VideoUploadSerializer, response=PeriodSerializer)]

    def restrict(self, queryset, action: str):
        """Reads: the periods of :func:`queries.visible_campaigns`; writes: her subtrees (CHANGE)."""
        if action != VIEW:
            return super().restrict(queryset, action)
        q = queries.visible_campaigns_q(self.request.user)
        # A period's org_path is its campaign's: the campaigns' condition reads the periods directly.
        return queryset.filter(q) if q is not None else queryset.none()

    @extend_schema(request=PeriodCreateSerializer, responses={201: PeriodSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A new period of the campaign (the page's form and service): its members are counted now and again at
        its opening."""
        values = self.validated(PeriodCreateSerializer, request)
        campaign = values.pop("campaign")
        period = services.create_period(request.user, campaign, **values)
        fresh = self.get_base_queryset().get(pk=period.pk)
        return Response(PeriodSerializer(fresh, context=self.get_serializer_context()).data, status=201)

    @extend_schema(parameters=[OpenApiParameter("org", int, description="organisation to start from")],
                   responses=RatesSerializer)  # fmt: skip
    @action(detail=True, methods=["get"])
    def rates(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """The period's participation rate of an organisation and of each of its children, worst first."""
        # The page's reach: a campaign above the caller's organisation shows her part of it too.
        visible = StudyPeriod.objects.filter(campaign__in=queries.visible_campaigns(request.user))
        period = get_object_or_404(visible.select_related("campaign__organization"), pk=params.parse_id(pk) or 0)
        org = queries.start_org(request.user, period.campaign, params.parse_id(request.query_params.get("org")))
        if org is None:
            raise exceptions.NotFound()
        own, children = queries.drill_down(period, org)
        missing = None
        if org.kind == OrgKind.BRANCH and scope_for(request.user, CHANGE).covers_path(org.path):
            missing = [person.name for person in queries.not_taken_part(period, org)[:500]]
        data = {
            **_rate_row(period.campaign, own),
            "period": period.pk,
            "children": [_rate_row(period.campaign, row) for row in children],
            "not_taken_part": missing,
        }
        return Response(RatesSerializer(data).data)


def _submit(actor: Any, attempt: Attempt, *, token: str, answers: dict[str, Any]) -> Attempt:
    return services.submit_attempt(actor, attempt, answers=answers, token=token)


class StudyAttemptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The caller's attempts (role holders: those of their subtrees too); POST starts one."""

    queryset = Attempt.objects.select_related("period", "person").order_by("-started_at", "-id")
    serializer_class = AttemptSerializer
    # The member submits his own attempt: the service reads and locks it among his (so it is one he sees).
    steps = [
        Step("submit", _submit, SubmitSerializer, response=AttemptSerializer, write_scope=VIEW, service_reads=True)
    ]

    @extend_schema(request=StartSerializer, responses={201: AttemptSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(StartSerializer, request)
        if getattr(request.user, "person_id", None) is None:
            raise exceptions.ValidationError({"period": [_("No such period is open to you.")]})
        # The service reads the period, once, among the member's: another one is "no such period" there too.
        attempt = services.start_attempt(request.user, values["period"])
        return Response(attempt_answer(attempt, request), status=201)

    def step_response(self, step: Step, result: Any) -> Response:
        if step.name == "submit":  # documented as AttemptSerializer (the Step's response), built directly
            return Response(attempt_answer(result, self.request))
        return super().step_response(step, result)


class ReceiptTokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=2000)


class ReceiptSerializer(serializers.Serializer):
    name = serializers.CharField(source="n", help_text="the member's name, masked")
    campaign = serializers.CharField(source="c")
    period = serializers.CharField(source="t")
    completed_at = serializers.CharField(source="at")
    score = serializers.IntegerField(source="s", allow_null=True)


class StudyParticipationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Participation records (the proof of taking part), newest first (``?period=<id>``)."""

    queryset = Participation.objects.select_related("person", "period__campaign").order_by("-completed_at", "-id")
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilter

    @extend_schema(request=ReceiptTokenSerializer, responses={200: ReceiptSerializer})
    @action(detail=False, methods=["post"], write_scope=VIEW)
    def verify(self, request: Request, **kwargs: Any) -> Response:
        """What a study receipt (the signed token of its link or QR code) certifies, for anyone holding it;
        400 for a forged or altered one."""
        values = self.validated(ReceiptTokenSerializer, request)
        try:
            data = services.verify_receipt(values["token"])
        except DomainError as exc:
            raise exceptions.ValidationError({"token": exc.messages}) from None
        return Response(ReceiptSerializer(data).data)


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "day", "what", "minutes", "created_at"]
        read_only_fields = ["id", "created_at"]


class StudyCheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """学习打卡: the caller's own study log, seen by him alone (counts for himself, never a ranking)."""

    queryset = CheckIn.objects.order_by("-day", "-id")
    serializer_class = CheckInSerializer
    write_scope = VIEW  # his own log: the service takes the person from the caller

    def get_queryset(self):
        person_id = getattr(self.request.user, "person_id", None)
        return super().get_queryset().filter(person_id=person_id) if person_id else CheckIn.objects.none()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(CheckInSerializer, request)
        checkin = services.add_checkin(request.user, **values)
        return Response(CheckInSerializer(checkin).data, status=201)


# --- /api/study-notes/: study notes (微心得) -------------------------------------------------------------------
#
# The notes the caller reads (his branch's as a member; every note of his subtrees as a role holder), newest
# first, ``?status=featured``. ``POST`` shares one (``text``; ``image``: ``{"name", "content_base64"}``,
# optional). Steps (POST): ``comment`` (``text``; anyone who reads the note), ``feature``, ``unfeature``,
# ``hide`` (``reason``), ``restore`` (the secretary of the note's branch), ``delete`` (its author).


class NoteCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name", read_only=True)

    class Meta:
        model = StudyNoteComment
        fields = ["id", "author_name", "text", "created_at"]
        read_only_fields = fields


class NoteSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    # shown, featured or hidden (a plain string: the labels are the pages')
    status = serializers.CharField(read_only=True)
    reason = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    comments = NoteCommentSerializer(many=True, read_only=True)

    class Meta:
        model = StudyNote
        fields = ["id", "author_name", "organization", "organization_name", "month", "text", "status", "reason",
                  "image_url", "created_at", "comments"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason(self, note: StudyNote) -> str | None:
        """Why the note is hidden (its author and the role holders over the branch alone see a hidden note)."""
        return note.reason if note.status == NoteStatus.HIDDEN else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_image_url(self, note: StudyNote) -> str | None:
        """The image's address (served to those who read the note), or null."""
        if not StudyNoteImage.objects.filter(note_id=note.pk).exists():
            return None
        return reverse("study:note_image", args=[note.pk])


class NoteImageSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_base64 = serializers.CharField(max_length=16 * 1024 * 1024)


class NoteCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=NOTE_MAX_CHARS, validators=[SafeText(multiline=True)])  # line breaks kept
    image = NoteImageSerializer(required=False)


class NoteCommentCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=COMMENT_MAX_CHARS, validators=[SafeText(multiline=True)])


class NoteHideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_CHARS)


def _delete(actor: Any, note: StudyNote) -> StudyNote:
    services.delete_note(actor, note)
    return note


class DeletedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)


class StudyNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Study notes the caller reads, newest first (``?status=shown|featured|hidden``); POST shares one."""

    queryset = StudyNote.objects.select_related("author", "organization").prefetch_related("comments__author")
    serializer_class = NoteSerializer
    pagination_class = NewestFirstPagination
    choice_filter = ("status", NoteStatus, gettext_lazy("Unknown note status."))
    steps = [
        # Anyone who reads the note comments on it; the author deletes his own (the services check).
        Step(
            "comment",
            services.comment_on_note,
            NoteCommentCreateSerializer,
            response=NoteCommentSerializer,
            write_scope=VIEW,
        ),
        Step("feature", services.feature_note),
        Step("unfeature", services.unfeature_note),
        Step("hide", services.hide_note, NoteHideSerializer),
        Step("restore", services.restore_note),
        Step("delete_note", _delete, response=DeletedSerializer, url_path="delete", write_scope=VIEW),
    ]

    def get_keyset_keys(self) -> list[tuple[str, str]]:
        return [("created_at", "study_studynote.created_at"), ("id", "study_studynote.id")]

    def get_keyset_count(self, queryset) -> int:
        return queryset.count()

    @extend_schema(request=NoteCreateSerializer, responses={201: NoteSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(NoteCreateSerializer, request)
        image = None
        if values.get("image"):
            try:
                content = base64.b64decode(values["image"]["content_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise exceptions.ValidationError({"image": [_("The image is not valid base64.")]}) from None
            image = (values["image"]["name"], content)
        note = services.post_note(request.user, text=values["text"], image=image)
        fresh = self.get_base_queryset().get(pk=note.pk)
        return Response(NoteSerializer(fresh, context=self.get_serializer_context()).data, status=201)


# --- /api/study-campaigns/ and /api/study-questions/: what the secretary sets up on the campaign pages ------------


class CampaignSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    audience_statuses = serializers.ListField(
        child=serializers.CharField(), source="statuses", read_only=True,
        help_text="political status codes (GB/T 4762) of the audience",
    )  # fmt: skip
    active = serializers.BooleanField(read_only=True, help_text="false once deactivated")
    first_opens_at = serializers.SerializerMethodField()
    last_closes_at = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = StudyCampaign
        fields = ["id", "organization", "organization_name", "title", "audience_statuses", "tiers_enabled",
                  "tier_thresholds", "created_at", "active", "deactivated_at", "first_opens_at", "last_closes_at",
                  "state"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_first_opens_at(self, campaign: StudyCampaign) -> str | None:
        """The season's start: its first period's opening (null without a period; a deactivated campaign's
        withdrawn periods do not count). Derived from the periods."""
        return _iso(queries.span_of(campaign).first_opens_at)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_last_closes_at(self, campaign: StudyCampaign) -> str | None:
        """The season's end: its last period's closing (null without a period). Derived from the periods."""
        return _iso(queries.span_of(campaign).last_closes_at)

    @extend_schema_field(serializers.ChoiceField(choices=queries.CampaignState.choices))
    def get_state(self, campaign: StudyCampaign) -> str:
        """not_started (before its first period opens, or no period yet), in_progress, ended (its last period
        closed; a deactivated campaign once its last period still offered closed)."""
        return queries.span_of(campaign).state


def _iso(value: Any) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value is not None else None


def _audience_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=PoliticalStatus.choices), min_length=1,
        max_length=len(PoliticalStatus.choices), help_text="political status codes (GB/T 4762) of the audience",
        **kwargs,
    )  # fmt: skip


class CampaignCreateSerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    title = serializers.CharField(max_length=100)
    audience_statuses = _audience_field(required=False, default=[DEFAULT_AUDIENCE])
    tiers_enabled = serializers.BooleanField(required=False, default=False)
    tier_thresholds = serializers.CharField(max_length=32, required=False, default=DEFAULT_TIERS)


class CampaignChangeSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100, required=False)
    audience_statuses = _audience_field(required=False)
    tiers_enabled = serializers.BooleanField(required=False)
    tier_thresholds = serializers.CharField(max_length=32, required=False)


class StudyCampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Study campaigns the caller sees, as on the pages: those of her subtrees and those of the organisations above
    them (her branch takes part in the district's campaign), in progress and not started first, ended after, each
    with its season's span and state (derived from its periods, in the list's one query). Those above are hers to
    read only: a change or a step there is refused (403: seen, not hers to change). POST creates one, PATCH changes
    its title, audience (until a period has opened) or tiers; ``deactivate`` ends it early, ``reactivate`` undoes
    that."""

    queryset = StudyCampaign.objects.select_related("organization").order_by("-created_at", "-id")
    serializer_class = CampaignSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    steps = [Step("deactivate", services.deactivate_campaign), Step("reactivate", services.reactivate_campaign)]

    def get_base_queryset(self):
        campaigns = queries.with_span(super().get_base_queryset())
        return queries.current_first(campaigns) if self.action == "list" else campaigns

    def restrict(self, queryset, action: str):
        """Reads: the pages' campaigns (:func:`queries.visible_campaigns`); writes: her subtrees (CHANGE)."""
        if action != VIEW:
            return super().restrict(queryset, action)
        q = queries.visible_campaigns_q(self.request.user)
        return queryset.filter(q) if q is not None else queryset.none()

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(CampaignCreateSerializer, request)
        campaign = services.create_campaign(request.user, **values)
        return Response(CampaignSerializer(self.get_base_queryset().get(pk=campaign.pk)).data, status=201)

    @extend_schema(request=CampaignChangeSerializer, responses={200: CampaignSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        values = self.validated(CampaignChangeSerializer, request)
        campaign = services.update_campaign(request.user, campaign, **values)
        return Response(CampaignSerializer(self.get_base_queryset().get(pk=campaign.pk)).data)


class QuestionSerializer(serializers.ModelSerializer):
    options = serializers.ListField(child=serializers.CharField(), read_only=True)
    answer = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "campaign", "kind", "text", "options", "answer", "explanation", "category", "active"]
        read_only_fields = fields

    def _manages(self, question: Question) -> bool:
        """The answer key is for those who manage the campaign (CHANGE over its organisation), nobody else: the
        viewset shows no one else a question; this holds even if it ever did."""
        request = self.context.get("request")
        return request is not None and scope_for(request.user, CHANGE).covers_path(question.org_path)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_answer(self, question: Question) -> list[int] | None:
        """The indexes (from 0) of the right options, for those who manage the campaign; else null."""
        return list(question.answer) if self._manages(question) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_explanation(self, question: Question) -> str | None:
        return question.explanation if self._manages(question) else None


MULTILINE = [SafeText(multiline=True)]  # line breaks kept


class QuestionCreateSerializer(serializers.Serializer):
    campaign = ScopedPrimaryKeyRelatedField(
        queryset=StudyCampaign.objects.all(), action=CHANGE, error_messages=CAMPAIGN_ERRORS
    )
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=1000, validators=MULTILINE)
    options = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=services.MAX_OPTIONS,
        help_text="the options' texts (not needed for true or false)",
    )  # fmt: skip
    answer = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=services.MAX_OPTIONS - 1), min_length=1,
        max_length=services.MAX_OPTIONS, help_text="indexes (from 0) of the right options; true or false: 0 true",
    )  # fmt: skip
    explanation = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                        validators=MULTILINE)  # fmt: skip
    category = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class QuestionChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QuestionKind.choices, required=False)
    text = serializers.CharField(max_length=1000, required=False, validators=MULTILINE)
    options = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=services.MAX_OPTIONS
    )
    answer = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=services.MAX_OPTIONS - 1), required=False,
        min_length=1, max_length=services.MAX_OPTIONS,
    )  # fmt: skip
    explanation = serializers.CharField(max_length=2000, required=False, allow_blank=True, validators=MULTILINE)
    category = serializers.CharField(max_length=50, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, help_text="false: no longer drawn nor offered for a period")


class StudyQuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The question bank of the campaigns the caller manages (``?campaign=<id>``), with the answer key. POST adds
    a question, PATCH changes one (its options and answer only while no opened period asks it).

    Unlike the campaigns and periods, the bank is not shown for a campaign above the caller's organisation: the
    secretary of a branch taking part in the district's campaign sees the campaign, its periods and her branch's
    rates, but not a question of it (404), because a question here comes with its answer key and she is herself
    one who answers (a league secretary is a league member of the audience). Reading the bank needs CHANGE over
    the campaign's organisation, as changing it does; a member never gets a key before he submits."""

    queryset = Question.objects.order_by("campaign_id", "id")
    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_action(self) -> str:
        """Reads too need CHANGE over the campaign's organisation: the bank holds the answer key."""
        return CHANGE

    def _visible(self) -> bool:
        """Without CHANGE nobody sees a question here: 404 (not the base's 403 for "seen, not yours")."""
        return False

    @extend_schema(request=QuestionCreateSerializer, responses={201: QuestionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(QuestionCreateSerializer, request)
        campaign = values.pop("campaign")
        question = services.add_question(request.user, campaign, **values)
        return Response(QuestionSerializer(question, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=QuestionChangeSerializer, responses={200: QuestionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        values = self.validated(QuestionChangeSerializer, request)
        question = services.update_question(request.user, question, **values)
        return Response(QuestionSerializer(question, context=self.get_serializer_context()).data)
