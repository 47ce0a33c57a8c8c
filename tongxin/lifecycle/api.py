"""Lifecycle API: each workflow's list, detail and transitions, scoped like everything else.

One section per workflow (transfers, age-out, dues); every transition calls the workflow's service.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.lifecycle.models import Transfer, TransferReason, TransferSide
from tongxin.lifecycle.services import transfers
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
