"""Flow 5: pages are in Chinese. zh-hans is the default language, also for a browser asking for another one.

Strings of Tongxin's own catalogue are compared with what ``gettext`` gives under zh-hans, so a reworded
msgid does not break the test, and are checked for Chinese characters; so are Django's own messages.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CJK, url, zh

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("locale", ["zh-CN", "fr-FR"])
def test_login_page_is_chinese(context_for, users, locale):
    page = context_for(locale).new_page()
    page.goto(url("accounts:login"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(zh("Log in to Tongxin"))
    button = page.get_by_role("button", name=zh("Log in"), exact=True)
    expect(button).to_be_visible()
    expect(page).to_have_title(zh("Tongxin"))
    for element in (heading, button):  # translated in the zh_Hans catalogue: 登录同心, 登录
        assert CJK.search(element.inner_text()), element.inner_text()

    # A wrong password: Django's own message, in Chinese.
    page.get_by_label(zh("Username"), exact=True).fill("district")
    page.get_by_label(zh("Password"), exact=True).fill("wrong-password")
    page.get_by_role("button", name=zh("Log in"), exact=True).click()
    alert = page.locator("form .alert-danger")
    expect(alert).to_be_visible()
    assert CJK.search(alert.inner_text()), alert.inner_text()
    expect(page).to_have_url(url("accounts:login"))
