"""API tokens: ``Authorization: Token <key>`` authenticates; ``manage.py issue_token`` prints one."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def issue(*args: str) -> str:
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip()


def api_with(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_issue_token_prints_a_token_that_authenticates(tree, users):
    key = issue("district")
    assert len(key) == 40
    response = api_with(key).get("/api/orgs/")
    assert response.status_code == 200
    assert response.json()["count"] == 8  # the district admin's whole tree


def test_the_token_carries_the_users_scope(tree, users):
    response = api_with(issue("secretary_a")).get("/api/people/")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {tree.people.a1.pk, tree.people.a2.pk}


def test_issue_token_is_stable_until_rotated(tree, users):
    first = issue("district")
    assert issue("district") == first
    rotated = issue("district", "--rotate")
    assert rotated != first
    assert api_with(first).get("/api/orgs/").status_code == 401
    assert api_with(rotated).get("/api/orgs/").status_code == 200


def test_issue_token_refuses_unknown_and_inactive_users(tree, users):
    with pytest.raises(CommandError):
        issue("no-such-user")
    users.outsider.is_active = False
    users.outsider.save()
    with pytest.raises(CommandError):
        issue("outsider")
    assert not Token.objects.filter(user=users.outsider).exists()


def test_a_wrong_or_missing_token_is_401(tree, users):
    assert api_with("0" * 40).get("/api/orgs/").status_code == 401
    assert APIClient().get("/api/orgs/").status_code == 401


def test_a_deactivated_users_token_stops_working(tree, users):
    key = issue("committee_admin")
    users.committee_admin.is_active = False
    users.committee_admin.save()
    assert api_with(key).get("/api/orgs/").status_code == 401
