"""The pager's page-number form: a GET form replaces the query of its action, so the list's own query
(filters, the search key) travels as hidden fields."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django import template

register = template.Library()


@register.filter
def query_fields(query: str | None) -> list[tuple[str, str]]:
    """``a=1&b=2`` as [("a", "1"), ("b", "2")], without the page's own cursor and number."""
    return [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k not in ("cursor", "page")]
