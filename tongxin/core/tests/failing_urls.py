"""The project's URLconf plus a view that fails, for the 500 page test (test_web_security.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tongxin.urls import handler400, handler403, handler404, handler500
from tongxin.urls import urlpatterns as project_patterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the exception text 13800138000")


urlpatterns = [*project_patterns, path("boom/", boom)]
