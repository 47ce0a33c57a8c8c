"""The API's routes grouped by prefix (tongxin/api_urls.py, issue 14): the same URLs, names and views as DRF's
flat DefaultRouter, and a request resolved against its own viewset's routes rather than against all of them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, resolve
from rest_framework.routers import DefaultRouter

from tongxin.api_urls import router


def _flat(patterns, head: str = "") -> list[tuple[str, str | None, object]]:
    rows = []
    for pattern in patterns:
        regex = str(pattern.pattern)
        joined = head + regex.removeprefix("^") if head else regex
        if isinstance(pattern, URLResolver):
            rows += _flat(pattern.url_patterns, joined)
        else:
            assert isinstance(pattern, URLPattern)
            rows.append((joined, pattern.name, pattern.callback.cls if hasattr(pattern.callback, "cls") else None))
    return rows


def test_the_grouped_routes_are_the_flat_routers_routes():
    flat = DefaultRouter()
    flat.registry = list(router.registry)
    expected = _flat(flat.urls)
    grouped = _flat(router.urls)
    assert sorted(grouped, key=str) == sorted(expected, key=str)
    assert len(grouped) > 300  # every viewset's routes, format suffixes included


def test_a_request_is_matched_against_its_own_viewsets_routes():
    match = resolve("/api/study-attempts/7/submit/")
    assert (match.url_name, match.kwargs) == ("study-attempt-submit", {"pk": "7"})
    assert match.tried is not None and len(match.tried) < 80  # the flat list tried some 330 patterns before this one
    assert resolve("/api/study-attempts.json").kwargs == {"format": "json"}
    assert resolve("/api/").url_name == "api-root"
