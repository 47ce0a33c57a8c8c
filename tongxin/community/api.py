"""Community reporting API (双报到双报告).

``/api/community-registrations/``: the registrations the caller sees; POST registers a person (``person``: the
caller himself, or a member of an organisation the caller may change) or an organisation (``organization``) with
a community (``community``); step ``end``.
``/api/service-needs/``: the needs the caller sees (the community's, and those of communities the caller is
registered with); POST posts a need for a community the caller may change; steps ``take-up`` (``registration``)
and ``close``.
``/api/service-reports/``: the reports the caller sees (``?status=``); POST reports what was done for a registration
the caller may act for: on a need taken up (``take_up``) or free-standing (no ``take_up``); ``hours``, ``people`` and
``photos`` optional (multipart, at most three JPEG or PNG pictures; no photo is ever required). Steps
``acknowledge`` and ``send-back`` (``reason``) for the community, ``resubmit`` for the reporter of a report sent
back.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.response import Response

from tongxin.community import services
from tongxin.community.models import (
    CommunityRegistration,
    NeedKind,
    ReportPhoto,
    ReportStatus,
    ServiceNeed,
    ServiceReport,
    TakeUp,
)
from tongxin.core.api import ScopedViewSet, Step
from tongxin.core.scoping import VIEW
from tongxin.orgs.models import Organization, OrgStatus
from tongxin.people.models import Person


def _id(**kwargs: Any) -> serializers.IntegerField:
    """A row's id (bounded to the column)."""
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, **kwargs)


class CommunityRegistrationSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    registrant_name = serializers.CharField(read_only=True)

    class Meta:
        model = CommunityRegistration
        fields = ["id", "community", "community_name", "person", "organization", "registrant_name", "started_on",
                  "status", "ended_at"]  # fmt: skip
        read_only_fields = fields


class RegisterSerializer(serializers.Serializer):
    community = _id(help_text="An active organisation: the community (社区)")
    person = _id(required=False, allow_null=True,
                                      help_text="The member registering (the caller, or his member)")  # fmt: skip
    organization = _id(required=False, allow_null=True,
                                            help_text="The organisation registering (报到单位)")  # fmt: skip
    started_on = serializers.DateField(required=False, allow_null=True, default=None)


class NeedSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = ServiceNeed
        fields = ["id", "community", "community_name", "kind", "title", "description", "capacity", "starts_on",
                  "ends_on", "status"]  # fmt: skip
        read_only_fields = fields


class PostNeedSerializer(serializers.Serializer):
    community = _id()
    kind = serializers.ChoiceField(choices=NeedKind.choices, default=NeedKind.NEED)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(min_value=1, max_value=10000, required=False, allow_null=True, default=None)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class TakeUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = TakeUp
        fields = ["id", "need", "registration", "created_at"]
        read_only_fields = fields


class TakeUpRequestSerializer(serializers.Serializer):
    registration = _id(help_text="A registration with the need's community")


class ReportPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    file_name = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    def get_url(self, photo) -> str:
        return reverse("community:report_photo", args=[photo.pk])


class ReportSerializer(serializers.ModelSerializer):
    registrant_name = serializers.CharField(source="registration.registrant_name", read_only=True)
    photos = ReportPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceReport
        fields = ["id", "registration", "registrant_name", "take_up", "done_on", "hours", "people", "content",
                  "status", "return_reason", "acknowledged_at", "photos"]  # fmt: skip
        read_only_fields = fields


def _photos(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                 max_length=services.MAX_PHOTOS,
                                 help_text="Optional photos (JPEG or PNG, multipart), at most three",
                                 **kwargs)  # fmt: skip


class ReportBodySerializer(serializers.Serializer):
    content = serializers.CharField(max_length=2000)
    done_on = serializers.DateField(required=False, allow_null=True, default=None)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True, default=None)
    people = serializers.IntegerField(min_value=1, max_value=services.PEOPLE_MAX, required=False, allow_null=True,
                                      default=None)  # fmt: skip
    photos = _photos()


class FileReportSerializer(ReportBodySerializer):
    registration = _id()
    take_up = _id(required=False, allow_null=True, default=None,
                  help_text="A take-up of this registration; left out: a free-standing report")  # fmt: skip


class SendBackSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="What the report should add")


def _pairs(files: list[Any]) -> list[tuple[str, bytes]]:
    return [(f.name or "", f.read()) for f in files]


def _resubmit(actor, report: ServiceReport, **values: Any) -> ServiceReport:
    values["photos"] = _pairs(values.get("photos") or [])
    return services.resubmit_report(actor, report, **values)


def _registration(user, pk: int) -> CommunityRegistration:
    row = CommunityRegistration.objects.visible_to(user).filter(pk=pk).select_related("person").first()
    if row is None:
        raise exceptions.ValidationError({"registration": [_("No such registration in your scope.")]})
    return row


def _take_up(actor, need: ServiceNeed, *, registration: int) -> TakeUp:
    return services.take_up(actor, need, registration=_registration(actor, registration))


class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = CommunityRegistration.objects.select_related("community", "person", "organization").order_by("id")
    serializer_class = CommunityRegistrationSerializer
    steps = [Step("end", services.end_registration, write_scope=VIEW)]  # the service checks who may

    @extend_schema(request=RegisterSerializer, responses={201: CommunityRegistrationSerializer})
    def create(self, request, *args, **kwargs):
        values = self.validated(RegisterSerializer, request)
        user = request.user
        community = Organization.objects.filter(pk=values["community"], status=OrgStatus.ACTIVE).first()
        if community is None:
            raise exceptions.ValidationError({"community": [_("Choose a community.")]})
        person = organization = None
        if values.get("person"):
            person = Person.objects.visible_to(user).filter(pk=values["person"]).first()
            if person is None:
                raise exceptions.ValidationError({"person": [_("No such person in your scope.")]})
        if values.get("organization"):
            organization = Organization.objects.visible_to(user).filter(pk=values["organization"]).first()
            if organization is None:
                raise exceptions.ValidationError({"organization": [_("No such organisation in your scope.")]})
        row = services.register(user, community=community, person=person, organization=organization,
                                started_on=values.get("started_on"))  # fmt: skip
        return Response(CommunityRegistrationSerializer(row).data, status=201)


class NeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = ServiceNeed.objects.select_related("community").order_by("-id")
    serializer_class = NeedSerializer
    steps = [
        Step("take_up", _take_up, TakeUpRequestSerializer, response=TakeUpSerializer, write_scope=VIEW),
        Step("close", services.close_need),
    ]

    @extend_schema(request=PostNeedSerializer, responses={201: NeedSerializer})
    def create(self, request, *args, **kwargs):
        values = self.validated(PostNeedSerializer, request)
        community = Organization.objects.visible_to(request.user).filter(pk=values.pop("community")).first()
        if community is None:
            raise exceptions.ValidationError({"community": [_("No such organisation in your scope.")]})
        row = services.post_need(request.user, community=community, **values)
        return Response(NeedSerializer(row).data, status=201)


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = (
        ServiceReport.objects.select_related("registration__person", "registration__organization", "created_by")
        .prefetch_related(Prefetch("photos", queryset=ReportPhoto.objects.defer("content")))
        .order_by("-done_on", "-id")
    )
    serializer_class = ReportSerializer
    choice_filter = ("status", ReportStatus, _("Unknown report status."))
    steps = [
        Step("acknowledge", services.acknowledge_report),
        Step("send_back", services.send_back_report, SendBackSerializer),
        Step("resubmit", _resubmit, ReportBodySerializer, write_scope=VIEW),  # the member's own: the service checks
    ]

    @extend_schema(request={"multipart/form-data": FileReportSerializer, "application/json": FileReportSerializer},
                   responses={201: ReportSerializer})  # fmt: skip
    def create(self, request, *args, **kwargs):
        values = self.validated(FileReportSerializer, request)
        registration = _registration(request.user, values.pop("registration"))
        take_up = None
        if take_up_id := values.pop("take_up", None):
            take_up = TakeUp.objects.filter(pk=take_up_id, registration=registration).first()
            if take_up is None:
                raise exceptions.ValidationError({"take_up": [_("No such take-up of this registration.")]})
        photos = _pairs(values.pop("photos", None) or [])
        row = services.file_report(request.user, registration, take_up=take_up, photos=photos, **values)
        return Response(ReportSerializer(row).data, status=201)
