"""Lifecycle API: each workflow's list, detail and transitions, scoped like everything else.

One section per workflow (transfers, age-out, dues); every transition calls the workflow's service.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.mixins import DestroyModelMixin, ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from tongxin.core.api_pagination import KeysetPagination
from tongxin.core.masking import mask_id_number, mask_phone
from tongxin.core.scoping import CHANGE, scope_for, subtree_q
from tongxin.lifecycle.models import (
    AnnualReview,
    DuesKind,
    DuesPayment,
    PartyRecommendation,
    RecommendationStatus,
    Recruitment,
    RecruitmentStage,
    ReviewEntry,
    ReviewGrade,
    ReviewStatus,
    Transfer,
    TransferReason,
    TransferSide,
)
from tongxin.lifecycle.services import ageout, dues, transfers
from tongxin.lifecycle.services import recommendation as recommendation_services
from tongxin.lifecycle.services import recruitment as recruitment_services
from tongxin.lifecycle.services import review as reviews
from tongxin.orgs.models import LEAGUE_KINDS, Organization, path_ids
from tongxin.people.models import Person
from tongxin.people.validators import normalise_id_number

# --- transfers -------------------------------------------------------------------------------------------


class TransferSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    from_org_name = serializers.CharField(source="from_org.name", read_only=True)
    to_org_name = serializers.CharField(source="to_org.name", read_only=True, default="")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "person", "person_name", "from_org", "from_org_name", "to_org", "to_org_name", "to_branch",
            "external_destination", "reason", "note", "status", "status_label", "started_by_side", "started_at",
            "out_approved_at", "in_accepted_at", "closed_at", "rejection_reason", "last_action_at",
        ]  # fmt: skip
        read_only_fields = fields


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


class TransferViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Transfers visible from either side (the sending and the receiving subtree), newest first.

    ``?waiting=1`` lists only those the caller may act on now. Each transition is a POST action; an
    action that the state or the caller's role does not allow answers 400 or 403 and changes nothing.
    """

    queryset = Transfer.objects.select_related("person", "from_org", "to_org")
    serializer_class = TransferSerializer

    def get_queryset(self):
        if self.action == "list" and self.request.query_params.get("waiting") == "1":
            return transfers.waiting_for(self.request.user).select_related("person", "from_org", "to_org")
        return super().get_queryset()

    @extend_schema(request=TransferStartSerializer, responses=TransferSerializer)
    def create(self, request, *args, **kwargs):
        data = TransferStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        if values.get("person"):
            person = Person.objects.visible_to(user).filter(pk=values["person"]).first()
            if person is None:
                raise exceptions.ValidationError({"person": [_("No such person in your scope.")]})
            side = TransferSide.SENDING if scope_for(user, CHANGE).covers_path(person.org_path) else TransferSide.MEMBER
        elif values.get("id_number"):
            person = Person.objects.with_id_number(normalise_id_number(values["id_number"])).first()
            if person is None:
                raise exceptions.ValidationError({"id_number": [_("No member with this ID number is registered.")]})
            side = TransferSide.RECEIVING
        else:
            raise exceptions.ValidationError({"person": [_("Give the person's id or, receiving, the ID number.")]})
        transfer = transfers.start_transfer(
            user, person=person, side=side, to_org=values.get("to_org"),
            external_destination=values.get("external_destination", ""), reason=values["reason"],
            note=values.get("note", ""),
        )  # fmt: skip
        return Response(TransferSerializer(transfer).data, status=201)

    def _transition(self, request, action: str) -> Response:
        transfer = self.get_object()
        data = TransferActionSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if action == "approve_out":
            transfer = transfers.approve_out(request.user, transfer)
        elif action == "accept_in":
            transfer = transfers.accept_in(request.user, transfer, branch=values.get("branch"))
        elif action == "reject":
            transfer = transfers.reject(request.user, transfer, reason=values.get("reason", ""))
        else:
            transfer = transfers.cancel(request.user, transfer)
        return Response(TransferSerializer(transfer).data)

    @extend_schema(request=TransferActionSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="approve-out")
    def approve_out(self, request, pk=None, **kwargs):
        return self._transition(request, "approve_out")

    @extend_schema(request=TransferActionSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="accept-in")
    def accept_in(self, request, pk=None, **kwargs):
        return self._transition(request, "accept_in")

    @extend_schema(request=TransferActionSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, **kwargs):
        return self._transition(request, "reject")

    @extend_schema(request=TransferActionSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, **kwargs):
        return self._transition(request, "cancel")


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


