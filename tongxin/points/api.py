"""Points API.

``/api/point-entries/``: the ledger lines the caller sees (his own, or his subtrees'), ``?month=``, ``?person=``.
``/api/point-claims/``: claims; POST files one (the member for himself, a secretary an item secretaries claim
for a member of his branch); ``POST /api/point-claims/<id>/review/`` (decision, points, reason) and
``/withdraw/``. ``/api/point-months/``: branches' months; ``POST /api/point-months/open/`` (organization,
month) makes a month's record, then ``/<id>/publish/``, ``/<id>/reopen/`` and ``/<id>/confirm/`` (meeting).
``POST /api/point-entries/<id>/correct/`` (reason, points): a recorded correction of a locked month's entry.
``/api/point-objections/``: objections to published months; POST (month, text) by a member of the branch while
the month is published; ``POST /api/point-objections/<id>/answer/`` (answer) by the secretary.
``/api/point-rules/<organisation id>/``: the rules in force for an organisation (own or inherited); its admins
``POST .../own/`` (copy the inherited rules for the subtree), ``.../change-item/`` and ``.../change-scores/``
(a new version from a month; never into a month published or locked).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet, Step
from tongxin.core.exceptions import DomainError
from tongxin.core.filters import MonthField
from tongxin.core.scoping import CHANGE, MANAGE, VIEW
from tongxin.orgs.models import Organization
from tongxin.people.models import Person
from tongxin.points.filters import ClaimFilter, MonthCycleFilter, ObjectionFilter, PointEntryFilter
from tongxin.points.models import (
    POINTS_LIMIT,
    Claim,
    Claimant,
    ClaimStatus,
    MonthCycle,
    Objection,
    PointEntry,
    Rule,
    RuleVersion,
)
from tongxin.points.services import cycle as services
from tongxin.points.services import rules


class PointEntrySerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="version.name", read_only=True)

    class Meta:
        model = PointEntry
        fields = ["id", "person", "month", "occurred_on", "item", "kind", "source", "quantity", "points", "reversal_of",
                  "reason", "created_at"]  # fmt: skip
        read_only_fields = fields


class CorrectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
    points = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=-POINTS_LIMIT, max_value=POINTS_LIMIT,
                                      required=False, allow_null=True, default=None,
                                      help_text="Leave out to reverse the entry; else the points added (or taken "
                                                "away, negative)")  # fmt: skip


class PointEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Ledger lines; ``correct``: the secretary's recorded correction of an entry of a locked month (answers the
    correcting entry, booked in the first open month)."""

    queryset = PointEntry.objects.select_related("version").order_by("-month", "-id")
    serializer_class = PointEntrySerializer
    filterset_class = PointEntryFilter
    steps = [Step("correct", services.correct_entry, CorrectionSerializer)]


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


# --- objections (线上评) ----------------------------------------------------------------------------------------


class ObjectionSerializer(serializers.ModelSerializer):
    month = serializers.DateField(source="cycle.month", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "cycle", "month", "person", "text", "status", "status_label", "answer_by", "answer",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class ObjectionCreateSerializer(serializers.Serializer):
    month = serializers.CharField(max_length=7, help_text="yyyy-mm: the branch's published month")
    text = serializers.CharField(max_length=2000)

    def validate_month(self, value: str):
        return MonthField().clean(value)


class ObjectionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000)


class ObjectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Objections to published months the caller sees: his own, or his subtrees'. A member objects to his
    branch's month while it is published; the secretary answers (not an objection of his own)."""

    queryset = Objection.objects.select_related("cycle").order_by("-created_at", "-id")
    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilter
    steps = [Step("answer", services.answer_objection, ObjectionAnswerSerializer)]

    @extend_schema(request=ObjectionCreateSerializer, responses={201: ObjectionSerializer})
    def create(self, request, *args: Any, **kwargs: Any) -> Response:
        values = self.validated(ObjectionCreateSerializer, request)
        person = Person.objects.filter(pk=getattr(request.user, "person_id", None) or 0).first()
        if person is None or not person.branch_id:
            raise DomainError("text", _("Points are earned by members: your account is not linked to a member "
                                        "record."))  # fmt: skip
        cycle = MonthCycle.objects.filter(organization_id=person.branch_id, month=values["month"]).first()
        if cycle is None:
            raise DomainError("month", _("Objections are made while the month is published."))
        objection = services.object_to_month(request.user, cycle, text=values["text"])
        return Response(ObjectionSerializer(objection).data, status=201)


# --- the rules in force for an organisation ---------------------------------------------------------------------


