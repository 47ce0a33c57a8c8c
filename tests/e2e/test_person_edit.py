"""Flow 3: the secretary of branch A changes a member's phone; a malformed phone is refused with its rule."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.helpers import CJK, login, shoot, url, zh
from tongxin.core.exceptions import DomainError
from tongxin.core.models import AccessLog
from tongxin.people.models import Person
from tongxin.people.validators import check_phone

pytestmark = pytest.mark.e2e
NEW_PHONE = "13812345678"
NEW_PHONE_MASKED = "138****5678"
BAD_PHONE = "12345"


def _phone_error_text() -> str:
    """The message the service gives for BAD_PHONE, as a zh-hans page shows it."""
    with translation.override("zh-hans"), pytest.raises(DomainError) as raised:
        check_phone(BAD_PHONE)
    (message,) = raised.value.errors["phone"]
    return message


def test_secretary_changes_a_phone_and_sees_it_masked(page, tree, users):
    person = tree.people.a1
    login(page, "secretary_a")
    page.goto(url("people:detail", person.pk))
    expect(page.get_by_role("heading", name=person.name)).to_be_visible()
    shoot(page, "person")

    page.get_by_role("link", name=zh("Edit")).click()
    expect(page).to_have_url(url("people:edit", person.pk))
    page.locator("#id_phone").fill(NEW_PHONE)
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Save"), exact=True).click()

    expect(page).to_have_url(url("people:detail", person.pk))
    expect(page.locator("#phone")).to_have_text(NEW_PHONE_MASKED)
    assert NEW_PHONE not in page.content()  # the full number only after "show in full", which is logged
    assert Person.objects.get(pk=person.pk).phone == NEW_PHONE

    # "Show in full" swaps in the full values in place and leaves an AccessLog row.
    reveals = AccessLog.objects.filter(object_id=str(person.pk)).count()
    page.get_by_role("button", name=zh("Show in full")).click()
    expect(page.locator("#phone")).to_have_text(NEW_PHONE)
    expect(page.locator("#id-number")).to_have_text(person.id_number)
    assert AccessLog.objects.filter(object_id=str(person.pk)).count() == reveals + 1


def test_a_malformed_phone_shows_the_field_error(page, tree, users):
    person = tree.people.a1
    login(page, "secretary_a")
    page.goto(url("people:edit", person.pk))
    page.locator("#id_phone").fill(BAD_PHONE)
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Save"), exact=True).click()

    expect(page).to_have_url(url("people:edit", person.pk))  # the form again, not the person page
    error = page.locator(".invalid-feedback[data-field='phone']")
    expect(error).to_have_text(_phone_error_text())
    assert CJK.search(error.inner_text()), f"the phone error is not in Chinese: {error.inner_text()!r}"
    expect(page.locator(".invalid-feedback")).to_have_count(1)  # nothing else was wrong
    expect(page.locator("#id_phone")).to_have_value(BAD_PHONE)  # the input is kept for correcting
    shoot(page, "person-edit-error")
    assert Person.objects.get(pk=person.pk).phone == person.phone
