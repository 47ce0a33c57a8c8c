"""Points API.

``/api/point-entries/``: the ledger lines the caller sees (his own, or his subtrees'), ``?month=``, ``?person=``.
``/api/point-claims/``: claims; POST files one (the member for himself, a secretary an item secretaries claim
for a member of his branch); ``POST /api/point-claims/<id>/review/`` (decision, points, reason) and
``/withdraw/``. ``/api/point-months/``: branches' months; ``POST /api/point-months/open/`` (organization,
month) makes a month's record, then ``/<id>/publish/``, ``/<id>/reopen/`` and ``/<id>/confirm/`` (meeting).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.filters import MonthField
from tongxin.core.scoping import CHANGE, VIEW
from tongxin.orgs.models import Organization
from tongxin.people.models import Person
from tongxin.points.filters import ClaimFilter, MonthCycleFilter, PointEntryFilter
from tongxin.points.models import Claim, ClaimStatus, MonthCycle, PointEntry, Rule
from tongxin.points.services import cycle as services


class PointEntrySerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="version.name", read_only=True)

    class Meta:
        model = PointEntry
        fields = ["id", "person", "month", "occurred_on", "item", "kind", "source", "quantity", "points", "reversal_of",
                  "reason", "created_at"]  # fmt: skip
        read_only_fields = fields


class PointEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = PointEntry.objects.select_related("version").order_by("-month", "-id")
    serializer_class = PointEntrySerializer
    filterset_class = PointEntryFilter


class ClaimSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="version.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "person", "month", "rule", "item", "points", "evidence", "status", "status_label",
                  "points_awarded", "review_reason", "reviewed_at", "created_at"]  # fmt: skip
        read_only_fields = fields


class ClaimCreateSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), action=VIEW)
    rule = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    evidence = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ClaimReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[(ClaimStatus.ACCEPTED, ClaimStatus.ACCEPTED.label), (ClaimStatus.ADJUSTED, ClaimStatus.ADJUSTED.label),
                 (ClaimStatus.REJECTED, ClaimStatus.REJECTED.label)]
    )  # fmt: skip
    points = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=-1000, max_value=1000, required=False,
                                      allow_null=True, default=None)  # fmt: skip
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Claims (自评) the caller sees: his own, or his subtrees'. A rule broken answers 400 naming it."""

    queryset = Claim.objects.select_related("version").order_by("-month", "-id")
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    steps = [
        Step("review", services.review_claim, ClaimReviewSerializer),
        Step("withdraw", services.withdraw_claim, write_scope=VIEW),  # the member's own: the service checks
    ]

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimSerializer})
    def create(self, request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(ClaimCreateSerializer, request)
        rule = Rule.objects.filter(pk=values["rule"]).first()
        if rule is None:
            raise serializers.ValidationError({"rule": [_("No such item.")]})
        claim = services.submit_claim(request.user, person=values["person"], rule=rule, evidence=values["evidence"])
        return Response(ClaimSerializer(claim).data, status=201)


class MonthCycleSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = MonthCycle
        fields = ["id", "organization", "month", "status", "status_label", "published_at", "publish_until", "meeting",
                  "locked_at"]  # fmt: skip
        read_only_fields = fields


class MonthOpenSerializer(serializers.Serializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), action=CHANGE)
    month = serializers.CharField(max_length=7, help_text="yyyy-mm")

    def validate_month(self, value: str):
        return MonthField().clean(value)


class MonthConfirmSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The branch's general meeting")


def _confirm(actor, cycle: MonthCycle, *, meeting: int) -> MonthCycle:
    return services.confirm_month(actor, cycle, meeting_id=meeting)


class MonthCycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """A branch's points months: publish (线上评), reopen, confirm at the general meeting (现场评) and lock."""

    queryset = MonthCycle.objects.select_related("organization").order_by("-month", "org_path")
    serializer_class = MonthCycleSerializer
    filterset_class = MonthCycleFilter
    steps = [
        Step("publish", services.publish_month),
        Step("reopen", services.reopen_month),
        Step("confirm", _confirm, MonthConfirmSerializer),
    ]

    @extend_schema(request=MonthOpenSerializer, responses={201: MonthCycleSerializer})
    @action(detail=False, methods=["post"], url_path="open")
    def open(self, request, **kwargs: Any) -> Response:
        values = self.validated(MonthOpenSerializer, request)
        cycle = services.open_cycle(request.user, values["organization"], values["month"])
        return Response(MonthCycleSerializer(cycle).data, status=201)