class RuleVersionSerializer(serializers.Serializer):
    rule = serializers.IntegerField(source="rule_id")
    key = serializers.CharField(source="rule.key")
    valid_from = serializers.DateField()
    name = serializers.CharField()
    points = serializers.DecimalField(max_digits=8, decimal_places=2)
    earned_by = serializers.CharField(source="source", help_text="An achievement kind's key, or 'claim'")
    claimant = serializers.CharField()
    evidence_required = serializers.BooleanField()
    photo_required = serializers.BooleanField()
    cap_month = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    cap_year = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    active = serializers.BooleanField()


class RulesInForceSerializer(serializers.Serializer):
    """An organisation's rules: the set in force (its own or inherited), base score and floor this month, each
    item's version this month and the versions to come."""

    id = serializers.IntegerField(source="pk", help_text="The organisation's id")
    organization_name = serializers.CharField(source="name")
    own = serializers.SerializerMethodField()
    rule_set = serializers.SerializerMethodField()
    base_score = serializers.SerializerMethodField()
    floor = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    def _set(self, org):
        cache = self.__dict__.setdefault("_rule_sets", {})  # one lookup per organisation and answer
        if org.pk not in cache:
            cache[org.pk] = rules.set_in_force(org)
        return cache[org.pk]

    def get_own(self, org) -> bool:
        rule_set = self._set(org)
        return rule_set is not None and rule_set.org_path == org.path

    def get_rule_set(self, org) -> str | None:
        rule_set = self._set(org)
        return rule_set.name if rule_set is not None else None

    def get_base_score(self, org) -> str | None:
        rule_set = self._set(org)
        return str(rules.scores_in_force(rule_set, services.this_month())[0]) if rule_set is not None else None

    def get_floor(self, org) -> str | None:
        rule_set = self._set(org)
        return str(rules.scores_in_force(rule_set, services.this_month())[1]) if rule_set is not None else None

    @extend_schema_field(RuleVersionSerializer(many=True))
    def get_items(self, org) -> list[dict[str, Any]]:
        rule_set = self._set(org)
        if rule_set is None:
            return []
        month = services.this_month()
        versions = RuleVersion.objects.filter(rule__rule_set=rule_set)
        current: dict[int, Any] = {}
        later = []
        for version in versions.select_related("rule").order_by("rule__key", "-valid_from"):
            if version.valid_from > month:
                later.append(version)
            else:
                current.setdefault(version.rule_id, version)
        return list(RuleVersionSerializer([*current.values(), *later], many=True).data)


class ItemChangeSerializer(serializers.Serializer):
    rule = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    valid_from = serializers.CharField(max_length=7, help_text="yyyy-mm: the first month of the new version")
    name = serializers.CharField(max_length=100, required=False)
    points = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=-POINTS_LIMIT, max_value=POINTS_LIMIT,
                                      required=False)  # fmt: skip
    cap_month = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, max_value=POINTS_LIMIT,
                                         required=False, allow_null=True)  # fmt: skip
    cap_year = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, max_value=POINTS_LIMIT,
                                        required=False, allow_null=True)  # fmt: skip
    claimant = serializers.ChoiceField(choices=Claimant.choices, required=False)
    evidence_required = serializers.BooleanField(required=False)
    photo_required = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)

    def validate_valid_from(self, value: str):
        return MonthField().clean(value)


class ScoresChangeSerializer(serializers.Serializer):
    valid_from = serializers.CharField(max_length=7, help_text="yyyy-mm: the first month of the new values")
    base_score = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, max_value=POINTS_LIMIT)
    floor = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, max_value=POINTS_LIMIT)

    def validate_valid_from(self, value: str):
        return MonthField().clean(value)


def _own(actor, org: Organization) -> Organization:
    rules.make_own(actor, org)
    return org


def _change_item(actor, org: Organization, **values: Any) -> Organization:
    rules.edit_item(actor, org, **values)
    return org


def _change_scores(actor, org: Organization, **values: Any) -> Organization:
    rules.edit_scores(actor, org, **values)
    return org


class PointRulesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The points rules in force for each organisation the caller sees (``/api/point-rules/``, one per
    organisation, ``/api/point-rules/<organisation id>/``); its admins
    (MANAGE) make its own rules and change them by new versions. A change reaching back into a month some
    branch has published or locked answers 400 and writes nothing."""

    queryset = Organization.objects.order_by("path")
    serializer_class = RulesInForceSerializer
    write_scope = MANAGE
    steps = [
        Step("own", _own),
        Step("change_item", _change_item, ItemChangeSerializer),
        Step("change_scores", _change_scores, ScoresChangeSerializer),
    ]
