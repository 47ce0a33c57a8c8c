"""API tokens: ``Authorization: Token <key>`` authenticates; ``manage.py issue_token`` prints one."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tongxin.core.testing import PASSWORD


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


# --- tokens follow the password (issue 12 §4) -------------------------------------------------------------

NEW_PASSWORD = "Tuanzhibu2026x"


def _token_log(user):
    from tongxin.core.models import ChangeLog

    return ChangeLog.objects.filter(content_type__model="user", object_id=str(user.pk)).latest("id")


def test_a_token_is_refused_while_the_password_must_be_changed(tree, users, english):
    key = issue("member")
    users.member.must_change_password = True
    users.member.save()
    api = api_with(key)
    for response in (api.get("/api/people/"), api.get(f"/api/people/{tree.people.a2.pk}/"),
                     api.post("/api/transfers/", {}, format="json")):  # fmt: skip
        assert response.status_code == 403
        assert response.json() == {"detail": "You must change your password first."}
    users.member.must_change_password = False
    users.member.save()
    assert api.get(f"/api/people/{tree.people.a2.pk}/").status_code == 200


def test_the_refusal_is_in_chinese(tree, users):
    key = issue("member")
    User = type(users.member)
    User.objects.filter(pk=users.member.pk).update(must_change_password=True)
    response = api_with(key).get("/api/people/")
    assert response.status_code == 403
    assert response.json()["detail"] == "请先修改密码。"


def test_changing_the_password_ends_the_token_and_says_so_in_the_log(client_for, tree, users):
    key = issue("member")
    client = client_for(users.member)
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/accounts/password/", data).status_code == 302
    assert api_with(key).get("/api/people/").status_code == 401
    assert not Token.objects.filter(user=users.member).exists()
    entry = _token_log(users.member)
    assert entry.before["api_token_created"] and entry.after["api_token_created"] is None
    assert key not in str(entry.before) + str(entry.after)


def test_a_one_time_code_ends_the_token_and_says_so_in_the_log(client_for, tree, users):
    key = issue("member")
    response = client_for(users.secretary_a).post("/accounts/login-codes/", {"person": [tree.people.a2.pk]})
    assert response.status_code == 200
    assert api_with(key).get("/api/people/").status_code == 401
    assert not Token.objects.filter(user=users.member).exists()
    entry = _token_log(users.member)
    assert entry.actor_id == users.secretary_a.pk
    assert entry.before["api_token_created"] and entry.after["api_token_created"] is None


def test_the_admin_and_changepassword_end_the_token_too(client, tree, users):
    from unittest import mock

    key = issue("secretary_a")
    with mock.patch("getpass.getpass", return_value=NEW_PASSWORD):
        call_command("changepassword", "secretary_a", stdout=io.StringIO())
    assert api_with(key).get("/api/orgs/").status_code == 401

    key = issue("viewer")
    root = type(users.viewer).objects.create_superuser("root", password=PASSWORD)
    client.force_login(root)
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    assert client.post(f"/admin/accounts/user/{users.viewer.pk}/password/", data).status_code == 302
    assert api_with(key).get("/api/orgs/").status_code == 401

    key = issue("secretary_b")  # "disable password-based authentication" ends it as well
    data = {"usable_password": "false", "unset-password": "1"}
    assert client.post(f"/admin/accounts/user/{users.secretary_b.pk}/password/", data).status_code == 302
    users.secretary_b.refresh_from_db()
    assert not users.secretary_b.has_usable_password()
    assert api_with(key).get("/api/orgs/").status_code == 401


def test_a_rehash_at_login_keeps_the_token(client, settings, tree, users):
    """Logging in upgrades an older hash to Argon2: the same password, so the token stays."""
    from django.contrib.auth.hashers import make_password

    from tongxin import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    key = issue("secretary_a")
    type(users.secretary_a).objects.filter(pk=users.secretary_a.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    assert client.post("/accounts/login/", {"username": "secretary_a", "password": PASSWORD}).status_code == 302
    users.secretary_a.refresh_from_db()
    assert users.secretary_a.password.startswith("argon2")
    assert api_with(key).get("/api/orgs/").status_code == 200
