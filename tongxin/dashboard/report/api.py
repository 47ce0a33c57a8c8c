"""``GET /api/annual-reports/<organisation id>/?year=``: the annual report as JSON (404 outside the caller's
scope, 400 for a year in the future); ``POST /api/annual-reports/<id>/submit/`` with ``{"year", "explanations":
{row key: text}}``: submit it (400 naming the rows whose decrease is not explained)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.core.api import ScopedViewSet, Step
from tongxin.dashboard.report import queries, services
from tongxin.dashboard.report.models import FIRST_YEAR, LAST_YEAR, AnnualReport
from tongxin.orgs.models import Organization

# The most submitted reports one list answers (a district has about 700 organisations).
LIST_MAX = 2000


def _year(request: Request) -> int:
    """The ``?year=`` asked for (default this year); 400 when malformed or out of the window."""
    query = YearQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("year") or timezone.localdate().year


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)


class ReportSubmitSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    explanations = serializers.DictField(
        child=serializers.CharField(max_length=services.EXPLANATION_MAX, allow_blank=True), required=False,
        help_text="row key of the year-on-year table → why it went down",
    )  # fmt: skip


class AnnualReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualReport
        fields = ["id", "organization", "year", "figures", "explanations", "submitted_at"]
        read_only_fields = fields


class SubmittedSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = AnnualReport
        fields = ["id", "organization", "organization_name", "year", "submitted_at"]
        read_only_fields = fields


class AnnualReportViewSet(ScopedViewSet):
    """``GET /api/annual-reports/?year=``: the reports submitted for a year (default this year) in the caller's
    scope; ``GET /api/annual-reports/<organisation id>/?year=``: one organisation's report (the figures of its
    subtree for a year) and its submission, if any; ``POST …/<id>/submit/``: submit it."""

    queryset = Organization.objects.all()
    pagination_class = None  # the list is one year's submitted reports of the scope (at most LIST_MAX)
    steps: ClassVar[list[Step]] = [
        Step("submit", services.submit_report, ReportSubmitSerializer, response=AnnualReportSerializer),
    ]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="the reports' year (default: this year)")],
        responses=SubmittedSerializer(many=True),
    )
    def list(self, request: Request, **kwargs: Any) -> Response:
        year = _year(request)
        rows = (
            AnnualReport.objects.visible_to(request.user)
            .filter(year=year)
            .select_related("organization")
            .order_by("org_path")[:LIST_MAX]
        )
        return Response(SubmittedSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="the report's year (default: this year)")],
        responses=OpenApiTypes.OBJECT,
    )
    def retrieve(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        org = self.get_object()
        report = queries.annual_report(org, _year(request))
        submission = AnnualReport.objects.filter(organization=org, year=report["year"]).first()
        report["submission"] = AnnualReportSerializer(submission).data if submission else None
        return Response(report)
