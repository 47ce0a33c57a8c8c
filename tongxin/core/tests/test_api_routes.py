"""The API's routes grouped by prefix (tongxin/api_urls.py, issue 14): the same URLs, names and views as DRF's
flat DefaultRouter, and a request resolved against its own viewset's routes rather than against all of them."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, resolve
from django.urls.exceptions import Resolver404
from rest_framework.routers import DefaultRouter

from tongxin.api_urls import PrefixResolver, router


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
    # the flat list tried some 330 patterns before this one, one pattern per prefix some 40, the dictionary 6
    assert match.tried is not None and len(match.tried) < 10
    assert resolve("/api/study-attempts.json").kwargs == {"format": "json"}
    assert resolve("/api/").url_name == "api-root"


def test_the_prefix_dictionary_resolves_every_route_as_the_whole_list_does():
    resolver = router.resolver()
    assert isinstance(resolver, PrefixResolver)
    assert set(resolver._narrow) == {prefix for prefix, _viewset, _basename in router.registry}
    paths = ["", ".json", "study-attempts", "study-attempts/", "study-attempts.json", "nowhere/", "orgs/x/y/z/"]
    for prefix, _viewset, _basename in router.registry:
        paths += [f"{prefix}/", f"{prefix}/12/", f"{prefix}/12/x/", f"{prefix}.json", f"{prefix}/12.json"]
    for path in paths:
        try:
            whole = URLResolver.resolve(resolver, path)
        except Resolver404 as error:
            with pytest.raises(Resolver404) as refused:
                resolver.resolve(path)
            assert refused.value.args[0]["tried"] == error.args[0]["tried"]  # a 404 lists every pattern tried
            continue
        narrow = resolver.resolve(path)
        fields = ("func", "args", "kwargs", "url_name", "route")
        assert [getattr(narrow, f) for f in fields] == [getattr(whole, f) for f in fields], path


def test_a_group_that_is_not_one_of_the_patterns_is_refused():
    stray = router.resolver()._narrow["orgs"]  # a resolver of its own, not one of the router's patterns
    with pytest.raises(ValueError, match="prefix group"):
        PrefixResolver(router.urls, {"orgs": stray})
