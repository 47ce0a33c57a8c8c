"""Search terms kept out of URLs.

A roster search holds a name, an ID number or a phone: in a URL it would land in the browser history,
the server's and proxies' access logs and the Referer of the next request. So the search form POSTs,
the term is kept in the user's session under a short random key, and the page's URL, its pagination and
its export link carry only ``?s=<key>``. The key means nothing outside that session and dies with it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.http import HttpRequest, QueryDict

SESSION_KEY = "tongxin_search_terms"
PARAM = "s"
KEEP = 20  # the most recent terms kept per session


def stash(request: HttpRequest, term: str) -> str:
    """Keep ``term`` in the session and return its key (the same key for the same term)."""
    terms: dict[str, str] = dict(request.session.get(SESSION_KEY) or {})
    for key, value in terms.items():
        if value == term:
            return key  # already kept: no session write
    key = secrets.token_urlsafe(6)
    terms[key] = term
    request.session[SESSION_KEY] = dict(list(terms.items())[-KEEP:])
    return key


def resolve(request: HttpRequest, key: str) -> str | None:
    """The term kept under ``key`` in this session, or None (unknown or expired)."""
    terms = request.session.get(SESSION_KEY) or {}
    value = terms.get(key)
    return value if isinstance(value, str) else None


def expand(request: HttpRequest, params: QueryDict, field: str = "q") -> tuple[QueryDict, bool]:
    """``params`` with ``?s=<key>`` replaced by ``field=<term>``; and whether the key had expired."""
    data = params.copy()
    key = data.pop(PARAM, [None])[-1]
    if not key:
        return data, False
    term = resolve(request, key)
    if term is None:
        return data, True
    data[field] = term
    return data, False


def link_query(request: HttpRequest, params: QueryDict, allowed: Iterable[str], field: str = "q") -> str:
    """The query string for links to this list: the ``allowed`` filters as they are, the term as
    ``s=<key>``; empty values and any other parameter left out."""
    query = QueryDict(mutable=True)
    keep = set(allowed) - {field, PARAM}
    for name, values in params.lists():
        if name not in keep:
            continue
        kept = [value for value in values if value != ""]
        if kept:
            query.setlist(name, kept)
    term = " ".join((params.get(field) or "").split())
    if term:
        query[PARAM] = stash(request, term)
    return query.urlencode()
