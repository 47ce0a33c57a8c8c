"""Personal data in the browser: a secretary finds a minor without consent, records the guardian's consent
and the flag goes; a member downloads their own data; the district admin anonymises a former member on
request. Every page loads under the Content Security Policy without a violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, shoot, url, zh
from tests.e2e.test_csp import csp_page  # noqa: F401  (the page watched for policy violations)
from tongxin.privacy.services import anonymised_name
from tongxin.privacy.tests.helpers import former_member, minor

pytestmark = pytest.mark.e2e


def test_secretary_records_a_guardians_consent(csp_page, tree, users):  # noqa: F811
    child = minor(tree.branch_a, 10, name="甲小童")
    login(csp_page, "secretary_a")
    csp_page.visit(url("privacy:minors"))
    expect(csp_page.get_by_test_id("minor-row")).to_have_count(1)
    shoot(csp_page, "privacy-minors")
    csp_page.get_by_role("link", name="甲小童").click()
    expect(csp_page.get_by_test_id("consent-missing")).to_be_visible()
    csp_page.get_by_test_id("record-consent").click()
    csp_page.get_by_label(zh("Consent given by")).select_option("guardian")
    csp_page.get_by_label(zh("Guardian's name")).fill("甲家长")
    csp_page.get_by_label(zh("Relationship to the person")).select_option("mother")
    csp_page.get_by_label(zh("Version of the privacy notice")).fill("2026-1")
    shoot(csp_page, "privacy-consent-form")
    with csp_page.expect_navigation():
        csp_page.get_by_role("button", name=zh("Save")).click()
    expect(csp_page).to_have_url(url("people:detail", child.pk))
    expect(csp_page.get_by_test_id("consent-row")).to_contain_text("甲家长")
    expect(csp_page.get_by_test_id("consent-missing")).to_have_count(0)
    shoot(csp_page, "privacy-person-panel")
    assert not csp_page.violations()
    csp_page.visit(url("privacy:minors"))
    expect(csp_page.get_by_test_id("minor-row")).to_have_count(0)


def test_member_downloads_their_data(csp_page, tree, users):  # noqa: F811
    login(csp_page, "member")
    csp_page.visit(url("people:detail", tree.people.a2.pk))
    with csp_page.expect_download() as download:
        csp_page.get_by_test_id("access-export").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert tree.people.a2.name not in download.value.suggested_filename


def test_district_admin_anonymises_on_request(csp_page, tree, users):  # noqa: F811
    person = former_member(tree.people.b1, years_ago_left=1)
    login(csp_page, "district")
    csp_page.visit(url("people:detail", person.pk))
    csp_page.get_by_test_id("anonymise-link").click()
    csp_page.get_by_label(zh("Reason")).select_option("request")
    csp_page.get_by_label(zh("Reference of the request")).fill("申请-1")
    csp_page.get_by_label(zh("I understand that the name, ID number and phone are removed for good.")).check()
    shoot(csp_page, "privacy-anonymise")
    with csp_page.expect_navigation():
        csp_page.get_by_role("button", name=zh("Anonymise")).click()
    expect(csp_page.get_by_test_id("anonymised-badge")).to_be_visible()
    expect(csp_page.locator("h1")).to_contain_text(anonymised_name())
    assert person.name not in csp_page.content()
