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


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)


class SubmitSerializer(serializers.Serializer):
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


class AnnualReportViewSet(ScopedViewSet):
    """One organisation's annual report (the figures of its subtree for a year) and its submission."""

    queryset = Organization.objects.all()
    steps: ClassVar[list[Step]] = [
        Step("submit", services.submit_report, SubmitSerializer, response=AnnualReportSerializer),
    ]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="the report's year (default: this year)")],
        responses=OpenApiTypes.OBJECT,
    )
    def retrieve(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        org = self.get_object()
        query = YearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        report = queries.annual_report(org, year)
        submission = AnnualReport.objects.filter(organization=org, year=report["year"]).first()
        report["submission"] = AnnualReportSerializer(submission).data if submission else None
        return Response(report)
