"""The client's address for the per-address rate limits (django-ratelimit's ``key="ip"``: the public forms, the
wall display's wrong tokens).

Behind a reverse proxy every request comes from the proxy's address, so one limit would be shared by everyone:
one guesser would lock every committee's screen out, and the limit would say nothing about him. With
``TONGXIN_BEHIND_PROXY=1`` the settings name :func:`behind_proxy` as ``RATELIMIT_IP_META_KEY``: the address the
proxy writes in ``X-Real-IP`` (nginx: ``proxy_set_header X-Real-IP $remote_addr;``), which overwrites whatever a
client sent. A request without it (a load balancer's probe on the app's own port) keeps ``REMOTE_ADDR``. The
header is only to be trusted when the app can be reached through the proxy alone (docs/operations.md).
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def behind_proxy(request: HttpRequest) -> str:
    """The ``X-Real-IP`` the proxy set when it is an IP address, else the connection's own address."""
    given = request.META.get("HTTP_X_REAL_IP", "").strip()
    try:
        return str(ipaddress.ip_address(given))
    except ValueError:
        return request.META.get("REMOTE_ADDR", "")
