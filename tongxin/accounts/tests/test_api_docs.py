"""The OpenAPI schema and its documentation pages: behind login in production (a session or a token; the
pages send a browser to the login page), open to anyone in development (DEBUG)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tongxin.accounts.models import User

PAGES = ["/api/docs/", "/api/redoc/"]


@pytest.fixture
def reader(db):
    """A user without any role: the schema describes the API, not the data."""
    return User.objects.create_user("reader", password="Tuanzhibu2026x")


def test_production_refuses_an_anonymous_visitor(db, settings):
    settings.DEBUG = False
    response = Client().get("/api/schema/")
    assert response.status_code == 401
    assert "openapi" not in response.content.decode()
    for url in PAGES:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/accounts/login/?next={url}"


def test_production_serves_a_logged_in_user(settings, reader):
    settings.DEBUG = False
    client = Client()
    client.force_login(reader)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert "openapi" in response.content.decode()
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get("/api/docs/?script=").status_code == 200  # Swagger UI's start-up script


def test_production_serves_a_token(settings, reader):
    settings.DEBUG = False
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reader).key}")
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert "/api/people/" in response.content.decode()


def test_a_token_that_must_change_its_password_gets_no_schema(settings, reader):
    settings.DEBUG = False
    key = Token.objects.create(user=reader).key
    User.objects.filter(pk=reader.pk).update(must_change_password=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/schema/").status_code == 403


def test_development_serves_anyone(db, settings):
    settings.DEBUG = True
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    assert "openapi" in response.content.decode()
    for url in PAGES:
        assert Client().get(url).status_code == 200, url
