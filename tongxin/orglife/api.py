"""Organisational life API.

``GET /api/compliance/?org=&year=&period=&sort=``: the compliance board (一表通) of an organisation's
subtree as JSON (``queries.board_as_dict``): at a committee a row per child organisation with its counts
per required kind, at a branch its cells. ``org`` defaults to the caller's single top organisation; an
organisation out of the caller's scope is 404. Counts only: no personal data (a party branch's political
birthdays are counted, not named).
"""

from __future__ import annotations

import base64
import binascii
import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.core import params
from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.fields import DateTimeField
from tongxin.core.scoping import CHANGE, VIEW, subtree_q
from tongxin.orglife import queries
from tongxin.orglife.filters import ChecklistItemFilter, LessonTurnFilter, MeetingFilter, board_year
from tongxin.orglife.lapse import lapse_candidates, with_last_activity
from tongxin.orglife.models import (
    Attendance,
    AttendanceStatus,
    ChecklistItem,
    ChecklistKind,
    ChecklistStatus,
    LessonKind,
    LessonTurn,
    Meeting,
    MeetingKind,
)
from tongxin.orglife.services import checklists as checklist_services
from tongxin.orglife.services import lessons as lesson_services
from tongxin.orglife.services import meetings as services
from tongxin.orgs.filters import org_param
from tongxin.orgs.models import STEP_WIDTH, Organization
from tongxin.orgs.queries import top_organizations
from tongxin.people.models import Person