class AgeOutViewSet(ListModelMixin, RetrieveModelMixin, viewsets.GenericViewSet):
    """Members due to age out today (超龄离团) in the caller's subtrees: active members of league branches,
    aged 28 (the ``league_max_age`` rule) or more, without a current league post; by branch, oldest first.

    ``?org=<id>`` narrows the list to that organisation's subtree (one outside the caller's scope lists
    nothing). ``/api/age-outs/<person id>/``: one person in the caller's scope, with ``eligible``.
    ``POST /api/age-outs/confirm/`` ``{"person_ids": [...]}`` confirms a batch, all or nothing: a 400
    names everyone who is not due or not in the caller's organisations, and nothing is written.
    """

    serializer_class = AgeOutCandidateSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action != "list":
            return Person.objects.visible_to(user).select_related("branch")
        raw = self.request.query_params.get("org", "")
        org = None
        if raw:
            if not raw.isdecimal() or int(raw) >= 2**63:
                raise exceptions.ValidationError({"org": [_("Give the organisation's id (a number).")]})
            org = Organization.objects.visible_to(user).filter(pk=int(raw)).first()
            if org is None:
                return Person.objects.none()
        return ageout.age_out_candidates(user, org, self._on()).select_related("branch")

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
        data = AgeOutConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = ageout.confirm_age_out(request.user, person_ids=data.validated_data["person_ids"], on=self._on())
        return Response(AgeOutConfirmedSerializer({"confirmed": count}).data)


# --- end of age-out ------------------------------------------------------------------------------------------


# --- dues (团费, 党费) -----------------------------------------------------------------------------------------


class DuesPaymentFilter(django_filters.FilterSet):
    branch = django_filters.NumberFilter(
        method="filter_branch", min_value=1, max_value=2**62, label=_("Branch (an organisation: its whole subtree)")
    )
    month = django_filters.CharFilter(method="filter_month", label=_("Month (yyyy-mm)"))
    kind = django_filters.ChoiceFilter(choices=DuesKind.choices, label=_("Kind"))
    person = django_filters.NumberFilter(field_name="person_id", min_value=1, max_value=2**62, label=_("Person"))

    class Meta:
        model = DuesPayment
        fields = ["branch", "month", "kind", "person"]

    def filter_branch(self, queryset, name, value):
        org = Organization.objects.filter(pk=int(value)).only("path").first()
        return queryset.filter(subtree_q("org_path", org.path)) if org else queryset.none()

    def filter_month(self, queryset, name, value):
        month = dues.parse_month(value)
        if month is None:
            raise exceptions.ValidationError({"month": [_("Give the month as yyyy-mm.")]})
        return queryset.filter(month=month)


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
    month = serializers.CharField(max_length=7, help_text=_("The month paid for, yyyy-mm"))
    person_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=1000,
        help_text=_("The members of the branch who paid, all marked or none"),
    )
    paid_on = serializers.DateField(required=False, help_text=_("Default: today"))

    def validate_month(self, value: str):
        month = dues.parse_month(value)
        if month is None:
            raise serializers.ValidationError(_("Give the month as yyyy-mm."))
        return month


class DuesPaymentViewSet(ScopedViewSetMixin, ListModelMixin, RetrieveModelMixin, DestroyModelMixin,
                         viewsets.GenericViewSet):  # fmt: skip
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
        data = DuesMarkPaidSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
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
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=40)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    applied_on = serializers.DateField(help_text=_("Date of the written application"))


class RecruitmentDateSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the step"))


class RecruitmentTrainingSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0,
                                     help_text=_("League class hours attended so far (a total)"))  # fmt: skip


class RecruitmentVoteSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the branch general meeting"))
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


class RecruitmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Recruitments (团员发展) of the branches in the caller's subtrees, newest first.

    ``?stage=<stage>`` filters by stage; ``?waiting=1`` lists those whose next step is the caller's.
    ``POST`` records a written application. Each step is a POST action (``name-activist``,
    ``record-training``, ``choose-candidate``, ``precheck``, ``record-vote``, ``approve``, ``record-oath``,
    ``withdraw``); a step out of order, too early or breaking a rule answers 400 naming the rule and writes
    nothing; a step that is not the caller's (a branch secretary's pre-check) answers 403.
    """

    queryset = Recruitment.objects.select_related("branch")
    serializer_class = RecruitmentSerializer

    def get_queryset(self):
        if self.action == "list" and self.request.query_params.get("waiting") == "1":
            qs = recruitment_services.waiting_for(self.request.user).select_related("branch")
        else:
            qs = super().get_queryset()
        stage = self.request.query_params.get("stage") if self.action == "list" else None
        if stage:
            if stage not in RecruitmentStage.values:
                raise exceptions.ValidationError({"stage": [_("Unknown stage.")]})
            qs = qs.filter(stage=stage)
        return qs

    @extend_schema(request=RecruitmentApplySerializer, responses=RecruitmentSerializer)
    def create(self, request, *args, **kwargs):
        data = RecruitmentApplySerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        recruitment = recruitment_services.apply(
            request.user, branch=values["branch"], name=values["name"], id_number=values["id_number"],
            phone=values.get("phone", ""), applied_on=values["applied_on"],
        )  # fmt: skip
        return Response(RecruitmentSerializer(recruitment).data, status=201)

    def _step(self, request, step: str) -> Response:
        recruitment = self.get_object()
        data: serializers.Serializer
        if step in ("name_activist", "choose_candidate", "precheck", "approve", "record_oath"):
            data = RecruitmentDateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            recruitment = getattr(recruitment_services, step)(request.user, recruitment, on=data.validated_data["on"])
        elif step == "record_training":
            data = RecruitmentTrainingSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            recruitment = recruitment_services.record_training(
                request.user, recruitment, hours=data.validated_data["hours"]
            )
        elif step == "record_vote":
            data = RecruitmentVoteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            found = {p.pk: p for p in Person.objects.visible_to(request.user).filter(pk__in=values["sponsors"])}
            if any(pk not in found for pk in values["sponsors"]):
                raise exceptions.ValidationError({"sponsors": [_("No such person in your scope.")]})
            recruitment = recruitment_services.record_vote(
                request.user, recruitment, on=values["on"], sponsors=[found[pk] for pk in values["sponsors"]],
                present=values["present"], votes_for=values["votes_for"], votes_against=values["votes_against"],
            )  # fmt: skip
        else:
            data = RecruitmentWithdrawSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            recruitment = recruitment_services.withdraw(request.user, recruitment, reason=data.validated_data["reason"])
        recruitment = Recruitment.objects.select_related("branch").get(pk=recruitment.pk)
        return Response(RecruitmentSerializer(recruitment).data)

    @extend_schema(request=RecruitmentDateSerializer, responses=RecruitmentSerializer)
    @action(detail=True, methods=["post"], url_path="name-activist")
    def name_activist(self, request, pk=None, **kwargs):
        return self._step(request, "name_activist")

    @extend_schema(request=RecruitmentTrainingSerializer, responses=RecruitmentSerializer)
    @action(detail=True, methods=["post"], url_path="record-training")
    def record_training(self, request, pk=None, **kwargs):
        return self._step(request, "record_training")

    @extend_schema(request=RecruitmentDateSerializer, responses=RecruitmentSerializer)
    @action(detail=True, methods=["post"], url_path="choose-candidate")
    def choose_candidate(self, request, pk=None, **kwargs):
        return self._step(request, "choose_candidate")

    @extend_schema(request=RecruitmentDateSerializer, responses=RecruitmentSerializer)
    @action(detail=True, methods=["post"])
    def precheck(self, request, pk=None, **kwargs):
        return self._step(request, "precheck")

    @extend_schema(request=RecruitmentVoteSerializer, responses=RecruitmentSerializer)
    @action(detail=True, methods=["post"], url_path="record-vote")
    def record_vote(self, request, pk=None, **kwargs):
        return self._step(request, "record_vote")

    @extend_schema(request=RecruitmentDateSerializer, responses=RecruitmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, **kwargs):
        return self._step(request, "approve")

    @extend_schema(request=RecruitmentDateSerializer, responses=RecruitmentSerializer)
    @action(detail=True, methods=["post"], url_path="record-oath")
    def record_oath(self, request, pk=None, **kwargs):
        return self._step(request, "record_oath")

    @extend_schema(request=RecruitmentWithdrawSerializer, responses=RecruitmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, **kwargs):
        return self._step(request, "withdraw")


# --- end of recruitment ----------------------------------------------------------------------------------------


# --- annual review and registration (教育评议, 团籍注册) ------------------------------------------------------


class AnnualReviewFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", min_value=1900, max_value=9999, label=_("Year"))
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("Status"))
    org = django_filters.NumberFilter(
        method="filter_org", min_value=1, max_value=2**62, label=_("Organisation (its whole subtree)")
    )

    class Meta:
        model = AnnualReview
        fields = ["year", "status", "org"]

    def filter_org(self, queryset, name, value):
        org = Organization.objects.filter(pk=int(value)).only("path").first()
        return queryset.filter(subtree_q("org_path", org.path)) if org else queryset.none()


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
    meeting_on = serializers.DateField(help_text=_("Date of the review meeting"))
    members_present = serializers.IntegerField(min_value=0, max_value=100_000)


class ReviewReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, help_text=_("Why the review is returned"))


class ReviewRegisterSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text=_("Registration date (default: today)"))
    defer_until = serializers.DateField(
        required=False, help_text=_("Until when the Unqualified members are deferred (default: the earliest allowed)")
    )


class ReviewDeferSerializer(serializers.Serializer):
    entry = serializers.IntegerField(min_value=1, max_value=2**62, help_text=_("The review entry's id"))
    until = serializers.DateField()


class RegistrationSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    deferred = serializers.IntegerField()


class AnnualReviewViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
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

    def get_queryset(self):
        qs = (
            super()
            .get_queryset()
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

    @extend_schema(request=ReviewOpenSerializer, responses=AnnualReviewDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = ReviewOpenSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        review = reviews.open_review(request.user, branch=data.validated_data["branch"],
                                     year=data.validated_data["year"])  # fmt: skip
        return self._answer(review, status=201)

    @extend_schema(request=ReviewGradeSerializer, responses=AnnualReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None, **kwargs):
        review = self.get_object()
        data = ReviewGradeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(reviews.grade(request.user, review, data.validated_data["grades"]))

    @extend_schema(request=ReviewSubmitSerializer, responses=AnnualReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, **kwargs):
        review = self.get_object()
        data = ReviewSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(reviews.submit(request.user, review, **data.validated_data))

    @extend_schema(request=None, responses=AnnualReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, **kwargs):
        return self._answer(reviews.approve(request.user, self.get_object()))

    @extend_schema(request=ReviewReturnSerializer, responses=AnnualReviewDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return-for-changes")
    def return_for_changes(self, request, pk=None, **kwargs):
        review = self.get_object()
        data = ReviewReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(reviews.return_for_changes(request.user, review, reason=data.validated_data["reason"]))

    @extend_schema(request=ReviewRegisterSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None, **kwargs):
        review = self.get_object()
        data = ReviewRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        done = reviews.register(request.user, review, on=values.get("on") or timezone.localdate(),
                                defer_until=values.get("defer_until"))  # fmt: skip
        return Response(RegistrationSerializer({"registered": done.registered, "deferred": done.deferred}).data)

    @extend_schema(request=ReviewDeferSerializer, responses=ReviewEntrySerializer)
    @action(detail=True, methods=["post"])
    def defer(self, request, pk=None, **kwargs):
        review = self.get_object()
        data = ReviewDeferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = ReviewEntry.objects.filter(review=review, pk=data.validated_data["entry"]).first()
        if entry is None:
            raise exceptions.ValidationError({"entry": [_("No such entry in this review.")]})
        entry = reviews.defer(request.user, entry, until=data.validated_data["until"])
        return Response(ReviewEntrySerializer(entry).data)


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
    party_application_on = serializers.DateField(help_text=_("Date the member applied to join the Party"))


class RecommendationVoteSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the branch general meeting"))
    voters_expected = serializers.IntegerField(min_value=1, max_value=100_000)
    votes_for = serializers.IntegerField(min_value=0, max_value=100_000)
    votes_against = serializers.IntegerField(min_value=0, max_value=100_000)


class RecommendationDateSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the step"))


class RecommendationHandOverSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("Date of the hand-over"))
    party_org = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The paired party organisation (default: it)"),
    )


class RecommendationOutcomeSerializer(serializers.Serializer):
    admitted = serializers.BooleanField(help_text=_("Whether the party admitted the member"))
    on = serializers.DateField(help_text=_("Date of the party's decision"))


class RecommendationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Party recommendations (推优入党) of the branches in the caller's subtrees, newest first.

    ``?status=<status>`` filters; ``?waiting=1`` lists those whose next step is the caller's. ``POST`` proposes a
    member (eligibility and the branch quota checked, each refusal naming its rule). Steps are POST actions:
    ``record-vote``, ``approve``, ``hand-over``, ``record-outcome``, ``withdraw``.
    """

    queryset = PartyRecommendation.objects.select_related("person", "branch", "party_org")
    serializer_class = RecommendationSerializer

    def get_queryset(self):
        if self.action == "list" and self.request.query_params.get("waiting") == "1":
            qs = recommendation_services.waiting_for(self.request.user).select_related("person", "branch", "party_org")
        else:
            qs = super().get_queryset()
        status = self.request.query_params.get("status") if self.action == "list" else None
        if status:
            if status not in RecommendationStatus.values:
                raise exceptions.ValidationError({"status": [_("Unknown status.")]})
            qs = qs.filter(status=status)
        return qs

    @extend_schema(request=RecommendationProposeSerializer, responses=RecommendationSerializer)
    def create(self, request, *args, **kwargs):
        data = RecommendationProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = Person.objects.visible_to(request.user, CHANGE).filter(pk=values["person"]).first()
        if person is None:
            raise exceptions.ValidationError({"person": [_("No such person in your scope.")]})
        rec = recommendation_services.propose(
            request.user, person=person, party_application_on=values["party_application_on"]
        )
        return Response(RecommendationSerializer(rec).data, status=201)

    def _step(self, request, step: str) -> Response:
        rec = self.get_object()
        services = recommendation_services
        data: serializers.Serializer
        if step == "record_vote":
            data = RecommendationVoteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            rec = services.record_vote(request.user, rec, **data.validated_data)
        elif step == "approve":
            data = RecommendationDateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            rec = services.approve(request.user, rec, on=data.validated_data["on"])
        elif step == "hand_over":
            data = RecommendationHandOverSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            rec = services.hand_over(request.user, rec, party_org=values.get("party_org"), on=values["on"])
        elif step == "record_outcome":
            data = RecommendationOutcomeSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            rec = services.record_outcome(request.user, rec, admitted=values["admitted"], on=values["on"])
        else:
            rec = services.withdraw(request.user, rec)
        return Response(RecommendationSerializer(rec).data)

    @extend_schema(request=RecommendationVoteSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"], url_path="record-vote")
    def record_vote(self, request, pk=None, **kwargs):
        return self._step(request, "record_vote")

    @extend_schema(request=RecommendationDateSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, **kwargs):
        return self._step(request, "approve")

    @extend_schema(request=RecommendationHandOverSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None, **kwargs):
        return self._step(request, "hand_over")

    @extend_schema(request=RecommendationOutcomeSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"], url_path="record-outcome")
    def record_outcome(self, request, pk=None, **kwargs):
        return self._step(request, "record_outcome")

    @extend_schema(request=None, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, **kwargs):
        return self._step(request, "withdraw")


# --- end of party recommendation -------------------------------------------------------------------------------
