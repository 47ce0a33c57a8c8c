"""The donation pages and API: the drive page with totals, recording a donation and a disbursement on the pages
(a bad amount names the field, nothing written), voiding, the paginated list, the export (donor names for the
organisers only), scoped (secretary B and the outsider get 404; the API hides the rows)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.core.models import AccessLog
from tongxin.donations.models import Disbursement, Donation, DonationDrive, DriveStatus
from tongxin.donations.tests.donation_helpers import donate, drive

pytestmark = pytest.mark.usefixtures("english")


def _sheets(response) -> dict[str, list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_creating_a_drive_and_recording_on_the_pages(tree, users, client_for):
    client = client_for(users.secretary_a)
    today = timezone.localdate()
    response = client.post(reverse("donations:drive_create"), {
        "organization": tree.branch_a.pk, "title": "助学募捐", "partner": "青基会", "goal": "5000",
        "starts_on": today.isoformat(), "ends_on": today.isoformat(), "beneficiaries": "随迁子女"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    row = DonationDrive.objects.get()
    url = reverse("donations:donation_create", args=[row.pk])
    assert client.get(url).status_code == 200
    ok = client.post(url, {"donor_kind": "person", "donor_name": "李明", "amount": "1250.50",
                           "donated_on": today.isoformat(), "receipt_number": "R-1"})  # fmt: skip
    assert ok.status_code == 302
    for amount, message in (("-3", "more than zero"), ("1.234", "two decimal places"),
                            ("9999999", "largest amount")):  # fmt: skip
        bad = client.post(url, {"donor_kind": "person", "donor_name": "李明", "amount": amount,
                                "donated_on": today.isoformat(), "receipt_number": "R-2"})  # fmt: skip
        assert bad.status_code == 200 and message in bad.content.decode()
    assert Donation.objects.count() == 1
    page = client.get(reverse("donations:drive", args=[row.pk])).content.decode()
    assert "1250.50" in page and "李明" in page and "25.0%" in page
    response = client.post(reverse("donations:disbursement_create", args=[row.pk]), {
        "amount": "2000", "disbursed_on": today.isoformat(), "purpose": "书包", "recipient": "春苗学校"})  # fmt: skip
    assert response.status_code == 200 and "balance" in response.content.decode()
    response = client.post(reverse("donations:disbursement_create", args=[row.pk]), {
        "amount": "1000", "disbursed_on": today.isoformat(), "purpose": "书包", "recipient": "春苗学校",
        "evidence": SimpleUploadedFile("收据.pdf", b"%PDF-1.4\n")})  # fmt: skip
    assert response.status_code == 302
    assert Disbursement.objects.get().evidence.count() == 1
    evidence = Disbursement.objects.get().evidence.get()
    assert client.get(reverse("donations:evidence", args=[evidence.pk])).status_code == 200
    client.post(reverse("donations:drive_close", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == DriveStatus.CLOSED


def test_voiding_and_the_paginated_list(tree, users, client_for):
    row = drive(tree.branch_a, users.secretary_a)
    for n in range(30):
        donate(users.secretary_a, row, "10", f"R-{n:02d}")
    client = client_for(users.secretary_a)
    page = client.get(reverse("donations:donations", args=[row.pk])).content.decode()
    # the receipts shown (counting "R-" alone also counted a random CSP nonce that happened to hold it)
    assert sum(f"R-{n:02d}" in page for n in range(30)) == 25 and 'data-testid="pager"' in page
    first = Donation.objects.get(receipt_number="R-00")
    client.post(reverse("donations:donation_void", args=[first.pk]), {"reason": "重复录入"})
    first.refresh_from_db()
    assert first.voided and first.void_reason == "重复录入"
    client.post(reverse("donations:donation_void", args=[first.pk + 1]), {"reason": ""})
    assert not Donation.objects.get(pk=first.pk + 1).voided


def test_donor_names_only_for_the_organisers_and_the_export(tree, users, client_for):
    row = drive(tree.branch_a, users.secretary_a)
    donate(users.secretary_a, row, "88.88", "R-1")
    donate(users.secretary_a, row, "10", "R-2", donor_kind="anonymous", donor_name="")
    viewer = client_for(users.viewer)
    page = viewer.get(reverse("donations:drive", args=[row.pk])).content.decode()
    assert "88.88" in page and "李明" not in page and "(name hidden)" in page
    response = viewer.get(reverse("donations:export", args=[row.pk]))
    assert "李明" not in str(_sheets(response))
    response = client_for(users.secretary_a).get(reverse("donations:export", args=[row.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    sheets = _sheets(response)
    donations = next(rows for name, rows in sheets.items() if name == "Donations")
    assert [donations[1][1], donations[1][3]] == ["李明", 88.88]
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 2


@pytest.mark.parametrize("who", ["secretary_b", "outsider"])
def test_outsiders_get_404(tree, users, client_for, api_for, who):
    row = drive(tree.branch_a, users.secretary_a)
    donation = donate(users.secretary_a, row)
    client = client_for(getattr(users, who))
    for name, pk in [("donations:drive", row.pk), ("donations:donations", row.pk), ("donations:export", row.pk),
                     ("donations:donation_create", row.pk), ("donations:disbursement_create", row.pk)]:  # fmt: skip
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("donations:donation_void", args=[donation.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("donations:drive_close", args=[row.pk])).status_code == 404
    assert "关爱农民工子女" not in client.get(reverse("donations:list")).content.decode()
    api = api_for(getattr(users, who))
    assert api.get("/api/donations/").json()["results"] == []
    assert api.get(f"/api/donation-drives/{row.pk}/").status_code == 404
    assert not Donation.objects.filter(voided_at__isnull=False).exists()


def test_the_api(tree, users, api_for):
    api = api_for(users.secretary_a)
    today = timezone.localdate().isoformat()
    answer = api.post("/api/donation-drives/", {"organization": tree.branch_a.pk, "title": "助学", "partner": "青基会",
                      "goal": "1000.00", "starts_on": today, "ends_on": today, "beneficiaries": "学生"},
                      format="json")  # fmt: skip
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]
    data = {"drive": pk, "donor_kind": "organization", "donor_name": "滇池公司", "amount": "300.50",
            "donated_on": today, "receipt_number": "A-1"}  # fmt: skip
    answer = api.post("/api/donations/", data, format="json")
    assert answer.status_code == 201 and answer.json()["donor_name"] == "滇池公司", answer.content
    for amount in ("-1", "0", "0.005", "2000000"):
        bad = api.post("/api/donations/", {**data, "amount": amount, "receipt_number": "A-2"}, format="json")
        assert bad.status_code == 400 and "amount" in bad.json(), bad.content
    bad = api.post("/api/disbursements/", {"drive": pk, "amount": "400", "disbursed_on": today, "purpose": "书包",
                   "recipient": "学校"}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "amount" in bad.json()
    ok = api.post("/api/disbursements/", {"drive": pk, "amount": "300.50", "disbursed_on": today, "purpose": "书包",
                  "recipient": "学校"}, format="json")  # fmt: skip
    assert ok.status_code == 201
    drive_row = api.get(f"/api/donation-drives/{pk}/").json()
    assert (drive_row["received"], drive_row["disbursed"]) == ("300.50", "300.50")
    donation_id = api.get(f"/api/donations/?drive={pk}").json()["results"][0]["id"]
    refused = api.post(f"/api/donations/{donation_id}/void/", {"reason": "错"}, format="json")
    assert refused.status_code == 400  # the money is already disbursed
    assert api.post(f"/api/donation-drives/{pk}/close/", format="json").json()["status"] == "closed"
    viewer = api_for(users.viewer).get(f"/api/donations/?drive={pk}").json()["results"][0]
    assert viewer["donor_name"] == "" and viewer["donor_hidden"] is True
    assert api_for(users.viewer).post("/api/donations/", {**data, "receipt_number": "V"}, format="json"
                                      ).status_code in (400, 403)  # fmt: skip
