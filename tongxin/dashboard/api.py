"""``GET /api/dashboards/<organisation id>/``: an organisation's dashboard figures (404 outside the caller's
scope), the same data the page draws."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.core.api import ScopedViewSet
from tongxin.core.dbrouting import reads_from_replica
from tongxin.dashboard import queries
from tongxin.orgs.models import Organization
from tongxin.orgs.queries import top_organizations


class DashboardStartSerializer(serializers.Serializer):
    """Where a dashboard starts: one of the caller's top organisations."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    members = serializers.IntegerField(read_only=True)
    children_count = serializers.IntegerField(read_only=True)


class DashboardViewSet(ScopedViewSet):
    """``GET /api/dashboards/``: where the caller's dashboards start (her top organisations, with their member
    counts); ``GET /api/dashboards/<id>/``: one organisation's figures."""

    queryset = Organization.objects.all()
    pagination_class = None  # a handful of top organisations: the list is a plain array, as its schema says

    @extend_schema(responses=DashboardStartSerializer(many=True))
    def list(self, request: Request, **kwargs: Any) -> Response:
        tops = top_organizations(request.user)
        return Response([
            {"id": org.pk, "name": org.name, "kind": org.kind, "members": org.stats.members_total,
             "children_count": org.stats.children_count}
            for org in tops
        ])  # fmt: skip

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        with reads_from_replica():  # a dashboard may be a moment old (docs/scale-out.md)
            return Response(queries.as_dict(queries.dashboard(self.get_object())))
