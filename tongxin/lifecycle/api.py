"""Lifecycle API: each workflow's list, detail and transitions, scoped like everything else.

One section per workflow (transfers, age-out, dues, recruitment, annual review, party recommendation, lapse);
every transition calls the workflow's service.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.mixins import DestroyModelMixin, ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response

from tongxin.core.api import MonthField, ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.api_pagination import KeysetPagination
from tongxin.core.fields import InWindow, PersonName
from tongxin.core.masking import mask_id_number, mask_phone
from tongxin.core.scoping import CHANGE, VIEW, scope_for
from tongxin.lifecycle.filters import AnnualReviewFilter, DuesPaymentFilter
from tongxin.lifecycle.models import (
    AnnualReview,
    DuesKind,
    DuesPayment,
    GraduationBatch,
    GraduationDestination,
    LapseCase,
    LapseStatus,
    PartyRecommendation,
    RecommendationStatus,
    Recruitment,
    RecruitmentStage,
    ReviewEntry,
    ReviewGrade,
    Transfer,
    TransferReason,
    TransferSide,
)
from tongxin.lifecycle.services import ageout, dues, transfers
from tongxin.lifecycle.services import lapse as lapse_services
from tongxin.lifecycle.services import recommendation as recommendation_services
from tongxin.lifecycle.services import recruitment as recruitment_services
from tongxin.lifecycle.services import review as reviews
from tongxin.lifecycle.services.graduation import Assignment, overdue_in_flow, send_graduates
from tongxin.orgs.filters import org_param
from tongxin.orgs.models import LEAGUE_KINDS, MEMBER_HOLDING_KINDS, Organization, OrgStatus, path_ids
from tongxin.people.models import Person

# --- transfers -------------------------------------------------------------------------------------------


class TransferSerializer(serializers.ModelSerializer):
    """A transfer; to a receiving side that asked by ID number, the member is shown only once the sending side
    approved (``transfers.reveals_person``): before that ``person`` and ``from_org`` are null, ``person_name``
    is the masked ID number and ``from_org_name`` is empty."""

    person: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    person_revealed = serializers.SerializerMethodField(
        help_text=_("Whether the member is shown: a receiving side sees them once the sending side approved")
    )
    from_org: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    from_org_name = serializers.CharField(source="from_org.name", read_only=True)
    to_org_name = serializers.CharField(source="to_org.name", read_only=True, default="")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "person", "person_name", "person_revealed", "from_org", "from_org_name", "to_org", "to_org_name",
            "to_branch",
            "external_destination", "reason", "note", "status", "status_label", "started_by_side", "started_at",
            "out_approved_at", "in_accepted_at", "closed_at", "rejection_reason", "last_action_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_person_revealed(self, transfer: Transfer) -> bool:
        request = self.context.get("request")
        if request is None:  # no viewer known: only what any side may see
            return transfer.out_approved_at is not None or not transfer.to_path
        return transfers.reveals_person(request.user, transfer)

    def to_representation(self, instance: Transfer) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not data["person_revealed"]:
            data.update(person=None, person_name=instance.person.masked_id_number, from_org=None, from_org_name="")
        return data


class TransferStartSerializer(serializers.Serializer):
    """Start a transfer: the sending side (or the member) names the person by id; the receiving side, who
    cannot see the person yet, by ID number."""

    person = serializers.IntegerField(required=False, help_text=_("The person's id (sending side, member)"))
    id_number = serializers.CharField(required=False, max_length=40, help_text=_("The ID number (receiving side)"))
    to_org = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind__in=LEAGUE_KINDS), required=False, allow_null=True
    )
    external_destination = serializers.CharField(required=False, allow_blank=True, max_length=200)
    reason = serializers.ChoiceField(choices=TransferReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class TransferActionSerializer(serializers.Serializer):
    branch = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        action=CHANGE,
        required=False,
        help_text=_("accept: the branch assigned by a receiving committee"),
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text=_("reject: why"))


class TransferViewSet(ListModelMixin, RetrieveModelMixin, ScopedViewSet):
    """Transfers visible from either side (the sending and the receiving subtree), newest first.

    ``?waiting=1`` lists only those the caller may act on now. Each transition is a POST step; a step that
    the state or the caller's role does not allow answers 400 or 403 and changes nothing.
    """

    queryset = Transfer.objects.select_related("person", "from_org", "to_org")
    serializer_class = TransferSerializer
    waiting_for = staticmethod(transfers.waiting_for)
    steps = [
        Step("approve_out", transfers.approve_out, TransferActionSerializer, fields=()),
        Step("accept_in", transfers.accept_in, TransferActionSerializer, fields=("branch",)),
        Step("reject", transfers.reject, TransferActionSerializer, fields={"reason": ""}),
        # The member withdraws his own transfer: looked up with VIEW, the service says who may withdraw.
        Step("cancel", transfers.cancel, TransferActionSerializer, fields=(), write_scope=VIEW),
    ]  # fmt: skip

    @extend_schema(request=TransferStartSerializer, responses=TransferSerializer)
    def create(self, request, *args, **kwargs):
        values = self.validated(TransferStartSerializer, request)
        user = request.user
        if values.get("person"):
            person = Person.objects.visible_to(user).filter(pk=values["person"]).first()
            if person is None:
                raise exceptions.ValidationError({"person": [_("No such person in your scope.")]})
            side = TransferSide.SENDING if scope_for(user, CHANGE).covers_path(person.org_path) else TransferSide.MEMBER
        elif values.get("id_number"):
            transfer = transfers.ask_transfer_in(
                user, id_number=values["id_number"], to_org=values.get("to_org"), reason=values["reason"],
                note=values.get("note", ""),
            )  # fmt: skip
            return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data, status=201)
        else:
            raise exceptions.ValidationError({"person": [_("Give the person's id or, receiving, the ID number.")]})
        transfer = transfers.start_transfer(
            user, person=person, side=side, to_org=values.get("to_org"),
            external_destination=values.get("external_destination", ""), reason=values["reason"],
            note=values.get("note", ""),
        )  # fmt: skip
        return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data, status=201)


# --- graduation (学社衔接) -------------------------------------------------------------------------------------


class GraduationTransferSerializer(TransferSerializer):
    graduation_destination = serializers.ChoiceField(choices=GraduationDestination.choices, read_only=True)

    class Meta(TransferSerializer.Meta):
        fields = [*TransferSerializer.Meta.fields, "graduation", "graduation_destination"]
        read_only_fields = fields


class GraduationBatchSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    transfers = GraduationTransferSerializer(many=True, read_only=True)

    class Meta:
        model = GraduationBatch
        fields = ["id", "branch", "branch_name", "graduation_date", "created_at", "transfers"]
        read_only_fields = fields


class GraduateSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("The member's id"))
    destination = serializers.ChoiceField(choices=GraduationDestination.choices)
    to_org = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(status=OrgStatus.ACTIVE, kind__in=LEAGUE_KINDS),
        required=False,
        allow_null=True,
        help_text=_("The receiving organisation"),
    )
    external = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("Destination outside the system")
    )


class GraduationBatchCreateSerializer(serializers.Serializer):
    branch = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind__in=MEMBER_HOLDING_KINDS),
        action=CHANGE,
        error_messages={"does_not_exist": _("No such branch in your scope.")},
    )
    graduation_date = serializers.DateField()
    assignments = GraduateSerializer(many=True, allow_empty=False, max_length=1000)  # type: ignore[call-arg]


class GraduationBatchViewSet(ListModelMixin, RetrieveModelMixin, ScopedViewSet):
    """Graduation batches (学社衔接) of the branches in the caller's subtrees, newest first, each with its
    transfers (``/api/graduation-batches/<id>/``: one of them).

    ``POST`` sends a branch's graduates on in one batch (``{"branch", "graduation_date", "assignments": [{"person",
    "destination", "to_org" | "external"}]}``): one transfer per graduate, already approved by the sending side;
    each receiving organisation accepts it as any transfer (``/api/transfers/<id>/accept-in/``). All or none: a
    400 names each graduate refused and why. ``GET /api/graduation-batches/overdue/``: graduates left in a flow
    branch past the limit.
    """

    queryset = GraduationBatch.objects.select_related("branch").prefetch_related(
        Prefetch("transfers", Transfer.objects.select_related("person", "from_org", "to_org").order_by("id"))
    )
    serializer_class = GraduationBatchSerializer

    @extend_schema(request=GraduationBatchCreateSerializer, responses={201: GraduationBatchSerializer})
    def create(self, request, *args, **kwargs):
        values = self.validated(GraduationBatchCreateSerializer, request)
        branch = values["branch"]
        ids = [line["person"] for line in values["assignments"]]
        people = Person.objects.visible_to(request.user, CHANGE).in_bulk(ids)
        if any(pk not in people for pk in ids):
            raise exceptions.ValidationError({"assignments": [_("No such person in your scope.")]})
        assignments = [
            Assignment(people[line["person"]], line["destination"], line.get("to_org"), line.get("external", ""))
            for line in values["assignments"]
        ]
        batch = send_graduates(request.user, branch=branch, graduation_date=values["graduation_date"],
                               assignments=assignments)  # fmt: skip
        return Response(GraduationBatchSerializer(self.queryset.get(pk=batch.pk)).data, status=201)

    @extend_schema(responses=GraduationTransferSerializer(many=True))
    @action(detail=False, methods=["get"], serializer_class=GraduationTransferSerializer)
    def overdue(self, request, **kwargs):
        """Graduates sent to a flow branch who are still there past the limit (``flow_branch_max_months``)."""
        transfers = self.restrict(overdue_in_flow(Transfer.objects.all()), VIEW).order_by("in_accepted_at", "id")
        page = self.paginate_queryset(transfers)
        return self.get_paginated_response(GraduationTransferSerializer(page, many=True).data)


# --- end of graduation ---------------------------------------------------------------------------------------


# --- age-out (超龄离团) -------------------------------------------------------------------------------------


class AgeOutCandidateSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True, default="")
    political_status_label = serializers.CharField(read_only=True)
    age = serializers.SerializerMethodField(help_text=_("Age on the day the list is for (today)"))
    eligible = serializers.SerializerMethodField(help_text=_("Due to age out today"))

    class Meta:
        model = Person
        fields = ["id", "name", "birth_date", "age", "political_status", "political_status_label", "branch",
                  "branch_name", "status", "eligible"]  # fmt: skip
        read_only_fields = fields

    def get_age(self, person: Person) -> int:
        return person.age_on(self.context.get("on") or timezone.localdate())

    def get_eligible(self, person: Person) -> bool:
        return getattr(person, "age_out_eligible", True)  # everyone in the list is; a detail is checked


class AgeOutConfirmSerializer(serializers.Serializer):
    person_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=ageout.MAX_BATCH,
        help_text=_("The ids of the members to confirm, all in one batch"),
    )


class AgeOutConfirmedSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField(help_text=_("How many members left the League"))


class AgeOutViewSet(ListModelMixin, RetrieveModelMixin, ScopedViewSet):
    """Members due to age out today (超龄离团) in the caller's subtrees: active members of league branches,
    aged 28 (the ``league_max_age`` rule) or more, without a current league post; by branch, oldest first.

    ``?org=<id>`` narrows the list to that organisation's subtree (one outside the caller's scope lists
    nothing). ``/api/age-outs/<person id>/``: one person in the caller's scope, with ``eligible``.
    ``POST /api/age-outs/confirm/`` ``{"person_ids": [...]}`` confirms a batch, all or nothing: a 400
    names everyone who is not due or not in the caller's organisations, and nothing is written.
    """

    queryset = Person.objects.select_related("branch")
    serializer_class = AgeOutCandidateSerializer

    def get_base_queryset(self):
        if self.action != "list":
            return super().get_base_queryset()
        org = org_param(self.request)
        if org is False:
            return Person.objects.none()
        # the system's list (no scope), restricted to the caller's by the base
        return ageout.age_out_candidates(None, org, self._on()).select_related("branch")

    def restrict(self, queryset, action: str):
        scoped = super().restrict(queryset, action)
        own = scope_for(self.request.user, action).person_id
        if self.action == "list" and own is not None:
            # the list is the role holders' work: a member does not list their own age-out (self-service
            # reaches their record, not this list), as ``ageout.age_out_candidates`` decides for the pages
            scoped = scoped.exclude(pk=own)
        return scoped

    def _on(self):
        if not hasattr(self, "_day"):
            self._day = timezone.localdate()
        return self._day

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "on": self._on()}

    @extend_schema(parameters=[OpenApiParameter("org", int, description=_("An organisation: its subtree only"))])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_object(self):
        person = super().get_object()
        # Visible to the caller, so the system's own check (no scope) says whether they are due.
        person.age_out_eligible = ageout.age_out_candidates(None, on=self._on()).filter(pk=person.pk).exists()
        return person

    @extend_schema(request=AgeOutConfirmSerializer, responses=AgeOutConfirmedSerializer)
    @action(detail=False, methods=["post"])
    def confirm(self, request, **kwargs):
        data = self.validated(AgeOutConfirmSerializer, request)
        count = ageout.confirm_age_out(request.user, person_ids=data["person_ids"], on=self._on())
        return Response(AgeOutConfirmedSerializer({"confirmed": count}).data)


# --- end of age-out ------------------------------------------------------------------------------------------


# --- dues (团费, 党费) -----------------------------------------------------------------------------------------


class DuesPaymentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    month = serializers.SerializerMethodField(help_text=_("The month paid for, yyyy-mm"))
    branch = serializers.SerializerMethodField(help_text=_("The branch the payment was marked in"))

    class Meta:
        model = DuesPayment
        fields = ["id", "person", "person_name", "kind", "month", "amount", "paid_on", "branch", "recorded_at"]
        read_only_fields = fields

    def get_month(self, payment: DuesPayment) -> str:
        return f"{payment.month:%Y-%m}"

    def get_branch(self, payment: DuesPayment) -> int:
        return path_ids(payment.org_path)[-1]


class DuesMarkPaidSerializer(serializers.Serializer):
    branch = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        action=CHANGE,
        error_messages={"does_not_exist": _("No such branch in your scope.")},
    )
    kind = serializers.ChoiceField(
        choices=DuesKind.choices, required=False, help_text=_("Default: party dues in a party branch, else league")
    )
    month = MonthField(help_text=_("The month paid for, yyyy-mm"))
    person_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=1000,
        help_text=_("The members of the branch who paid, all marked or none"),
    )
    paid_on = serializers.DateField(required=False, help_text=_("Default: today"), validators=[InWindow("history")])


class DuesPaymentViewSet(ListModelMixin, RetrieveModelMixin, DestroyModelMixin, ScopedViewSet):
    """Dues payments marked in the caller's subtrees (团费, 党费).

    Filters: ``?branch=<organisation id>`` (its subtree), ``?month=yyyy-mm``, ``?kind=league|party``,
    ``?person=<id>``. ``POST /api/dues-payments/mark-paid/`` marks members of one branch paid for a month,
    all or none: a 400 names anyone already paid for it and nothing is written. ``DELETE`` takes back a
    payment marked by mistake (audited).
    """

    queryset = DuesPayment.objects.select_related("person")
    serializer_class = DuesPaymentSerializer
    filterset_class = DuesPaymentFilter
    pagination_class = KeysetPagination

    def get_keyset_keys(self) -> list[tuple[str, str]]:
        return [("id", f"{DuesPayment._meta.db_table}.id")]

    def get_keyset_count(self, queryset) -> int:
        return queryset.count()

    def perform_destroy(self, instance: DuesPayment) -> None:
        dues.undo_payment(self.request.user, instance)

    @extend_schema(request=DuesMarkPaidSerializer, responses={201: DuesPaymentSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, **kwargs):
        values = self.validated(DuesMarkPaidSerializer, request)
        branch = values["branch"]
        payments = dues.mark_paid(
            request.user,
            branch=branch,
            kind=values.get("kind") or dues.default_kind(branch),
            month=values["month"],
            person_ids=values["person_ids"],
            paid_on=values.get("paid_on") or timezone.localdate(),
        )
        return Response(DuesPaymentSerializer(payments, many=True).data, status=201)


# --- end of dues ---------------------------------------------------------------------------------------------


# --- recruitment (团员发展) ------------------------------------------------------------------------------------


class RecruitmentSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    id_number_masked = serializers.SerializerMethodField(help_text=_("The applicant's ID number, masked"))
    phone_masked = serializers.SerializerMethodField(help_text=_("The applicant's phone, masked"))
    next_step = serializers.SerializerMethodField(help_text=_("The step the record waits for (empty when closed)"))

    class Meta:
        model = Recruitment
        fields = [
            "id", "branch", "branch_name", "name", "id_number_masked", "birth_date", "phone_masked", "stage",
            "stage_label", "next_step", "applied_on", "activist_on", "training_hours", "candidate_on",
            "prechecked_on", "sponsor_1", "sponsor_2", "meeting_on", "members_expected", "members_present",
            "votes_for", "votes_against", "approved_on", "league_number", "oath_on", "person", "withdrawn_reason",
            "actors", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_id_number_masked(self, recruitment: Recruitment) -> str:
        return mask_id_number(recruitment.id_number)

    def get_phone_masked(self, recruitment: Recruitment) -> str:
        return mask_phone(recruitment.phone)

    def get_next_step(self, recruitment: Recruitment) -> str:
        return recruitment_services.NEXT_STEP.get(recruitment.stage, "")


class RecruitmentApplySerializer(serializers.Serializer):
    branch = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        action=CHANGE,
        error_messages={"does_not_exist": _("No such branch in your scope.")},
    )
    name = serializers.CharField(max_length=50, validators=[PersonName()])
    id_number = serializers.CharField(max_length=40)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    applied_on = serializers.DateField(help_text=_("Date of the written application"), validators=[InWindow("history")])


class RecruitmentDateSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the step"), validators=[InWindow("history")])


class RecruitmentTrainingSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0,
                                     help_text=_("League class hours attended so far (a total)"))  # fmt: skip


class RecruitmentVoteSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the branch general meeting"), validators=[InWindow("history")])
    sponsors = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=2,
        max_length=2,
        help_text=_("The ids of the two sponsors, active League members of the branch"),
    )
    present = serializers.IntegerField(min_value=0, max_value=100_000)
    votes_for = serializers.IntegerField(min_value=0, max_value=100_000)
    votes_against = serializers.IntegerField(min_value=0, max_value=100_000)


class RecruitmentWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


def _record_recruitment_vote(actor, recruitment: Recruitment, *, sponsors: list[int], **values) -> Recruitment:
    """Record the branch general meeting's vote; the two sponsors are named by id, among the people the caller
    sees."""
    found = {p.pk: p for p in Person.objects.visible_to(actor).filter(pk__in=sponsors)}
    if any(pk not in found for pk in sponsors):
        raise exceptions.ValidationError({"sponsors": [_("No such person in your scope.")]})
    return recruitment_services.record_vote(actor, recruitment, sponsors=[found[pk] for pk in sponsors], **values)


class RecruitmentViewSet(ListModelMixin, RetrieveModelMixin, ScopedViewSet):
    """Recruitments (团员发展) of the branches in the caller's subtrees, newest first.

    ``?stage=<stage>`` filters by stage; ``?waiting=1`` lists those whose next step is the caller's.
    ``POST`` records a written application. Each step is a POST action (``name-activist``,
    ``record-training``, ``choose-candidate``, ``precheck``, ``record-vote``, ``approve``, ``record-oath``,
    ``withdraw``); a step out of order, too early or breaking a rule answers 400 naming the rule and writes
    nothing; a step that is not the caller's (a branch secretary's pre-check) answers 403.
    """

    queryset = Recruitment.objects.select_related("branch")
    serializer_class = RecruitmentSerializer
    waiting_for = staticmethod(recruitment_services.waiting_for)
    choice_filter = ("stage", RecruitmentStage, _("Unknown stage."))
    steps = [
        Step("name_activist", recruitment_services.name_activist, RecruitmentDateSerializer),
        Step("record_training", recruitment_services.record_training, RecruitmentTrainingSerializer),
        Step("choose_candidate", recruitment_services.choose_candidate, RecruitmentDateSerializer),
        Step("precheck", recruitment_services.precheck, RecruitmentDateSerializer),
        Step("record_vote", _record_recruitment_vote, RecruitmentVoteSerializer),
        Step("approve", recruitment_services.approve, RecruitmentDateSerializer),
        Step("record_oath", recruitment_services.record_oath, RecruitmentDateSerializer),
        Step("withdraw", recruitment_services.withdraw, RecruitmentWithdrawSerializer),
    ]  # fmt: skip

    @extend_schema(request=RecruitmentApplySerializer, responses=RecruitmentSerializer)
    def create(self, request, *args, **kwargs):
        values = self.validated(RecruitmentApplySerializer, request)
        recruitment = recruitment_services.apply(
            request.user, branch=values["branch"], name=values["name"], id_number=values["id_number"],
            phone=values.get("phone", ""), applied_on=values["applied_on"],
        )  # fmt: skip
        return Response(RecruitmentSerializer(recruitment).data, status=201)

    def step_response(self, step: Step, result: Recruitment) -> Response:
        return Response(RecruitmentSerializer(Recruitment.objects.select_related("branch").get(pk=result.pk)).data)


# --- end of recruitment ----------------------------------------------------------------------------------------


# --- annual review and registration (教育评议, 团籍注册) ------------------------------------------------------


class ReviewEntrySerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    # "" until the member is graded: documented, so the answer matches the schema
    grade = serializers.ChoiceField(choices=ReviewGrade.choices, allow_blank=True, read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = ReviewEntry
        fields = ["id", "person", "person_name", "grade", "grade_label", "registered_on", "deferred_until"]
        read_only_fields = fields


class AnnualReviewSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    members = serializers.IntegerField(read_only=True, help_text=_("Members reviewed"))
    ungraded = serializers.IntegerField(read_only=True, help_text=_("Members not graded yet"))
    excellent = serializers.IntegerField(read_only=True, help_text=_("Members graded Excellent"))
    registered = serializers.IntegerField(read_only=True, help_text=_("Members registered"))

    class Meta:
        model = AnnualReview
        fields = ["id", "branch", "branch_name", "year", "status", "status_label", "meeting_on", "members_present",
                  "submitted_at", "approved_at", "members", "ungraded", "excellent", "registered"]  # fmt: skip
        read_only_fields = fields


class AnnualReviewDetailSerializer(AnnualReviewSerializer):
    entries = ReviewEntrySerializer(many=True, read_only=True)
    excellent_allowed = serializers.SerializerMethodField(help_text=_("How many may be graded Excellent"))

    class Meta(AnnualReviewSerializer.Meta):
        fields = [*AnnualReviewSerializer.Meta.fields, "excellent_allowed", "entries"]
        read_only_fields = fields

    def get_excellent_allowed(self, review: AnnualReview) -> int:
        return reviews.excellent_allowed(getattr(review, "members", 0) or 0)


class ReviewOpenSerializer(serializers.Serializer):
    branch = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        action=CHANGE,
        error_messages={"does_not_exist": _("No such branch in your scope.")},
    )
    year = serializers.IntegerField(min_value=1900, max_value=9999)


class ReviewGradeSerializer(serializers.Serializer):
    grades = serializers.DictField(
        child=serializers.ChoiceField(choices=[("", "—"), *ReviewGrade.choices], allow_blank=True),
        allow_empty=False,
        help_text=_('{"<person id>": "excellent" | "qualified" | "basic" | "unqualified" | ""}, all or none'),
    )

    def validate_grades(self, value: dict[str, str]) -> dict[int, str]:
        if len(value) > 10_000:
            raise serializers.ValidationError(_("Too many grades in one request."))
        out: dict[int, str] = {}
        for key, grade in value.items():
            if not str(key).isdecimal() or len(str(key)) > 18:
                raise serializers.ValidationError(_("The keys are the members' person ids."))
            out[int(key)] = grade
        return out


class ReviewSubmitSerializer(serializers.Serializer):
    meeting_on = serializers.DateField(help_text=_("Date of the review meeting"), validators=[InWindow("history")])
    members_present = serializers.IntegerField(min_value=0, max_value=100_000)


class ReviewReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, help_text=_("Why the review is returned"))


class ReviewRegisterSerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False, help_text=_("Registration date (default: today)"), validators=[InWindow("history")]
    )
    defer_until = serializers.DateField(
        required=False,
        help_text=_("Until when the Unqualified members are deferred (default: the earliest allowed)"),
        validators=[InWindow("plan")],
    )


class ReviewDeferSerializer(serializers.Serializer):
    entry = serializers.IntegerField(min_value=1, max_value=2**62, help_text=_("The review entry's id"))
    until = serializers.DateField(validators=[InWindow("plan")])


class RegistrationSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    deferred = serializers.IntegerField()


def _register_review(actor, review: AnnualReview, *, on=None, defer_until=None) -> reviews.Registration:
    """Register the members of an approved review graded Basically qualified or better on ``on`` (default:
    today) and defer the Unqualified ones (to ``defer_until``, default the earliest allowed)."""
    return reviews.register(actor, review, on=on or timezone.localdate(), defer_until=defer_until)


def _defer_review_entry(actor, review: AnnualReview, *, entry: int, until) -> ReviewEntry:
    """Defer the registration of one Unqualified member of the approved review (``entry``: the review entry's id)
    to ``until``."""
    found = ReviewEntry.objects.filter(review=review, pk=entry).first()
    if found is None:
        raise exceptions.ValidationError({"entry": [_("No such entry in this review.")]})
    return reviews.defer(actor, found, until=until)


class AnnualReviewViewSet(ListModelMixin, RetrieveModelMixin, ScopedViewSet):
    """Annual reviews (教育评议) of the branches in the caller's subtrees, newest year first.

    Filters: ``?year=``, ``?status=draft|submitted|approved``, ``?org=<id>`` (its subtree). ``POST`` opens
    a branch's review of a year (``{"branch", "year"}``). Actions: ``grade`` (``{"grades": {person id:
    grade}}``, draft only), ``submit`` (``{"meeting_on", "members_present"}``; refused naming the rule:
    ungraded members, more Excellent than the cap allows, two thirds not present, a meeting in the
    future), ``approve`` and ``return-for-changes`` (``{"reason"}``) by the committee above the branch,
    ``register`` (``{"on", "defer_until"}``) after approval, ``defer`` (``{"entry", "until"}``). A refused
    action answers 400 (403 for a role that may not take it) and changes nothing.
    """

    queryset = AnnualReview.objects.select_related("branch")
    serializer_class = AnnualReviewSerializer
    filterset_class = AnnualReviewFilter
    steps = [
        Step("grade", reviews.grade, ReviewGradeSerializer, response=AnnualReviewDetailSerializer),
        Step("submit", reviews.submit, ReviewSubmitSerializer, response=AnnualReviewDetailSerializer),
        Step("approve", reviews.approve, response=AnnualReviewDetailSerializer),
        Step("return_for_changes", reviews.return_for_changes, ReviewReturnSerializer,
             response=AnnualReviewDetailSerializer),
        Step("register", _register_review, ReviewRegisterSerializer, response=RegistrationSerializer),
        Step("defer", _defer_review_entry, ReviewDeferSerializer, response=ReviewEntrySerializer),
    ]  # fmt: skip

    def get_base_queryset(self):
        qs = (
            super()
            .get_base_queryset()
            .annotate(
                members=Count("entries"),
                ungraded=Count("entries", filter=Q(entries__grade="")),
                excellent=Count("entries", filter=Q(entries__grade=ReviewGrade.EXCELLENT)),
                registered=Count("entries", filter=Q(entries__registered_on__isnull=False)),
            )
        )
        if self.action != "list":
            entries = ReviewEntry.objects.select_related("person").order_by("person__name_pinyin", "person_id")
            qs = qs.prefetch_related(Prefetch("entries", queryset=entries))
        return qs.order_by("-year", "org_path", "id")

    def get_serializer_class(self):
        return AnnualReviewSerializer if self.action == "list" else AnnualReviewDetailSerializer

    def _answer(self, review: AnnualReview, status: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=review.pk)
        return Response(AnnualReviewDetailSerializer(fresh).data, status=status)

    def step_response(self, step: Step, result) -> Response:
        if isinstance(result, AnnualReview):
            return self._answer(result)
        return super().step_response(step, result)

    @extend_schema(request=ReviewOpenSerializer, responses=AnnualReviewDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = self.validated(ReviewOpenSerializer, request)
        review = reviews.open_review(request.user, branch=data["branch"], year=data["year"])
        return self._answer(review, status=201)


# --- end of annual review ------------------------------------------------------------------------------------


# --- party recommendation (推优入党) ---------------------------------------------------------------------------


class RecommendationSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    party_org_name = serializers.CharField(source="party_org.name", read_only=True, default="")
    next_step = serializers.SerializerMethodField(help_text=_("The step the record waits for (empty when closed)"))

    class Meta:
        model = PartyRecommendation
        fields = [
            "id", "person", "person_name", "branch", "branch_name", "party_application_on", "status", "status_label",
            "next_step", "meeting_on", "voters_expected", "votes_for", "votes_against", "approved_on", "party_org",
            "party_org_name", "handed_over_on", "outcome_on", "actors", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_next_step(self, rec: PartyRecommendation) -> str:
        return recommendation_services.NEXT_STEP.get(rec.status, "")


class RecommendationProposeSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("The member's id"))
    party_application_on = serializers.DateField(
        help_text=_("Date the member applied to join the Party"), validators=[InWindow("history")]
    )


class RecommendationVoteSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the branch general meeting"), validators=[InWindow("history")])
    voters_expected = serializers.IntegerField(min_value=1, max_value=100_000)
    votes_for = serializers.IntegerField(min_value=0, max_value=100_000)
    votes_against = serializers.IntegerField(min_value=0, max_value=100_000)


class RecommendationDateSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the step"), validators=[InWindow("history")])


class RecommendationHandOverSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the hand-over"), validators=[InWindow("history")])
    party_org = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The paired party organisation (default: it)"),
    )


class RecommendationOutcomeSerializer(serializers.Serializer):
    admitted = serializers.BooleanField(help_text=_("Whether the party admitted the member"))
    on = serializers.DateField(help_text=_("Date of the party's decision"), validators=[InWindow("history")])


class RecommendationViewSet(ListModelMixin, RetrieveModelMixin, ScopedViewSet):
    """Party recommendations (推优入党) of the branches in the caller's subtrees, newest first.

    ``?status=<status>`` filters; ``?waiting=1`` lists those whose next step is the caller's. ``POST`` proposes a
    member (eligibility and the branch quota checked, each refusal naming its rule). Steps are POST actions:
    ``record-vote``, ``approve``, ``hand-over``, ``record-outcome``, ``withdraw``.
    """

    queryset = PartyRecommendation.objects.select_related("person", "branch", "party_org")
    serializer_class = RecommendationSerializer
    waiting_for = staticmethod(recommendation_services.waiting_for)
    choice_filter = ("status", RecommendationStatus, _("Unknown status."))
    steps = [
        Step("record_vote", recommendation_services.record_vote, RecommendationVoteSerializer),
        Step("approve", recommendation_services.approve, RecommendationDateSerializer),
        Step("hand_over", recommendation_services.hand_over, RecommendationHandOverSerializer),
        Step("record_outcome", recommendation_services.record_outcome, RecommendationOutcomeSerializer),
        Step("withdraw", recommendation_services.withdraw),
    ]  # fmt: skip

    @extend_schema(request=RecommendationProposeSerializer, responses=RecommendationSerializer)
    def create(self, request, *args, **kwargs):
        values = self.validated(RecommendationProposeSerializer, request)
        person = Person.objects.visible_to(request.user, CHANGE).filter(pk=values["person"]).first()
        if person is None:
            raise exceptions.ValidationError({"person": [_("No such person in your scope.")]})
        rec = recommendation_services.propose(
            request.user, person=person, party_application_on=values["party_application_on"]
        )
        return Response(RecommendationSerializer(rec).data, status=201)


# --- end of party recommendation -------------------------------------------------------------------------------


# --- lapse (自行脱团) -----------------------------------------------------------------------------------------


class LapseCaseSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = LapseCase
        fields = [
            "id", "person", "person_name", "branch", "branch_name", "status", "status_label", "meeting_on", "note",
            "last_dues_month", "last_attended_at", "proposed_at", "decided_on", "rejection_reason",
        ]  # fmt: skip
        read_only_fields = fields


class LapseProposeSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("The member's id (on the lapse list)")
    )
    meeting_on = serializers.DateField(
        help_text=_("Date of the branch meeting that decided"), validators=[InWindow("history")]
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LapseRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text=_("Why the lapse is rejected (the branch reads it)"))


class LapseCaseViewSet(ListModelMixin, RetrieveModelMixin, ScopedViewSet):
    """Lapse cases (自行脱团) of the branches in the caller's subtrees, newest first.

    ``?status=proposed|approved|rejected`` filters; ``?waiting=1`` lists those waiting for the caller's decision.
    ``POST`` proposes a member the lapse list shows (``{"person", "meeting_on", "note"}``, the branch side; a member
    not listed is refused by name). ``approve`` (no body) and ``reject`` (``{"reason"}``) are the committee above
    the branch's (403 for the branch itself); approval ends the member's membership today (status left, reason
    lapsed). A refused step answers 400 and writes nothing.
    """

    queryset = LapseCase.objects.select_related("person", "branch")
    serializer_class = LapseCaseSerializer
    waiting_for = staticmethod(lapse_services.waiting_for)
    choice_filter = ("status", LapseStatus, _("Unknown status."))
    steps = [
        Step("approve", lapse_services.approve),
        Step("reject", lapse_services.reject, LapseRejectSerializer),
    ]

    @extend_schema(request=LapseProposeSerializer, responses=LapseCaseSerializer)
    def create(self, request, *args, **kwargs):
        values = self.validated(LapseProposeSerializer, request)
        person = Person.objects.visible_to(request.user, CHANGE).filter(pk=values["person"]).first()
        if person is None:
            raise exceptions.ValidationError({"person": [_("No such person in your scope.")]})
        case = lapse_services.propose(
            request.user, person=person, meeting_on=values["meeting_on"], note=values.get("note", "")
        )
        return Response(LapseCaseSerializer(case).data, status=201)


# --- end of lapse ----------------------------------------------------------------------------------------------
