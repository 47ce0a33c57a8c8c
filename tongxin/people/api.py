"""/api/people/: the roster, with the same filters and scope as the roster page.

A search term (a name, an ID number's or a phone's last digits) is personal data: it never travels in a URL,
where access logs, proxies and browser history would keep it. The list refuses ``?q=``; the term is POSTed
as JSON to ``/api/people/search/``, which pages with cursors the client posts back in the body.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from tongxin.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSet
from tongxin.core.api_pagination import KeysetPagination
from tongxin.core.fields import bound_serializer_fields
from tongxin.core.pagination import keyset_page
from tongxin.core.scoping import CHANGE, VIEW
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
        return services.save_person(self.context["request"].user, validated_data)

    def update(self, instance, validated_data):
        return services.save_person(self.context["request"].user, validated_data, instance)


def _filter_choices(name: str) -> list[tuple[str, Any]]:
    """The choices of one of the roster FilterSet's filters, so the search body accepts exactly what the list does."""
    return list(PersonFilter.base_filters[name].extra["choices"])


# The query-string parameter that would carry a search term; refused everywhere on /api/people/.
TERM_PARAM = "q"
SEARCH_FILTERS = ("org", "org_kind", "status", "political_status", "age_min", "age_max", "sort")


class PersonSearchSerializer(serializers.Serializer):
    """The body of ``POST /api/people/search/``: the term and the list's filters (all optional)."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, trim_whitespace=True,
        help_text=_("Name, pinyin initials, or the last digits of an ID or phone"),
    )  # fmt: skip
    org = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), action=VIEW, required=False, allow_null=True,
        help_text=_("Organisation (with its subtree): one of the caller's organisations, else 400"),
    )  # fmt: skip
    org_kind = serializers.ChoiceField(choices=_filter_choices("org_kind"), required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=_filter_choices("status"), required=False, allow_blank=True,
        help_text=_("Membership status; active members when left out, all for everyone"),
    )  # fmt: skip
    political_status = serializers.ChoiceField(
        choices=_filter_choices("political_status"), required=False, allow_blank=True
    )
    age_min = serializers.IntegerField(min_value=0, max_value=150, required=False, allow_null=True)
    age_max = serializers.IntegerField(min_value=0, max_value=150, required=False, allow_null=True)
    sort = serializers.ChoiceField(choices=_filter_choices("sort"), required=False, allow_blank=True)
    cursor = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, trim_whitespace=False,
        help_text=_("The next or previous of an earlier answer to the same search; left out for the first page"),
    )  # fmt: skip

    def filter_data(self) -> dict[str, str]:
        """The validated body as the roster FilterSet reads a query string (absent: blank)."""
        data: dict[str, str] = {"q": self.validated_data.get("q") or ""}
        for name in SEARCH_FILTERS:
            value = self.validated_data.get(name)
            if isinstance(value, Organization):
                value = value.pk
            data[name] = "" if value is None else str(value)
        return data


class PersonSearchPageSerializer(serializers.Serializer):
    """One page of search results: the list's page, with cursors in place of links."""

    count = serializers.IntegerField(help_text=_("How many people match the whole search"))
    next = serializers.CharField(
        allow_null=True,
        help_text=_("Post the same search with this as cursor for the next page; null on the last page"),
    )
    previous = serializers.CharField(
        allow_null=True,
        help_text=_("Post the same search with this as cursor for the previous page; null on the first page"),
    )
    results = PersonSerializer(many=True, read_only=True)


class PersonListFilter(PersonFilter):
    """The list's filters: the roster's without the search term, which only ``POST /api/people/search/`` takes
    (so neither the OpenAPI schema nor the browsable API's filter form offers ``?q=``)."""

    q = None

    class Meta(PersonFilter.Meta):
        fields = [name for name in PersonFilter.Meta.fields if name != TERM_PARAM]


class PersonViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """People in the caller's subtrees. Active members by default (``?status=all`` for everyone).

    ``?org=<id>`` means that organisation's whole subtree. ID numbers and phones are masked.
    No search term in the URL: ``?q=`` answers 400; search with ``POST /api/people/search/``.
    """

    queryset = Person.objects.select_related("branch")
    serializer_class = PersonSerializer
    filterset_class = PersonListFilter
    pagination_class = KeysetPagination

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Refuse a search term in the query string (after authentication: anonymous callers still get 401)."""
        super().initial(request, *args, **kwargs)
        if any(value.strip() for value in request.query_params.getlist(TERM_PARAM)):
            raise exceptions.ValidationError(
                {
                    TERM_PARAM: [
                        _(
                            "Search terms are not accepted in the URL, where logs and browser history would keep "
                            "them: POST them as JSON, in the field q, to /api/people/search/."
                        )
                    ]
                }
            )

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

    def _filterset(self, data: Any = None) -> PersonFilter | None:
        """The roster FilterSet over the caller's scope, from the query string (the list) or ``data`` (the
        search body); None when a value is invalid (the errors in ``_fs_errors``)."""
        if not hasattr(self, "_fs"):
            filterset = PersonListFilter if data is None else PersonFilter
            params = self.request.query_params if data is None else data
            fs = filterset(params, queryset=self.get_queryset(), request=self.request)
            self._fs = fs if fs.is_valid() else None
            self._fs_errors = fs.errors
        return self._fs

    @extend_schema(request=PersonSearchSerializer, responses=PersonSearchPageSerializer)
    @action(
        detail=False, methods=["post"], parser_classes=[JSONParser], filter_backends=[], pagination_class=None,
        write_scope=VIEW,  # a POST that only reads: the rows the caller may list
    )  # fmt: skip
    def search(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Search the roster without the term in a URL.

        The body is JSON: ``q`` (a name, pinyin initials, or the last 4 to 6 characters of an ID number or
        up to 11 digits of a phone; a whole ID number finds nobody: revealing one is a separate, logged step)
        and any of the list's filters (``org``, ``org_kind``, ``status``, ``political_status``, ``age_min``,
        ``age_max``, ``sort``), all optional. Same scope, rows, order and masking as ``GET /api/people/``;
        an ``org`` outside the caller's organisations answers 400. Only the body is read: the query string
        carries nothing (``?q=`` answers 400).

        Pages: ``next`` and ``previous`` are cursors, not links. For another page, POST the same body with
        ``cursor`` set to one of them; they are null at either end. The term is never stored on the server,
        so paging needs no session and works the same with a token or a browser session (which, as for
        every POST, must send the CSRF token). The search only reads: any role that may list may search.
        """
        body = PersonSearchSerializer(data=request.data, context=self.get_serializer_context())
        bound_serializer_fields(body)  # no NUL or override in a term that reaches a query
        body.is_valid(raise_exception=True)
        fs = self._filterset(body.filter_data())
        if fs is None:  # the body was checked against the same choices and bounds: kept as a safety net
            raise translate_validation(self._fs_errors)
        queryset = fs.qs
        page = keyset_page(queryset, fs.sort_keys, body.validated_data.get("cursor"), KeysetPagination.page_size)
        return Response(
            {
                "count": roster_count(request.user, fs, queryset),
                "next": page.next_cursor,
                "previous": page.prev_cursor,
                "results": PersonSerializer(page.rows, many=True, context=self.get_serializer_context()).data,
            }
        )
