"""The error handlers (``handler400/403/404/500`` in tongxin/urls.py).

Pages: Django's own render 400/403/404.html; for 500 ours renders 500.html with the request id (set by
``tongxin.core.request_id.RequestIdMiddleware``) so a user can quote it and an administrator can find the log
lines. It renders without context processors (they query the database, which may be what failed) and without
anything else from the request; if even the template fails, a fixed text answers.

The API (``/api/``): every error answers JSON, as DRF's own errors do (``{"detail": ...}``), also the ones DRF
never sees: an exception a viewset lets through (500), a URL no route matches (404), a refused host (400).
Nothing of the request or the exception is in the answer, only the request id.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return (getattr(request, "path_info", "") or "").startswith(API_PREFIX)


def _request_id(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", "") or "")


def api_error(request: HttpRequest, status: int, detail: str) -> JsonResponse:
    body = {"detail": detail}
    if request_id := _request_id(request):
        body["request_id"] = request_id
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    request_id = _request_id(request)
    if is_api(request):
        try:
            return api_error(request, 500, _("Server error: the request was not completed. Quote the request id."))
        except Exception:  # the answer must come whatever broke (the translations, say)
            logger.exception("The API's 500 answer could not be made")
            return HttpResponseServerError('{"detail": "Server error."}', content_type="application/json")
    try:
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:  # the page must answer whatever broke
        logger.exception("The 500 page could not be rendered")
        body = "<!doctype html><title>500</title><h1>500</h1>"
    return HttpResponseServerError(body)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Any) -> HttpResponse:
    if is_api(request):
        return api_error(request, 400, _("Bad request."))
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Any) -> HttpResponse:
    if is_api(request):
        return api_error(request, 403, _("You do not have permission to perform this action."))
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Any) -> HttpResponse:
    if is_api(request):
        return api_error(request, 404, _("Not found."))
    return defaults.page_not_found(request, exception)
