"""Password hashing and policy, lockout after repeated failures, session expiry, the forced password change."""

from __future__ import annotations

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from tongxin import settings as project_settings
from tongxin.accounts.middleware import LOGIN_AT, SEEN_AT
from tongxin.accounts.models import User
from tongxin.core.models import ChangeLog
from tongxin.core.testing import PASSWORD

NEW_PASSWORD = "Tuanzhibu2026x"


@pytest.fixture
def argon2(settings):
    """The project's hashers (the suite's autouse fixture swaps in MD5 for speed)."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def login(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


# --- hashing ------------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2(db, argon2):
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = User.objects.create_user("hashed", password=NEW_PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert NEW_PASSWORD not in user.password
    assert user.check_password(NEW_PASSWORD)


def test_an_older_hash_is_upgraded_to_argon2_at_login(client, tree, users, argon2):
    users.secretary_a.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    users.secretary_a.save()
    assert login(client, "secretary_a").status_code == 302
    users.secretary_a.refresh_from_db()
    assert users.secretary_a.password.startswith("argon2$")


# --- policy -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abc12345", "at least 10 characters"),
        ("abcdefghijkmn", "both letters and digits"),
        ("12345678901234", "both letters and digits"),
        ("password1234", "too common"),
        ("lijiaer2026a", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule_named(db, english, password, message):
    user = User(username="lijiaer2026", first_name="Li Jiaer")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(message in text for text in refused.value.messages), refused.value.messages


def test_a_good_password_passes_the_policy(db):
    validate_password(NEW_PASSWORD, User(username="member"))


def test_the_password_page_refuses_a_weak_password(client_for, tree, users, english):
    client = client_for(users.member)
    data = {"old_password": PASSWORD, "new_password1": "abcdefghijkmn", "new_password2": "abcdefghijkmn"}
    response = client.post("/accounts/password/", data)
    assert response.status_code == 200
    assert "both letters and digits" in response.content.decode()
    users.member.refresh_from_db()
    assert users.member.check_password(PASSWORD)


def test_a_user_changes_his_password_with_the_old_one(client_for, tree, users):
    client = client_for(users.member)
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post("/accounts/password/", data)
    assert response.status_code == 302
    users.member.refresh_from_db()
    assert users.member.check_password(NEW_PASSWORD)
    assert client.get(f"/people/{tree.people.a2.pk}/").status_code == 200  # the session survives the change


# --- lockout ------------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_for_30_minutes(client, tree, users, english):
    for _attempt in range(4):
        response = login(client, "secretary_a", "wrong-password-1")
        assert response.status_code == 200
    response = login(client, "secretary_a", "wrong-password-1")
    assert response.status_code == 429
    body = response.content.decode()
    assert "data-locked-out" in body
    attempt = AccessAttempt.objects.get(username="secretary_a")
    assert "wrong-password-1" not in attempt.post_data  # the tries are recorded without the passwords
    latest = attempt.attempt_time
    retry_at = timezone.localtime(latest + datetime.timedelta(minutes=30))
    assert f"try again after {retry_at:%Y-%m-%d %H:%M}" in body

    # Locked: even the right password is refused, and does not extend the lock.
    response = login(client, "secretary_a")
    assert response.status_code == 429
    assert client.get("/orgs/").status_code == 302
    assert AccessAttempt.objects.get(username="secretary_a").attempt_time == latest

    # Another user is not affected (the lock is per username, not per address).
    assert login(client, "secretary_b").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, tree, users):
    for _attempt in range(5):
        login(client, "secretary_a", "wrong-password-1")
    assert login(client, "secretary_a").status_code == 429
    AccessAttempt.objects.filter(username="secretary_a").update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=31)
    )
    assert login(client, "secretary_a").status_code == 302


def test_an_operator_unlocks_with_axes_reset_username(client, tree, users):
    for _attempt in range(5):
        login(client, "secretary_a", "wrong-password-1")
    assert login(client, "secretary_a").status_code == 429
    call_command("axes_reset_username", "secretary_a")
    assert login(client, "secretary_a").status_code == 302


def test_a_superuser_unlocks_from_the_user_admin(client, tree, users):
    for _attempt in range(5):
        login(client, "secretary_a", "wrong-password-1")
    root = User.objects.create_superuser("root", password=PASSWORD)
    admin = type(client)()
    admin.force_login(root)
    response = admin.post(
        "/admin/accounts/user/", {"action": "unlock", "_selected_action": [users.secretary_a.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not AccessAttempt.objects.filter(username="secretary_a").exists()
    assert login(client, "secretary_a").status_code == 302


def test_a_successful_login_clears_earlier_failures(client, tree, users):
    for _attempt in range(4):
        login(client, "secretary_a", "wrong-password-1")
    assert login(client, "secretary_a").status_code == 302
    client.post("/accounts/logout/")
    for _attempt in range(4):  # four more: not five in a row
        assert login(client, "secretary_a", "wrong-password-1").status_code == 200
    assert login(client, "secretary_a").status_code == 302


# --- session expiry -----------------------------------------------------------------------------------


def _age_session(client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_ends_and_the_login_page_says_why(client_for, tree, users, english):
    client = client_for(users.secretary_a)
    assert client.get("/orgs/").status_code == 200
    _age_session(client, SEEN_AT, 29 * 60)
    assert client.get("/orgs/").status_code == 200  # within the limit: the request counts as activity
    _age_session(client, SEEN_AT, 31 * 60)
    response = client.get("/orgs/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "data-session-ended" in response.content.decode()
    assert "30 minutes without activity" in response.content.decode()
    assert client.get("/orgs/").status_code == 302  # still logged out; the notice is shown once
    assert "data-session-ended" not in client.get("/accounts/login/").content.decode()


def test_a_session_ends_after_the_absolute_limit_even_when_active(client_for, tree, users, english):
    client = client_for(users.secretary_a)
    _age_session(client, LOGIN_AT, 8 * 3600 + 60)
    response = client.get("/orgs/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "limit of 8 hours" in response.content.decode()


def test_the_session_cookie_ends_with_the_browser(client, tree, users):
    response = login(client, "secretary_a")
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]


# --- forced password change ---------------------------------------------------------------------------


def test_a_user_who_must_change_his_password_sees_no_other_page(client_for, tree, users):
    users.member.must_change_password = True
    users.member.save()
    client = client_for(users.member)
    for url in ("/", f"/people/{tree.people.a2.pk}/", "/inbox/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/", url
    assert client.get("/api/people/").status_code == 403
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert 'name="old_password"' not in page.content.decode()  # just logged in with the code: not asked again

    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = client.post("/accounts/password/", data)
    assert response.status_code == 302
    users.member.refresh_from_db()
    assert not users.member.must_change_password
    assert users.member.check_password(NEW_PASSWORD)
    assert client.get(f"/people/{tree.people.a2.pk}/").status_code == 200
    entry = ChangeLog.objects.filter(content_type__model="user", object_id=str(users.member.pk)).latest("id")
    assert entry.after is not None and entry.after["must_change_password"] is False
    assert NEW_PASSWORD not in str(entry.before) + str(entry.after)


def test_the_forced_change_refuses_keeping_the_current_password(client_for, tree, users, english):
    users.member.must_change_password = True
    users.member.set_password(NEW_PASSWORD)
    users.member.save()
    client = client_for(users.member)
    response = client.post("/accounts/password/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert "must differ from the current one" in response.content.decode()
    users.member.refresh_from_db()
    assert users.member.must_change_password


def test_an_account_made_for_a_member_must_change_its_password(tree, users):
    from tongxin.accounts.services import create_user

    user = create_user(users.committee_admin, username="new_member", password="s3cret-Pass-99", person=tree.people.a1)
    assert user.must_change_password
