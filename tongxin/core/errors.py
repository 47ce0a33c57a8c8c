"""The 500 handler (``handler500`` in tongxin/urls.py).

Django's own renders 500.html with no context at all; ours adds the request id (set by
``tongxin.core.request_id.RequestIdMiddleware``) so a user can quote it and an administrator can find the
log lines. It renders without context processors (they query the database, which may be what failed) and
without anything else from the request; if even the template fails, a fixed text answers.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponseServerError:
    request_id = str(getattr(request, "request_id", "") or "")
    try:
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:  # the page must answer whatever broke
        logger.exception("The 500 page could not be rendered")
        body = "<!doctype html><title>500</title><h1>500</h1>"
    return HttpResponseServerError(body)
