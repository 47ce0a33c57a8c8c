"""Lifecycle API: each workflow's list, detail and transitions, scoped like everything else.

One section per workflow (transfers, age-out, dues); every transition calls the workflow's service.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.lifecycle.models import Transfer, TransferReason, TransferSide
from tongxin.lifecycle.services import ageout, transfers
from tongxin.orgs.models import LEAGUE_KINDS, Organization
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
            person = Person.objects.filter(id_number=normalise_id_number(values["id_number"])).first()
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
            if not raw.isdigit() or int(raw) >= 2**63:
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
