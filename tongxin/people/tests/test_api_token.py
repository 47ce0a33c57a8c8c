"""``manage.py issue_token <user>`` prints a token that authenticates /api/people/ with the user's scope."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.usefixtures("english")


def issue(*args: str) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip()


def client_with(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_issued_token_authenticates_the_api_with_the_users_scope(tree, users):
    key = issue("secretary_a")

    assert len(key) == 40
    assert Token.objects.get(user=users.secretary_a).key == key
    response = client_with(key).get("/api/people/")
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == {"张甲一", "李甲二"}
    assert client_with(key).get(f"/api/people/{tree.people.c1.pk}/").status_code == 404


def test_issuing_again_prints_the_same_token_and_rotate_replaces_it(tree, users):
    key = issue("district")
    assert issue("district") == key

    new_key = issue("district", "--rotate")

    assert new_key != key
    assert client_with(new_key).get("/api/people/").json()["count"] == 5
    assert client_with(key).get("/api/people/").status_code == 401


def test_without_a_valid_token_the_api_refuses(tree, users):
    assert APIClient().get("/api/people/").status_code == 401
    assert client_with("0" * 40).get("/api/people/").status_code == 401


def test_unknown_or_inactive_user_gets_no_token(tree, users):
    with pytest.raises(CommandError, match="No active user named ghost"):
        issue("ghost")
    users.viewer.is_active = False
    users.viewer.save()
    with pytest.raises(CommandError, match="No active user named viewer"):
        issue("viewer")
    assert not Token.objects.exists()
