"""Every error under /api/ answers JSON (issue 12 §3): a viewset's unexpected exception (500), a URL no route
matches (404) and a refused host (400) too, without the exception's text; pages keep their HTML error pages."""

from __future__ import annotations

import pytest
from django.test import Client

from tongxin.orgs.api import OrganizationViewSet

SECRET = "the exception text 13800138000"


def _json(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


def test_an_exception_in_a_viewset_answers_json_500(users, api_for, monkeypatch):
    def boom(self, request, *args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(OrganizationViewSet, "list", boom)
    api = api_for(users.district)
    api.raise_request_exception = False
    response = api.get("/api/orgs/")
    assert response.status_code == 500
    body = _json(response)
    assert body["detail"]
    assert SECRET not in response.content.decode() and "Traceback" not in response.content.decode()
    if response.get("X-Request-ID"):
        assert body["request_id"] == response["X-Request-ID"]


def test_an_unknown_api_url_answers_json_404(users, api_for):
    response = api_for(users.district).get("/api/no-such-things/?phone=13800138000")
    assert response.status_code == 404
    assert _json(response)["detail"]
    assert "13800138000" not in response.content.decode()


def test_a_refused_host_on_the_api_answers_json_400(db):
    response = Client().get("/api/orgs/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert _json(response)["detail"]
    assert "evil.example.com" not in response.content.decode()


@pytest.mark.parametrize("path", ["/no-such-page/", "/people/999999999/"])
def test_pages_keep_their_html_404(users, client_for, path):
    response = client_for(users.district).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
