"""Login hardening in a real browser (strict CSP): one-time login codes handed out by a secretary and used by a
member, and an administrator enrolling an authenticator app."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.helpers import login, url

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Tuanzhibu2026x"


def test_a_secretary_hands_out_codes_and_a_member_uses_one(page, context_for, tree, users):
    login(page, "secretary_a")
    page.goto(url("accounts:bulk_reset"))
    boxes = page.locator("[data-select-row]")
    expect(boxes).to_have_count(2)
    page.locator("[data-select-all]").check()  # accounts.js ticks every row on the page
    for index in range(2):
        expect(boxes.nth(index)).to_be_checked()
    page.once("dialog", lambda dialog: dialog.accept())  # it asks first: the passwords stop working
    with page.expect_navigation():
        page.locator("form[data-bulk-reset] button[value=codes]").click()
    expect(page.locator("[data-code]")).to_have_count(2)
    slips = dict(zip(page.locator("[data-username]").all_inner_texts(), page.locator("[data-code]").all_inner_texts(),
                     strict=True))  # fmt: skip
    assert "member" in slips

    member = context_for("zh-CN").new_page()
    login(member, "member", slips["member"])
    expect(member).to_have_url(url("accounts:password_change"))
    member.locator("#id_new_password1").fill(NEW_PASSWORD)
    member.locator("#id_new_password2").fill(NEW_PASSWORD)
    with member.expect_navigation():
        member.locator("main button[type=submit]").click()
    expect(member).to_have_url(url("core:home"))  # his own page (我的)


def test_an_admin_enrols_an_authenticator_app(page, tree, users, settings):
    settings.TONGXIN_ADMIN_2FA = True
    login(page, "committee_admin")
    expect(page).to_have_url(re.compile(re.escape(url("accounts:otp_enrol"))))
    expect(page.locator("[data-otp-qr] svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=users.committee_admin, confirmed=False)
    page.locator("#id_code").fill(f"{totp(device.bin_key):06d}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    expect(page.locator("[data-recovery-codes] li")).to_have_count(10)
    with page.expect_navigation():
        page.locator("main a.btn-danger").click()
    expect(page).to_have_url(url("core:home"))  # her workbench
