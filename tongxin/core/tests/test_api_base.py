"""Every API viewset is a ScopedViewSet (scoped by HTTP method in one place), and declared steps become
documented actions with the URL each names."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tongxin import api_urls
from tongxin.core.api import ScopedViewSet, Step
from tongxin.core.scoping import CHANGE, VIEW
from tongxin.orglife.api import ChecklistItemViewSet


def route_names(patterns) -> set[str]:
    """Every route's name, the routes grouped under a prefix (``api_urls.PrefixRouter``) included."""
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= route_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def _api_viewsets():
    for _prefix, viewset, basename in api_urls.router.registry:
        yield basename, viewset
    for pattern in api_urls.urlpatterns:
        cls = getattr(getattr(pattern, "callback", None), "cls", None)
        if isinstance(pattern, URLPattern) and cls is not None and hasattr(cls, "get_extra_actions"):
            yield pattern.name, cls


def test_every_api_viewset_is_scoped_by_the_one_base():
    outside = [name for name, viewset in _api_viewsets() if not issubclass(viewset, ScopedViewSet)]
    assert outside == []


def test_every_declared_step_is_a_post_action_with_its_url():
    names = route_names(api_urls.router.urls)
    seen = 0
    for basename, viewset in _api_viewsets():
        for step in getattr(viewset, "steps", []):
            method = getattr(viewset, step.name)
            assert method.detail is True and set(method.mapping) == {"post"}
            assert method.url_path == (step.url_path or step.name.replace("_", "-"))
            assert f"{basename}-{method.url_name}" in names
            seen += 1
    assert seen >= 25  # transfers, recruitment, recommendation, review, checklist, meeting, notification steps


def test_a_step_passes_the_values_its_fields_name():
    def service(actor, obj, **kwargs):
        return kwargs

    values = {"on": "2025-01-01", "reason": "x"}
    assert Step("a", service).arguments(values) == values
    assert Step("a", service, fields=()).arguments(values) == {}
    assert Step("a", service, fields=("reason", "branch")).arguments(values) == {"reason": "x"}
    assert Step("a", service, fields={"branch": None}).arguments(values) == {"branch": None}


def test_the_scope_action_follows_the_method_and_a_step_may_ask_for_view():
    factory = APIRequestFactory()
    view = ChecklistItemViewSet()
    for method, expected in (("get", VIEW), ("head", VIEW), ("post", CHANGE), ("patch", CHANGE), ("delete", CHANGE)):
        view.request = Request(getattr(factory, method)("/"))
        assert view.scope_action() == expected
    owner_step = ChecklistItemViewSet(write_scope=VIEW)  # request-closing: the owner may ask
    owner_step.request = Request(factory.post("/"))
    assert owner_step.scope_action() == VIEW
    assert getattr(ChecklistItemViewSet, "request_closing").kwargs["write_scope"] == VIEW  # noqa: B009


def test_a_step_named_after_an_http_method_is_refused_when_declared():
    """``Step("delete")`` would answer DELETE on the list route too, where there is no object (a 500)."""
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="delete"):
        type("Bad", (ScopedViewSet,), {"steps": [Step("delete", lambda actor, obj: obj)], "__module__": __name__})
