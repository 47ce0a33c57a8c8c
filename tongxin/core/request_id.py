"""Request ids and the access log.

``RequestIdMiddleware`` (first in MIDDLEWARE) takes a sane incoming ``X-Request-ID`` (from the reverse
proxy) or makes one, keeps it on ``request.request_id`` (the 500 page shows it) and in a context variable
that ``tongxin.core.logs.RequestIdFilter`` adds to every log record, echoes it in the response header and
writes one access-log line per request: method, path WITHOUT the query string (a roster search carries
names there), status, duration, user id and request id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

HEADER = "X-Request-ID"
# What we accept from outside: short, and nothing a log line or a header could be confused by.
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

current_request_id: ContextVar[str | None] = ContextVar("tongxin_request_id", default=None)
access_log = logging.getLogger("tongxin.access")


def get_request_id() -> str | None:
    """The id of the request being served in this thread/task, or None outside a request."""
    return current_request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def _user_id(request: HttpRequest) -> int | None:
    """The user's id if something already loaded the user: reading it here must not cost a query."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if SANE_ID.fullmatch(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response.headers[HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            user_id = _user_id(request)
            access_log.info(
                "%s %s %s %.1fms user=%s",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                user_id,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": user_id,
                },
            )
            return response
        finally:
            current_request_id.reset(token)
