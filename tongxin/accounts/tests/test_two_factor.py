"""Two-factor authentication (TOTP) for every administrator: enrolment, a code at every login, recovery codes."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.core.testing import PASSWORD

pytestmark = pytest.mark.usefixtures("admin_2fa")


def login(client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = ["rcv2code", "rcv3code"]
    for code in codes:
        StaticToken.objects.create(device=static, token=code)
    return device, codes


def test_an_admin_without_a_device_is_sent_to_enrolment_first(client, tree, users):
    response = login(client, "committee_admin")
    assert response.status_code == 302
    for url in ("/orgs/", "/people/", "/admin/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/setup/"), url
    assert client.get("/api/orgs/").status_code == 403  # the API with this session: refused, not redirected

    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "data-otp-secret" in body
    assert "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=users.committee_admin, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/Tongxin%3Acommittee_admin")

    assert client.post("/accounts/two-factor/setup/", {"code": "000000"}).status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # django-otp's delay after a miss

    response = client.post("/accounts/two-factor/setup/", {"code": current_code(device)})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = list(StaticToken.objects.filter(device__user=users.committee_admin).values_list("token", flat=True))
    assert len(codes) == 10
    body = response.content.decode()
    assert all(code in body for code in codes)  # shown once, here
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/orgs/").status_code == 200  # this session is verified


def test_an_admin_with_a_device_must_pass_a_code_at_every_login(client, tree, users):
    device, _codes = enrolled(users.committee_admin)
    login(client, "committee_admin")
    response = client.get("/orgs/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/?next=%2Forgs%2F"
    # With a device, enrolment is closed: a stolen password cannot add the thief's phone.
    assert client.get("/accounts/two-factor/setup/")["Location"].startswith("/accounts/two-factor/")
    assert TOTPDevice.objects.filter(user=users.committee_admin).count() == 1

    response = client.post("/accounts/two-factor/", {"code": current_code(device), "next": "/orgs/"})
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    assert client.get("/orgs/").status_code == 200

    # The next login asks again, even in the same browser.
    client.post("/accounts/logout/")
    login(client, "committee_admin")
    assert client.get("/orgs/").status_code == 302


def test_a_wrong_code_is_refused(client, tree, users, english):
    device, _codes = enrolled(users.district)
    login(client, "district")
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/two-factor/", {"code": wrong})
    assert response.status_code == 200
    assert "This code is not valid" in response.content.decode()
    assert client.get("/orgs/").status_code == 302


def test_a_recovery_code_works_once(client, tree, users):
    _device, codes = enrolled(users.district)
    login(client, "district")
    response = client.post("/accounts/two-factor/", {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/orgs/").status_code == 200

    client.post("/accounts/logout/")
    login(client, "district")
    assert client.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 200
    assert client.get("/orgs/").status_code == 302
    StaticDevice.objects.filter(user=users.district).update(throttling_failure_count=0)
    assert client.post("/accounts/two-factor/", {"code": codes[1]}).status_code == 302
    assert client.get("/orgs/").status_code == 200


def test_a_secretary_is_not_asked_for_a_code(client, tree, users):
    response = login(client, "secretary_a")
    assert response.status_code == 302
    assert client.get("/orgs/").status_code == 200
    assert client.get("/accounts/two-factor/setup/")["Location"] == "/"
    assert not TOTPDevice.objects.filter(user=users.secretary_a).exists()


def test_a_superuser_needs_a_code_too(client, tree, users):
    from tongxin.accounts.models import User

    User.objects.create_superuser("root", password=PASSWORD)
    login(client, "root")
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/setup/")


def test_api_tokens_are_not_behind_the_code(tree, users, api_for):
    assert api_for(users.district).get("/api/orgs/").status_code == 200


def test_the_setting_turns_the_step_off(client, tree, users, settings):
    settings.TONGXIN_ADMIN_2FA = False
    login(client, "district")
    assert client.get("/orgs/").status_code == 200
