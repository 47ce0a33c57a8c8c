"""Donation drives API (Tongxin takes no money: these are records of a partner charity's drive).

``/api/donation-drives/``: the drives the caller sees, with their totals; POST opens a drive of an organisation
the caller may change; step ``close``.
``/api/donations/``: the donations the caller sees (``?drive=``); ``donor_name`` is given only to those who may
change the drive (else "" with ``donor_hidden``). POST records a donation; step ``void`` (``reason``).
``/api/disbursements/``: the disbursements (``?drive=``); POST records one (evidence files through the page).
Amounts are decimals in yuan, as strings ("150.50"); more than two decimal places is refused, never rounded.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.response import Response

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.params import parse_id
from tongxin.core.scoping import CHANGE, scope_for
from tongxin.donations import services
from tongxin.donations.models import Disbursement, Donation, DonationDrive, DonorKind
from tongxin.orgs.models import Organization


def _money(help_text: str) -> serializers.DecimalField:
    """An amount in yuan, as a string; its places and range are the service's to refuse (with its message)."""
    return serializers.DecimalField(max_digits=14, decimal_places=None, coerce_to_string=True, help_text=help_text)


class DriveSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    received = serializers.SerializerMethodField()
    disbursed = serializers.SerializerMethodField()

    class Meta:
        model = DonationDrive
        fields = ["id", "organization", "organization_name", "title", "partner", "goal", "starts_on", "ends_on",
                  "beneficiaries", "status", "status_label", "received", "disbursed", "closed_at"]  # fmt: skip
        read_only_fields = fields

    def get_received(self, row: DonationDrive) -> str:
        return str(services.received(row))

    def get_disbursed(self, row: DonationDrive) -> str:
        return str(services.disbursed(row))


class DonationSerializer(serializers.ModelSerializer):
    donor_name = serializers.SerializerMethodField()
    donor_hidden = serializers.SerializerMethodField()
    voided = serializers.BooleanField(read_only=True)

    class Meta:
        model = Donation
        fields = ["id", "drive", "donor_kind", "donor_name", "donor_hidden", "amount", "donated_on", "receipt_number",
                  "voided", "voided_at", "void_reason", "recorded_at"]  # fmt: skip
        read_only_fields = fields

    def _shown(self, row: Donation) -> bool:
        request = self.context.get("request")
        return request is not None and scope_for(request.user, CHANGE).covers_path(row.org_path)

    def get_donor_name(self, row: Donation) -> str:
        return row.donor_name if self._shown(row) else ""

    def get_donor_hidden(self, row: Donation) -> bool:
        return row.donor_kind != DonorKind.ANONYMOUS and not self._shown(row)


class DisbursementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disbursement
        fields = ["id", "drive", "amount", "disbursed_on", "purpose", "recipient", "recorded_at"]
        read_only_fields = fields


class DriveField(ScopedPrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("No such donation drive in your scope."),
        "incorrect_type": _("Give the drive's id (a number)."),
    }


class CreateDriveSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                            help_text="An organisation the caller may change")  # fmt: skip
    title = serializers.CharField(max_length=100)
    partner = serializers.CharField(max_length=100, help_text="The partner charity qualified for public fundraising")
    goal = _money("Yuan, at most two decimal places")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    beneficiaries = serializers.CharField(max_length=1000)


class RecordDonationSerializer(serializers.Serializer):
    drive = DriveField(queryset=DonationDrive.objects.all(), action=CHANGE)
    donor_kind = serializers.ChoiceField(choices=DonorKind.choices)
    donor_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    amount = _money("Yuan, more than zero, at most two decimal places")
    donated_on = serializers.DateField()
    receipt_number = serializers.CharField(max_length=40)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class RecordDisbursementSerializer(serializers.Serializer):
    drive = DriveField(queryset=DonationDrive.objects.all(), action=CHANGE)
    amount = _money("Yuan, at most the drive's balance")
    disbursed_on = serializers.DateField()
    purpose = serializers.CharField(max_length=200)
    recipient = serializers.CharField(max_length=100)


def _drive_filter(view: Any, qs: Any) -> Any:
    raw = view.request.query_params.get("drive")
    if raw is None:
        return qs
    drive_id = parse_id(raw)
    if drive_id is None:
        raise exceptions.ValidationError({"drive": [_("Give the drive's id (a number).")]})
    return qs.filter(drive_id=drive_id)


class DonationDriveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = DonationDrive.objects.select_related("organization").order_by("-starts_on", "-id")
    serializer_class = DriveSerializer
    steps = [Step("close", services.close_drive)]

    @extend_schema(request=CreateDriveSerializer, responses={201: DriveSerializer})
    def create(self, request, *args, **kwargs):
        """Open a drive run by an organisation the caller may change, with a partner charity."""
        values = self.validated(CreateDriveSerializer, request)
        org = Organization.objects.filter(scope_for(request.user, CHANGE).q("path"), pk=values.pop("organization"))
        organization = org.first()
        if organization is None:
            raise exceptions.ValidationError({"organization": [_("No such organisation in your scope.")]})
        row = services.create_drive(request.user, organization=organization, **values)
        return Response(DriveSerializer(row).data, status=201)


class DonationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Donation.objects.order_by("-donated_on", "-id")
    serializer_class = DonationSerializer
    steps = [Step("void", services.void_donation, VoidSerializer)]

    def get_base_queryset(self):
        return _drive_filter(self, super().get_base_queryset())

    @extend_schema(request=RecordDonationSerializer, responses={201: DonationSerializer})
    def create(self, request, *args, **kwargs):
        """Record a donation from the partner charity's receipt (the drive open)."""
        values = self.validated(RecordDonationSerializer, request)
        drive = values.pop("drive")
        row = services.record_donation(request.user, drive, **values)
        return Response(DonationSerializer(row, context={"request": request}).data, status=201)


class DisbursementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Disbursement.objects.order_by("-disbursed_on", "-id")
    serializer_class = DisbursementSerializer

    def get_base_queryset(self):
        return _drive_filter(self, super().get_base_queryset())

    @extend_schema(request=RecordDisbursementSerializer, responses={201: DisbursementSerializer})
    def create(self, request, *args, **kwargs):
        """Record money the partner spent on the beneficiaries (never more than the drive's balance)."""
        values = self.validated(RecordDisbursementSerializer, request)
        drive = values.pop("drive")
        row = services.record_disbursement(request.user, drive, **values)
        return Response(DisbursementSerializer(row).data, status=201)
