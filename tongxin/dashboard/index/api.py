"""``/api/index/``: the caller's top organisations; ``/api/index/<organisation id>/?year=``: the 三力一度
index of an organisation's children (404 outside the caller's scope), the same data as the page;
``weights/`` (GET: its versions, POST: a new version) and ``rankings/`` (POST: the switch) are its admins'
(MANAGE: 403 to someone who only sees it)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.core.api import ScopedViewSet
from tongxin.core.scoping import MANAGE, scope_for
from tongxin.dashboard.index import scores, services
from tongxin.dashboard.index.indicators import INDICATORS
from tongxin.dashboard.models import IndexWeightsVersion
from tongxin.orgs.models import Organization
from tongxin.orgs.queries import top_organizations


def _weights_serializer() -> type[serializers.Serializer]:
    fields: dict[str, Any] = {"valid_from": serializers.DateField(help_text="the first day of the new weights")}
    for indicator in INDICATORS:
        fields[indicator.key] = serializers.IntegerField(min_value=0, max_value=100, required=False, default=0,
                                                         help_text=f"percent ({indicator.dimension})")  # fmt: skip
    return cast(type[serializers.Serializer], type("IndexWeightsSerializer", (serializers.Serializer,), fields))


IndexWeightsSerializer = _weights_serializer()


class IndexRankingsSerializer(serializers.Serializer):
    on = serializers.BooleanField(help_text="true: rank the children by score; false: list them by name")


YEAR = OpenApiParameter("year", int, description="the year assessed (default: this year; not one to come)")


def _year(request: Request) -> int:
    year, refusal = scores.year_param(request.query_params.get("year"))
    if refusal:
        raise exceptions.ValidationError({"year": [refusal]})
    return year


class IndexViewSet(ScopedViewSet):
    """The index of an organisation's children for a year: each child's score, stars and each indicator's raw
    value, scaled value, weight and contribution (ranked only when the organisation switched rankings on)."""

    queryset = Organization.objects.all()
    write_scope = MANAGE
    pagination_class = None  # the list is the caller's few top organisations

    def get_serializer_class(self) -> type[serializers.Serializer]:
        """The body each write takes (what OPTIONS describes)."""
        return IndexRankingsSerializer if self.action == "rankings" else IndexWeightsSerializer

    @extend_schema(responses={200: {"type": "object"}})  # each item: the list is an array, not paginated
    def list(self, request: Request, **kwargs: Any) -> Response:
        """Where the caller's index pages start: her top organisations."""
        return Response([{"id": org.pk, "name": org.name, "kind": org.kind} for org in top_organizations(request.user)])

    @extend_schema(parameters=[YEAR], responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        org = self.get_object()
        return Response(scores.as_dict(scores.index_of(org, _year(request))))

    @extend_schema(methods=["GET"], responses=OpenApiTypes.OBJECT)
    @extend_schema(methods=["POST"], request=IndexWeightsSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get", "post"])
    def weights(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """GET: this organisation's versions of the weights; POST: a new version from ``valid_from`` (the
        percentages must add up to 100: 400 naming the total otherwise)."""
        org = self.get_object()
        if not scope_for(request.user, MANAGE).covers_path(org.path):
            raise PermissionDenied
        if request.method == "POST":
            data = self.validated(IndexWeightsSerializer, request)
            valid_from = data.pop("valid_from")
            services.set_weights(request.user, org, valid_from=valid_from, weights=data)
        versions = IndexWeightsVersion.objects.filter(scheme__organization=org).prefetch_related("items")
        return Response({
            "organization": org.pk,
            "versions": [
                {"valid_from": v.valid_from.isoformat(), "weights": {i.indicator: i.percent for i in v.items.all()}}
                for v in versions.order_by("-valid_from")
            ],
        })  # fmt: skip

    @extend_schema(request=IndexRankingsSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def rankings(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        """Switch the ranking of the children on or off."""
        org = self.get_object()
        data = self.validated(IndexRankingsSerializer, request)
        scheme = services.set_rankings(request.user, org, on=data["on"])
        return Response({"organization": org.pk, "rankings": scheme.rankings})
