"""API pagination: keyset pages with a ``count``, like the pages, so deep pages cost no more."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from tongxin.core.pagination import keyset_page


class KeysetPagination(BasePagination):
    """The view supplies ``keyset_keys(filterset)`` and ``keyset_count(queryset)``."""

    page_size = 50
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        keys = view.get_keyset_keys()
        self.page = keyset_page(queryset, keys, request.query_params.get(self.cursor_query_param), self.page_size)
        self.count = view.get_keyset_count(queryset)
        return self.page.rows

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        if cursor == "":
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.count,
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.prev_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
