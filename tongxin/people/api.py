"""/api/people/: the roster, with the same filters and scope as the roster page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.utils import translate_validation
from rest_framework import mixins, serializers, viewsets

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from tongxin.core.api_pagination import KeysetPagination
from tongxin.core.scoping import CHANGE
from tongxin.orgs.models import Organization
from tongxin.people import services
from tongxin.people.filters import SORTS, PersonFilter
from tongxin.people.models import Person
from tongxin.people.queries import roster_count


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        write_only=True,
        max_length=40,
        help_text=_("Write the full number; responses return it only masked, as id_number_masked"),
    )
    phone = serializers.CharField(write_only=True, max_length=40, required=False, allow_blank=True)
    id_number_masked = serializers.CharField(source="masked_id_number", read_only=True)
    phone_masked = serializers.CharField(source="masked_phone", read_only=True)
    branch = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), action=CHANGE,
        error_messages={"does_not_exist": _("No such branch in your scope.")},
    )  # fmt: skip
    branch_name = serializers.CharField(source="branch.name", read_only=True, default="")

    class Meta:
        model = Person
        fields = [
            "id", "name", "name_pinyin", "id_number", "id_number_masked", "birth_date", "sex", "ethnicity",
            "political_status", "education", "phone", "phone_masked", "occupation", "league_join_date",
            "league_number", "party_join_date", "branch", "branch_name", "status",
        ]  # fmt: skip
        read_only_fields = ["name_pinyin", "birth_date", "sex"]
        extra_kwargs: dict[str, dict] = {"league_number": {"validators": []}}

    def create(self, validated_data):
        return services.create_person(self.context["request"].user, validated_data)

    def update(self, instance, validated_data):
        return services.update_person(self.context["request"].user, instance, validated_data)


class PersonViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People in the caller's subtrees. Active members by default (``?status=all`` for everyone).

    ``?org=<id>`` means that organisation's whole subtree. ID numbers and phones are masked.
    """

    queryset = Person.objects.select_related("branch")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    pagination_class = KeysetPagination

    def filter_queryset(self, queryset):
        """The list is filtered by the one FilterSet that also gives the sort keys and the count; a single
        person is fetched by id whatever their status (the default "active" filter is for lists)."""
        if self.action != "list":
            return queryset
        fs = self._filterset()
        if fs is None:
            raise translate_validation(self._fs_errors)
        return fs.qs

    def get_keyset_keys(self):
        fs = self._filterset()
        return fs.sort_keys if fs is not None else SORTS["org"][1]

    def get_keyset_count(self, queryset):
        fs = self._filterset()
        return roster_count(self.request.user, fs, queryset) if fs is not None else queryset.count()

    def _filterset(self) -> PersonFilter | None:
        if not hasattr(self, "_fs"):
            fs = PersonFilter(self.request.query_params, queryset=self.get_queryset(), request=self.request)
            self._fs = fs if fs.is_valid() else None
            self._fs_errors = fs.errors
        return self._fs
