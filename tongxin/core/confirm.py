"""A destructive form asks before it acts, with or without JavaScript (issue 13).

A form carries its question in a hidden field (``{% ask_first %}``, tongxin/core/templatetags/ask_first.py).
The shared script asks it in the browser and, once the user agrees, adds ``_confirmed=1``; a POST that still
carries an applicable question without that mark (no JavaScript, or Enter pressed in a field) is answered
with a page asking the question, whose button sends the same fields again, confirmed. Nothing is written
before that second POST. A post carrying files (which a page cannot send again) is left to the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

ASK_FIELD = "_ask"
CONFIRMED_FIELD = "_confirmed"
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
NOT_RESENT = {"csrfmiddlewaretoken", CONFIRMED_FIELD}


def questions(data: Any) -> list[str]:
    """The questions of a POST that apply to what was submitted: ``_ask`` always, ``_ask:name=value`` when
    the field ``name`` was sent with that value, ``_ask:name`` when it was sent at all."""
    asked = []
    for key in data:
        if key == ASK_FIELD:
            asked += data.getlist(key)
        elif key.startswith(ASK_FIELD + ":"):
            name, has_value, value = key[len(ASK_FIELD) + 1 :].partition("=")
            if name in data and (not has_value or value in data.getlist(name)):
                asked += data.getlist(key)
    return [q for q in dict.fromkeys(q.strip() for q in asked) if q]


class AskFirstMiddleware:
    """After the CSRF check (``process_view`` runs in middleware order): an unconfirmed destructive POST gets
    the question page instead of the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        # A view exempt from CSRF (the API: DRF parses its own body, and refuses a form-encoded one where it
        # takes JSON) is not a page form: reading its body here would pre-empt its parsers.
        if getattr(view, "csrf_exempt", False):
            return None
        if request.method != "POST" or request.content_type not in FORM_TYPES or request.FILES:
            return None
        if request.POST.get(CONFIRMED_FIELD) == "1":
            return None
        asked = questions(request.POST)
        if not asked:
            return None
        fields = [(k, v) for k in request.POST if k not in NOT_RESENT for v in request.POST.getlist(k)]
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = "/"
        context = {
            "title": _("Please confirm"),
            "questions": asked,
            "fields": fields,
            "action": request.get_full_path(),
            "back": back,
            "confirmed_field": CONFIRMED_FIELD,
        }
        return render(request, "core/ask_first.html", context)
