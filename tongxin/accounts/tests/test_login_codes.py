"""One-time login codes: a secretary or administrator resets passwords in bulk within their scope."""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime
import io
import json
import re
import time
import zlib
from unittest import mock

from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.accounts.services import CODE_ALPHABET, CODE_LENGTH, issue_login_codes
from tongxin.core.models import AccessLog, ChangeLog
from tongxin.core.testing import PASSWORD

NEW_PASSWORD = "Tuanzhibu2026x"
URL = "/accounts/login-codes/"


def issue(client, *people):
    return client.post(URL, {"person": [p.pk for p in people]})


def slips(response) -> dict[str, str]:
    """username -> code, as the handout shows them."""
    body = response.content.decode()
    usernames = re.findall(r"data-username>([^<]+)<", body)
    codes = re.findall(r"data-code>([^<]+)<", body)
    return dict(zip(usernames, codes, strict=True))


def login(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_secretary_lists_her_branch_and_issues_codes(client_for, tree, users):
    client = client_for(users.secretary_a)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert tree.people.a1.name in body and tree.people.a2.name in body
    assert tree.people.b1.name not in body and tree.people.c1.name not in body

    response = issue(client, tree.people.a1, tree.people.a2)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    handed = slips(response)
    a1_user = User.objects.get(person=tree.people.a1)  # a1 had no login: one was made
    assert set(handed) == {a1_user.username, "member"}
    assert a1_user.username == tree.people.a1.league_number  # the league member number is the username
    for username, code in handed.items():
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
        user = User.objects.get(username=username)
        assert user.must_change_password
        assert user.password.startswith(("md5$", "argon2$")) and code not in user.password
        assert user.password_expires_at is not None
        assert timezone.now() + datetime.timedelta(days=6) < user.password_expires_at
    entries = ChangeLog.objects.filter(
        content_type__model="user", object_id__in=[str(a1_user.pk), str(users.member.pk)]
    )
    assert entries.count() == 2
    assert {e.action for e in entries} == {"create", "update"}
    assert all(code not in str(e.before) + str(e.after) for e in entries for code in handed.values())
    assert all(e.actor_id == users.secretary_a.pk for e in entries)


def test_a_code_logs_in_once_then_forces_a_new_password(client_for, tree, users):
    handed = slips(issue(client_for(users.secretary_a), tree.people.a2))
    code = handed["member"]
    assert login(Client(), "member", PASSWORD).status_code != 302  # the old password is gone

    member = Client()
    assert login(member, "member", code).status_code == 302
    assert member.get("/")["Location"] == "/accounts/password/"
    # The code has done its work: a second login with it is refused, with the reason.
    other = Client()
    response = login(other, "member", code)
    assert response.status_code == 200
    assert "data-session-ended" not in response.content.decode()
    assert "alert-danger" in response.content.decode()

    response = member.post("/accounts/password/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert member.get(f"/people/{tree.people.a2.pk}/").status_code == 200
    assert login(Client(), "member", NEW_PASSWORD).status_code == 302


def test_an_expired_code_is_refused(client_for, tree, users, english):
    code = slips(issue(client_for(users.secretary_a), tree.people.a2))["member"]
    User.objects.filter(username="member").update(password_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = login(Client(), "member", code)
    assert response.status_code == 200
    assert "has been used or has expired" in response.content.decode()


def test_an_outsider_can_neither_list_nor_reset(client_for, tree, users):
    client = client_for(users.outsider)
    assert client.get(URL, {"org": tree.branch_a.pk}).status_code == 404
    assert tree.people.a1.name not in client.get(URL).content.decode()
    before = users.member.password
    response = issue(client, tree.people.a2, tree.people.a1)
    assert response.status_code == 200 and "data-code" not in response.content.decode()
    users.member.refresh_from_db()
    assert users.member.password == before
    assert not User.objects.filter(person=tree.people.a1).exists()
    assert client_for(users.viewer).get(URL).status_code == 404  # viewing is not changing
    assert client_for(users.nobody).get(URL).status_code == 404


def test_a_secretary_cannot_reset_an_admin_nor_herself(client_for, tree, users):
    users.committee_admin.person = tree.people.a1  # an administrator who is a member of branch A
    users.committee_admin.save()
    users.secretary_a.person = tree.people.b1  # any person: she is excluded as herself below
    users.secretary_a.save()
    RoleAssignment.objects.create(user=users.secretary_a, organization=tree.branch_b, role=Role.SECRETARY)
    client = client_for(users.secretary_a)
    page = client.get(URL).content.decode()
    assert f'name="person" value="{tree.people.a1.pk}"' not in page
    before = users.committee_admin.password
    response = issue(client, tree.people.a1, tree.people.b1)
    assert "data-code" not in response.content.decode()
    users.committee_admin.refresh_from_db()
    assert users.committee_admin.password == before and not users.committee_admin.must_change_password

    # The district admin, above the committee, may.
    issued = issue_login_codes(users.district, [tree.people.a1.pk])
    assert [c.username for c in issued] == ["committee_admin"]


def test_a_fellow_secretary_of_the_same_branch_is_not_reset(client_for, tree, users):
    fellow = User.objects.create(username="deputy_a", person=tree.people.a1)
    RoleAssignment.objects.create(user=fellow, organization=tree.branch_a, role=Role.SECRETARY)
    assert issue_login_codes(users.secretary_a, [tree.people.a1.pk]) == []
    # The committee admin above the branch may reset her.
    assert [c.username for c in issue_login_codes(users.committee_admin, [tree.people.a1.pk])] == ["deputy_a"]


def test_issuing_a_code_lifts_a_lockout(client_for, tree, users):
    for _attempt in range(5):
        login(Client(), "member", "wrong-password-1")
    assert AccessAttempt.objects.filter(username="member").exists()
    code = slips(issue(client_for(users.secretary_a), tree.people.a2))["member"]
    assert not AccessAttempt.objects.filter(username="member").exists()
    assert login(Client(), "member", code).status_code == 302


def test_the_handout_download_is_audited_and_for_the_issuer_only(client_for, tree, users):
    client = client_for(users.secretary_a)
    response = issue(client, tree.people.a1, tree.people.a2)
    handed = slips(response)
    match = re.search(r'name="handout" value="([^"]+)"', response.content.decode())
    assert match is not None
    token = match.group(1)

    assert client_for(users.committee_admin).post(f"{URL}download/", {"handout": token}).status_code == 404
    assert client_for(users.secretary_a).post(f"{URL}download/", {"handout": token + "x"}).status_code == 404
    assert not AccessLog.objects.exists()

    download = client_for(users.secretary_a).post(f"{URL}download/", {"handout": token})
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    data = b"".join(download.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert {row[2]: row[3] for row in rows[1:]} == handed
    log = AccessLog.objects.get()
    assert log.action == AccessLog.Action.EXPORT and log.actor == users.secretary_a and log.row_count == 2
    assert all(code not in str(log.filters) for code in handed.values())


def _decodings(value: str) -> list[bytes]:
    """Every way to read ``value`` without a key: as it is, and each of its parts (and the whole) as
    base64 (URL-safe or not, with or without Django's compression mark), zlib-inflated when that works."""
    found = [value.encode()]
    for part in [value, *re.split(r"[:.]", value)]:
        part = part.lstrip(".")
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                raw = decode(part + "=" * (-len(part) % 4))
            except (ValueError, binascii.Error):
                continue
            found.append(raw)
            with contextlib.suppress(zlib.error):
                found.append(zlib.decompress(raw))
    return found


def test_the_handout_carries_no_code_or_name_in_a_readable_form(client_for, tree, users):
    """The page's copy of the handout (a hidden field, kept by browser caches and sent back on download) is
    encrypted: no decoding shows a code, a username or a name (plain or JSON-escaped)."""
    response = issue(client_for(users.secretary_a), tree.people.a1, tree.people.a2)
    handed = slips(response)
    match = re.search(r'name="handout" value="([^"]+)"', response.content.decode())
    assert match is not None and len(handed) == 2
    secrets = [*handed.values(), *handed.keys(), tree.people.a1.name, tree.people.a2.name]
    forms = [s.encode() for s in secrets] + [json.dumps(s).strip('"').encode() for s in secrets]
    readings = _decodings(match.group(1))
    assert len(readings) > 1  # the decodings were tried
    leaks = [f for f in forms for reading in readings if f in reading]
    assert not leaks, leaks


def test_a_handout_older_than_an_hour_is_not_downloaded(client_for, tree, users):
    client = client_for(users.secretary_a)
    response = issue(client, tree.people.a2)
    match = re.search(r'name="handout" value="([^"]+)"', response.content.decode())
    assert match is not None
    token = match.group(1)
    later = time.time() + 3601
    with mock.patch("django.core.signing.time", mock.Mock(time=lambda: later)):  # the signature's clock only
        assert client.post(f"{URL}download/", {"handout": token}).status_code == 404
    assert client.post(f"{URL}download/", {"handout": token}).status_code == 200


def test_a_secretary_unlocks_a_locked_member_without_resetting_the_password(client_for, tree, users):
    for _attempt in range(5):
        login(Client(), "member", "wrong-password-1")
    assert login(Client(), "member", PASSWORD).status_code == 429
    page = client_for(users.secretary_a).get(URL).content.decode()
    assert page.count("data-locked") == 1

    # The outsider cannot; the secretary of the branch can.
    client_for(users.outsider).post(URL, {"person": [tree.people.a2.pk], "action": "unlock"})
    assert login(Client(), "member", PASSWORD).status_code == 429
    response = client_for(users.secretary_a).post(URL, {"person": [tree.people.a2.pk], "action": "unlock"})
    assert response.status_code == 302
    assert login(Client(), "member", PASSWORD).status_code == 302
    users.member.refresh_from_db()
    assert not users.member.must_change_password
    entry = ChangeLog.objects.filter(content_type__model="user", object_id=str(users.member.pk)).latest("id")
    assert entry.actor == users.secretary_a and entry.after == {"locked": False}
