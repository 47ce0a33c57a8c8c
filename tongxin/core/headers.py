"""Security headers Django does not send itself.

- ``Permissions-Policy`` (``TONGXIN_PERMISSIONS_POLICY``): no camera, microphone or geolocation.
- Files (any response with a ``Content-Disposition``: exports, import reports, meeting photos and PDFs,
  checklist evidence): ``Content-Security-Policy: default-src 'none'; sandbox`` so a file opened in the
  browser can run nothing, even if it were HTML in disguise, and ``X-Content-Type-Options: nosniff``.
  This middleware sits after django-csp's in MIDDLEWARE, so it sees the response first and the site-wide
  policy, which is only added when no policy is set yet, leaves the file's own alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

FILE_POLICY = "default-src 'none'; sandbox"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "TONGXIN_PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        if "Content-Disposition" in response.headers:
            response.headers["Content-Security-Policy"] = FILE_POLICY
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response
