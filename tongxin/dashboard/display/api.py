"""``/api/wall-displays/``: the display links of the wall display (the links page's actions). GET lists those of
the caller's scope (``?organization=<id>``: one organisation's); POST makes one for an organisation the caller may
change (its token in the answer, once: it is stored only as a hash); ``<id>/revoke/`` ends one. The screen's
figures are not here: the display page fetches them with its token (``dashboard:wall_display_figures``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.core import params
from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.scoping import CHANGE
from tongxin.dashboard.display import services
from tongxin.dashboard.display.models import WallDisplay
from tongxin.orgs.models import Organization


class WallDisplaySerializer(serializers.ModelSerializer):
    class Meta:
        model = WallDisplay
        fields = ["id", "organization", "label", "created_at", "expires_at", "revoked_at", "last_used_at"]
        read_only_fields = fields


class WallDisplayCreateSerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE,
                                                help_text="the organisation whose wall the screen shows")  # fmt: skip
    # a field named like Field.label: DRF's metaclass takes it out of the class attributes, mypy cannot know
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=services.LABEL_MAX, help_text="the screen, e.g. 会议室大屏"
    )
    expires_on = serializers.DateField(required=False, help_text="the last day it works (default and latest: a "
                                       "year from today)")  # fmt: skip


class WallDisplayCreatedSerializer(WallDisplaySerializer):
    token = serializers.CharField(read_only=True, help_text="shown this once: send it as Authorization: Display")
    link = serializers.CharField(read_only=True, help_text="the link to open on the screen (the token in its "
                                 "fragment)")  # fmt: skip

    class Meta(WallDisplaySerializer.Meta):
        fields = [*WallDisplaySerializer.Meta.fields, "token", "link"]
        read_only_fields = fields


ORGANIZATION = OpenApiParameter("organization", int, description="only the links of this organisation")


class WallDisplayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Display links (大屏展示链接) of the organisations in the caller's scope, newest first."""

    queryset = WallDisplay.objects.all()
    serializer_class = WallDisplaySerializer
    steps = [Step("revoke", services.revoke_display)]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return WallDisplayCreateSerializer if self.action == "create" else WallDisplaySerializer

    def get_base_queryset(self):
        queryset = super().get_base_queryset().order_by("-created_at", "-id")
        if self.action == "list" and "organization" in self.request.query_params:
            pk = params.parse_id(self.request.query_params["organization"])
            if pk is None:
                raise exceptions.ValidationError({"organization": [_("Give the organisation's id (a number).")]})
            queryset = queryset.filter(organization_id=pk)
        return queryset

    @extend_schema(parameters=[ORGANIZATION])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=WallDisplayCreateSerializer, responses={201: WallDisplayCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(WallDisplayCreateSerializer, request)
        display, token = services.create_display(request.user, values["organization"], label=values["label"],
                                                 expires_on=values.get("expires_on"))  # fmt: skip
        link = services.display_url(request, token)
        body = WallDisplayCreatedSerializer(display).data | {"token": token, "link": link}
        response = Response(body, status=201)
        response["Cache-Control"] = "no-store"
        return response
