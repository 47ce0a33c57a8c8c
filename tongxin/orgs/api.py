"""/api/orgs/: the organisation tree, scoped to the caller."""

from __future__ import annotations

from rest_framework import mixins, serializers

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet
from tongxin.core.scoping import MANAGE, require
from tongxin.orgs import services
from tongxin.orgs.filters import OrganizationFilter
from tongxin.orgs.models import Organization


class OrganizationSerializer(serializers.ModelSerializer):
    members_direct = serializers.IntegerField(source="stats.members_direct", read_only=True)
    members_total = serializers.IntegerField(source="stats.members_total", read_only=True)
    children_count = serializers.IntegerField(source="stats.children_count", read_only=True)
    parent = ScopedPrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Organization.objects.all(), allow_null=True, required=False
    )
    paired_org = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Organization
        fields = [
            "id", "parent", "path", "depth", "kind", "level", "category", "is_joint", "name", "short_name", "code",
            "division_code", "established", "term_start", "term_end", "status", "dissolved_on", "paired_org",
            "members_direct", "members_total", "children_count",
        ]  # fmt: skip
        read_only_fields = ["path", "depth"]
        extra_kwargs: dict[str, dict] = {"code": {"validators": []}}

    def create(self, validated_data):
        # A new organisation starts active; dissolving is an update with its own checks.
        validated_data.pop("status", None)
        validated_data.pop("dissolved_on", None)
        parent = validated_data.pop("parent", None)  # optional in the schema; the service needs it named
        return services.create_organization(self.context["request"].user, parent=parent, **validated_data)

    def update(self, instance, validated_data):
        request = self.context["request"]
        new_parent = validated_data.pop("parent", instance.parent)
        org = instance
        if new_parent is not None and new_parent.pk != instance.parent_id:
            org = services.move_organization(request.user, instance, new_parent)
        return services.update_organization(request.user, org, **validated_data)


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Organisations in the caller's subtrees; ``?org=<id>`` narrows to that organisation's subtree.

    Editing the tree needs MANAGE, checked when the valid change is saved: a secretary's edit of her own
    branch is validated first (400 for a bad change), then refused (403).
    """

    queryset = Organization.objects.select_related("stats").order_by("path")
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter

    def perform_update(self, serializer):
        require(self.request.user, MANAGE, serializer.instance.path)
        serializer.save()
