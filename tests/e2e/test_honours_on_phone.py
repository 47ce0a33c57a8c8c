"""Flow (issue 16, honours): on a phone (375 px wide), the committee admin awards branch A a 青年文明号 whose
validity ends soon, with a certificate photo (a file that is not what its name says is refused first, nothing
written); the inbox lists it as due for re-review and leads to it; she opens the review, which the inbox then
lists as under review, and confirms it; branch A's page shows the honour, and its certificate opens."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import login, page_width, shoot, url, zh
from tongxin.venues.models import Honour, HonourStatus

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _fits(page) -> None:
    assert page_width(page) <= PHONE["width"]


def test_award_an_honour_with_a_certificate_review_it_and_see_it_on_the_holders_page(context_for, tree, users):
    page = context_for("zh-CN").new_page()
    page.set_viewport_size(PHONE)
    login(page, "committee_admin")
    page.goto(url("venues:honours"))
    page.get_by_test_id("award").click()
    valid_until = timezone.localdate() + datetime.timedelta(days=30)

    def fill(certificate: dict) -> None:
        page.locator("#id_kind").select_option("youth_civilisation")
        page.locator("#id_level").select_option("municipal")
        page.locator("#id_year").fill(str(timezone.localdate().year))
        page.locator("#id_awarding_body").fill("共青团昆明市委")
        page.locator("#id_organization").select_option(str(tree.branch_a.pk))
        page.locator("#id_valid_until").fill(valid_until.isoformat())
        page.locator("#id_certificate").set_input_files(certificate)

    # a "photo" that is a text file: refused on the certificate, nothing written
    fill({"name": "证书.png", "mimeType": "image/png", "buffer": b"not a picture"})
    _fits(page)
    page.get_by_role("button", name=zh("Record the honour")).click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_contain_text("证书.png")
    assert not Honour.objects.exists()

    # the real photo
    fill({"name": "证书.png", "mimeType": "image/png", "buffer": PNG})
    shoot(page, "honour-award")
    page.set_viewport_size(PHONE)  # shoot() leaves the desktop width
    page.get_by_role("button", name=zh("Record the honour")).click()
    expect(page.get_by_test_id("honour-status")).to_have_text(zh("Valid"))
    honour = Honour.objects.get()
    assert (honour.organization_id, honour.certificate_type) == (tree.branch_a.pk, "image/png")

    # the inbox: due for re-review, leading to the honours to review
    page.goto(url("core:inbox"))
    page.get_by_role("link", name=zh("Honours due for re-review")).click()
    page.get_by_test_id("honour-list").get_by_role("link").first.click()
    open_review = page.get_by_role("button", name=zh("Open the review"))
    expect(open_review).to_be_visible()  # the honour's page, not the list the click left
    _fits(page)
    open_review.click()
    expect(page.get_by_test_id("honour-status")).to_have_text(zh("Under review"))
    page.goto(url("core:inbox"))
    page.get_by_role("link", name=zh("Honours under review")).click()
    page.get_by_test_id("honour-list").get_by_role("link").first.click()
    page.get_by_role("button", name=zh("Confirm after review")).click()
    expect(page.get_by_test_id("honour-status")).to_have_text(zh("Valid"))
    honour.refresh_from_db()
    assert honour.status == HonourStatus.VALID

    # the holder's page shows it; the certificate opens as the photo it is
    page.goto(url("orgs:detail", tree.branch_a.pk))
    holder = page.get_by_test_id("holder-honours")
    expect(holder).to_contain_text(zh("Youth civilisation post"))
    _fits(page)
    shoot(page, "honour-holder")
    page.set_viewport_size(PHONE)  # shoot() leaves the desktop width
    holder.get_by_role("link", name=zh("Youth civilisation post")).click()
    response = page.request.get(url("venues:honour_certificate", honour.pk))
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    assert response.body() == PNG