class ComplianceBoardViewSet(ScopedViewSet):
    """``GET /api/compliance/``: the board of one organisation of the caller's scope (else 404)."""

    queryset = Organization.objects.all()

    @extend_schema(
        parameters=[
            OpenApiParameter("org", int, description="Organisation id (default: your single top organisation)"),
            OpenApiParameter("year", int, description="Year (default: this year)"),
            OpenApiParameter("period", str, description="m1–m12 or q1–q4 (default: the whole year)"),
            OpenApiParameter("sort", str, enum=list(queries.SORTS), description="worst: worst rows first"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def board(self, request: Request) -> Response:
        raw = request.query_params.get("org") or ""
        if raw:
            if (org_id := params.parse_id(raw)) is None:
                raise Http404
            org = get_object_or_404(self.get_queryset(), pk=org_id)
        else:
            tops = top_organizations(request.user)
            if len(tops) != 1:
                raise Http404
            org = tops[0]
        year = board_year(request.query_params.get("year"))
        sort = request.query_params.get("sort") or "tree"
        try:
            board = queries.compliance_board(request.user, org, year=year, period=request.query_params.get("period"))
        except PermissionDenied:
            raise Http404 from None
        return Response(queries.board_as_dict(board, board.sorted_rows(sort)))


# --- the four lists (四清单) and lapse (自行脱团) ---------------------------------------------------------------
# ``/api/checklist-items/``: items in the caller's subtrees (and those they own), ``?org=`` (the subtree),
# ``?kind=``, ``?status=``, ``?overdue=1``; POST creates one (``services.checklists.add_item``). Actions
# (POST): ``note`` (``text`` and ``files``: uploads, or ``[{"name", "content_base64"}]`` in JSON),
# ``request-closing``, ``verify``, ``reopen``. ``/api/lapses/``: members listed for lapse (``?org=``);
# ``/api/lapses/<person id>/``: one person of the caller's scope with their last dues and attendance.


class ChecklistNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(read_only=True)
    author = serializers.CharField(source="author.username", read_only=True, default="")
    created_at = serializers.DateTimeField(read_only=True)
    files = serializers.SerializerMethodField()

    def get_files(self, note) -> list[str]:
        return [a.file_name for a in note.attachments.all()]


class ChecklistItemSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True, default="")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistItem
        fields = ["id", "organization", "organization_name", "kind", "content", "owner", "owner_name", "deadline",
                  "status", "status_label", "overdue", "problem", "verified_by", "closed_at", "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, item: ChecklistItem) -> bool:
        return bool(item.deadline and item.deadline < timezone.localdate() and item.status != ChecklistStatus.CLOSED)


class ChecklistItemDetailSerializer(ChecklistItemSerializer):
    notes = ChecklistNoteSerializer(many=True, read_only=True)

    class Meta(ChecklistItemSerializer.Meta):
        fields = [*ChecklistItemSerializer.Meta.fields, "notes"]
        read_only_fields = fields


class ChecklistItemCreateSerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    kind = serializers.ChoiceField(choices=ChecklistKind.choices)
    content = serializers.CharField(max_length=4000)
    owner = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    deadline = serializers.DateField(required=False, allow_null=True)
    problem = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)


class EvidenceSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_base64 = serializers.CharField()


class ChecklistNoteCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    files = EvidenceSerializer(many=True, required=False)


class ChecklistItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """The four lists' items; every write goes through ``orglife.services.checklists``.

    The item's owner sees it (and may add notes and ask for closing, which the services check) without a
    role over its organisation: ``note`` and ``request-closing`` look the item up with VIEW.
    """

    queryset = ChecklistItem.objects.select_related("organization", "owner")
    serializer_class = ChecklistItemSerializer
    steps = [
        Step("request_closing", checklist_services.request_closing, write_scope=VIEW,
             response=ChecklistItemDetailSerializer),
        Step("verify", checklist_services.verify, response=ChecklistItemDetailSerializer),
        Step("reopen", checklist_services.reopen, response=ChecklistItemDetailSerializer),
    ]  # fmt: skip

    def get_serializer_class(self):
        return ChecklistItemDetailSerializer if self.action == "retrieve" else ChecklistItemSerializer

    def step_response(self, step: Step, result: ChecklistItem) -> Response:
        return self._detail(result)

    def get_base_queryset(self):
        qs = super().get_base_queryset()
        if self.action == "retrieve":
            return qs.prefetch_related("notes__author", "notes__attachments")
        if self.action != "list":
            return qs
        params = self.request.query_params
        org = org_param(self.request)
        if org is False:
            return qs.none()
        if isinstance(org, Organization):
            qs = qs.filter(subtree_q("org_path", org.path))
        return ChecklistItemFilter(params, queryset=qs, request=self.request).qs.order_by("deadline", "id")

    @extend_schema(request=ChecklistItemCreateSerializer, responses=ChecklistItemSerializer)
    def create(self, request, *args, **kwargs):
        values = self.validated(ChecklistItemCreateSerializer, request)
        owner = problem = None
        if values.get("owner"):
            owner = Person.objects.visible_to(request.user).filter(pk=values["owner"]).first()
            if owner is None:
                raise exceptions.ValidationError({"owner": [_("No such person in your scope.")]})
        if values.get("problem"):
            # a problem of the organisation or of one above it (which the caller may not see otherwise)
            org_path = values["organization"].path
            paths = [org_path[:end] for end in range(STEP_WIDTH, len(org_path) + 1, STEP_WIDTH)]
            problem = ChecklistItem.objects.filter(pk=values["problem"], org_path__in=paths).first()
            if problem is None:
                raise exceptions.ValidationError({"problem": [_("No such problem item in your scope.")]})
        item = checklist_services.add_item(
            request.user, organization=values["organization"], kind=values["kind"], content=values["content"],
            owner=owner, deadline=values.get("deadline"), problem=problem,
        )  # fmt: skip
        return Response(ChecklistItemSerializer(item).data, status=201)

    @extend_schema(request=ChecklistNoteCreateSerializer, responses=ChecklistItemDetailSerializer)
    @action(detail=True, methods=["post"], write_scope=VIEW)
    def note(self, request, pk=None, format=None):
        item = self.get_object()
        if request.FILES:
            files = [(f.name or "", f.read()) for f in request.FILES.getlist("files")]
            text = request.data.get("text", "")
        else:
            data = self.validated(ChecklistNoteCreateSerializer, request)
            text, files = data["text"], []
            for entry in data.get("files", []):
                try:
                    files.append((entry["name"], base64.b64decode(entry["content_base64"], validate=True)))
                except (binascii.Error, ValueError):
                    raise exceptions.ValidationError({"files": [_("The file content is not valid base64.")]}) from None
        checklist_services.add_note(request.user, item, text=text, files=files)
        return self._detail(item)

    def _detail(self, item: ChecklistItem) -> Response:
        fresh = (
            ChecklistItem.objects.select_related("organization", "owner")
            .prefetch_related("notes__author", "notes__attachments")
            .get(pk=item.pk)
        )
        return Response(ChecklistItemDetailSerializer(fresh).data)


class LapseSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True, default="")
    last_dues_month = serializers.DateField(read_only=True, allow_null=True)
    last_attended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    listed = serializers.SerializerMethodField(help_text="Listed for lapse today")

    class Meta:
        model = Person
        fields = ["id", "name", "branch", "branch_name", "political_status", "league_join_date", "last_dues_month",
                  "last_attended_at", "listed"]  # fmt: skip
        read_only_fields = fields

    def get_listed(self, person: Person) -> bool:
        listed = self.context.get("listed_ids")
        return True if listed is None else person.pk in listed


class LapseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """League members listed for lapse (自行脱团) in the caller's subtrees, for the branch meeting to decide
    (the higher committee approves); ``?org=`` narrows the list. The detail shows one person of the caller's
    scope, with ``listed``."""

    queryset = Person.objects.select_related("branch")
    serializer_class = LapseSerializer

    def get_base_queryset(self):
        if self.action != "list":
            return with_last_activity(super().get_base_queryset())
        org = org_param(self.request)
        if org is False:
            return Person.objects.none()
        # the system's list (no scope), restricted to the caller's by the base
        return lapse_candidates(None, org or None, today=timezone.localdate()).select_related("branch")

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        listed = set(
            lapse_candidates(request.user, None, today=timezone.localdate())
            .filter(pk=person.pk)
            .values_list("pk", flat=True)
        )
        return Response(LapseSerializer(person, context={"listed_ids": listed}).data)


# --- end of the four lists and lapse ---------------------------------------------------------------------------


# --- meetings -------------------------------------------------------------------------------------------


class AttendanceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Attendance
        fields = ["person", "person_name", "status", "status_label", "reason"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id", "organization", "organization_name", "organizations", "kind", "kind_label", "status", "status_label",
            "starts_at", "place", "topic", "host", "recorder", "lecturer", "expected", "present", "quorum_met",
        ]  # fmt: skip
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "minutes", "attendance"]
        read_only_fields = fields


class MeetingPlanSerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    organizations = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE),
        required=False,
        help_text=_("The other organisations holding a joint activity"),
    )
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    starts_at = DateTimeField()
    topic = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AttendanceMarkSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MeetingRecordSerializer(serializers.Serializer):
    attendance = AttendanceMarkSerializer(many=True, help_text=_("One entry per member"))
    host = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    recorder = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    lecturer = serializers.CharField(max_length=100, required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True, default=None)
    starts_at = DateTimeField(required=False, allow_null=True, default=None)


class MeetingHeldSerializer(MeetingRecordSerializer):
    """A meeting already held, recorded directly: what planning asks, then the record."""

    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    starts_at = DateTimeField()
    topic = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _people(actor, **ids: int | None) -> dict[str, Person | None]:
    """The host and the recorder, named by id among the people the caller sees."""
    people = Person.objects.visible_to(actor).in_bulk([pk for pk in ids.values() if pk])
    for field, pk in ids.items():
        if pk and pk not in people:
            raise serializers.ValidationError({field: [_("No such person in your scope.")]})
    return {field: people.get(pk) if pk else None for field, pk in ids.items()}


def _record_meeting(
    actor,
    meeting: Meeting,
    *,
    attendance: list[dict],
    host: int | None = None,
    recorder: int | None = None,
    **values: Any,
) -> Meeting:
    """Record the meeting as held, with one attendance entry per member; the host and the recorder are named by
    id, among the people the caller sees."""
    people = Person.objects.visible_to(actor).in_bulk([pk for pk in (host, recorder) if pk])
    for field, pk in (("host", host), ("recorder", recorder)):
        if pk and pk not in people:
            raise serializers.ValidationError({field: [_("No such person in your scope.")]})
    marks = {row["person"]: (row["status"], row.get("reason", "")) for row in attendance}
    return services.record_meeting(actor, meeting, attendance=marks, host=people.get(host) if host else None,
                                   recorder=people.get(recorder) if recorder else None, **values)  # fmt: skip


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Meetings of the caller's subtrees, newest first (``?organization=<id>``, ``?status=``, ``?kind=``).

    POST plans one; ``POST /api/meetings/<id>/record/`` records it as held with its attendance. A rule broken
    answers 400 naming it; a meeting someone else recorded first answers 400 too.
    """

    queryset = Meeting.objects.select_related("organization").prefetch_related("organizations")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    steps = [Step("record", _record_meeting, MeetingRecordSerializer, response=MeetingDetailSerializer)]

    def get_base_queryset(self):
        qs = super().get_base_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(Prefetch("attendance", Attendance.objects.select_related("person")))
        return qs

    def get_serializer_class(self):
        return MeetingDetailSerializer if self.action in ("retrieve", "record") else MeetingSerializer

    @extend_schema(request=MeetingPlanSerializer, responses=MeetingSerializer)
    def create(self, request, *args, **kwargs):
        values = self.validated(MeetingPlanSerializer, request)
        meeting = services.plan_meeting(
            request.user, organization=values["organization"], kind=values["kind"], starts_at=values["starts_at"],
            topic=values["topic"], place=values.get("place", ""), organizations=values.get("organizations", []),
        )  # fmt: skip
        return Response(MeetingSerializer(meeting).data, status=201)

    @extend_schema(request=MeetingHeldSerializer, responses={201: MeetingDetailSerializer})
    @action(detail=False, methods=["post"], url_path="record-held")
    def record_held(self, request, **kwargs):
        """A meeting already held that nobody planned, planned and recorded in one step (one transaction)."""
        values = self.validated(MeetingHeldSerializer, request)
        people = _people(request.user, host=values.pop("host", None), recorder=values.pop("recorder", None))
        marks = {row["person"]: (row["status"], row.get("reason", "")) for row in values.pop("attendance")}
        meeting = services.record_held_meeting(
            request.user, organization=values["organization"], kind=values["kind"], starts_at=values["starts_at"],
            topic=values["topic"], place=values.get("place") or "", attendance=marks,
            lecturer=values.get("lecturer", ""), minutes=values.get("minutes", ""), **people,
        )  # fmt: skip
        fresh = self.get_queryset().prefetch_related(
            Prefetch("attendance", Attendance.objects.select_related("person"))
        )
        return Response(MeetingDetailSerializer(fresh.get(pk=meeting.pk)).data, status=201)

    def step_response(self, step: Step, result: Meeting) -> Response:
        fresh = self.get_queryset().prefetch_related(
            Prefetch("attendance", Attendance.objects.select_related("person"))
        )
        return Response(MeetingDetailSerializer(fresh.get(pk=result.pk)).data)


# --- lessons in turn (轮流讲党课/团课) --------------------------------------------------------------------------


PERSON_ERRORS = {"does_not_exist": _("No such person in your scope.")}


class LessonTurnSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    lecturer_name = serializers.CharField(source="lecturer.name", read_only=True)
    meeting_date = serializers.SerializerMethodField(help_text="The day the lesson was given, or null")

    class Meta:
        model = LessonTurn
        fields = ["id", "organization", "organization_name", "year", "quarter", "kind", "kind_label", "lecturer",
                  "lecturer_name", "topic", "meeting", "meeting_date"]  # fmt: skip
        read_only_fields = fields

    def get_meeting_date(self, turn: LessonTurn) -> datetime.date | None:
        return timezone.localdate(turn.meeting.starts_at) if turn.meeting_id and turn.meeting else None


class LessonTurnPlanSerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    kind = serializers.ChoiceField(choices=LessonKind.choices)
    lecturer = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), error_messages=PERSON_ERRORS)
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LessonRotaSerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=LessonKind.choices)
    lecturers = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), error_messages=PERSON_ERRORS),
        min_length=1, max_length=50, help_text=_("The members who take turns, in order"),
    )  # fmt: skip
    quarters = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=4), required=False, max_length=4,
        help_text=_("The quarters to fill (default: all four; those already planned keep their lecturer)"),
    )  # fmt: skip
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LessonTurnChangeSerializer(serializers.Serializer):
    lecturer = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, error_messages=PERSON_ERRORS)
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                   help_text=_("Needed once the quarter has begun"))  # fmt: skip


class LessonTurnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Lessons in turn of the caller's subtrees (``?organization=<id>``, ``?year=``, ``?kind=``), and the
    lecturer's own. POST plans one quarter's turn, ``POST /api/lesson-turns/rota/`` fills a year's free quarters
    in turn, PATCH changes the lecturer or the topic (with ``reason`` once the quarter has begun)."""

    queryset = LessonTurn.objects.select_related("organization", "lecturer", "meeting").order_by(
        "org_path", "year", "quarter", "kind", "id"
    )
    serializer_class = LessonTurnSerializer
    filterset_class = LessonTurnFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=LessonTurnPlanSerializer, responses={201: LessonTurnSerializer})
    def create(self, request, *args, **kwargs):
        values = self.validated(LessonTurnPlanSerializer, request)
        turn = lesson_services.plan_turn(request.user, **values)
        return Response(LessonTurnSerializer(self.get_queryset().get(pk=turn.pk)).data, status=201)

    @extend_schema(request=LessonTurnChangeSerializer, responses={200: LessonTurnSerializer})
    def partial_update(self, request, *args, **kwargs):
        turn = self.get_object()
        values = self.validated(LessonTurnChangeSerializer, request)
        turn = lesson_services.change_turn(request.user, turn, **values)
        return Response(LessonTurnSerializer(self.get_queryset().get(pk=turn.pk)).data)

    @extend_schema(request=LessonRotaSerializer, responses={201: LessonTurnSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def rota(self, request: Request, format: str | None = None) -> Response:
        """Fill the year's free quarters with the lecturers in turn (the quarters planned keep theirs)."""
        values = self.validated(LessonRotaSerializer, request)
        values.setdefault("quarters", lesson_services.QUARTERS)
        turns = lesson_services.plan_rota(request.user, **values)
        fresh = self.get_queryset().filter(pk__in=[t.pk for t in turns])
        return Response(LessonTurnSerializer(fresh, many=True).data, status=201)
