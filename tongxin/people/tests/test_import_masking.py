"""The import pages mask ID numbers and phones like the roster lists: the check report quotes the file's
cells (a bad ID number, a bad phone, someone else's ID number), the page shows them masked, malformed
ones included; the downloaded error report is the user's own file in full, for its uploader alone, and
each download is an export in the AccessLog."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from tongxin.core.masking import mask_cell, mask_id_number, mask_lookalikes, mask_phone
from tongxin.core.models import AccessLog, ImportJob
from tongxin.core.testing import person_data

pytestmark = pytest.mark.usefixtures("english")

BAD_ID = "110101200001011234"  # 18 characters, wrong check character
SHORT_PHONE = "1391234567"  # one digit missing
LONG_PHONE = "139876543210"  # one digit too many
ID_IN_WRONG_COLUMN = "530112200305061237"


def upload(client, lines: list[str]) -> ImportJob:
    file = SimpleUploadedFile("名册.csv", "\n".join(lines).encode(), content_type="text/csv")
    response = client.post("/imports/new/", {"kind": "roster", "file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def bad_file(tree) -> list[str]:
    code = tree.branch_a.code
    good = person_data(tree.branch_a)["id_number"]
    other = person_data(tree.branch_a)["id_number"]
    return [
        "姓名,身份证号,手机号码,民族,所在团支部,联系人 13612345678",
        f"错号码,{BAD_ID},13712345678,汉族,{code},",
        f"短号码,{good},{SHORT_PHONE},汉族,{code},",
        f"长号码,{other},{LONG_PHONE},{ID_IN_WRONG_COLUMN},{code},",
        f"王乙一,{tree.people.b1.id_number},,汉族,{code},",  # registered in branch B, outside her scope
    ]


def test_the_job_page_shows_bad_id_numbers_and_phones_masked(tree, users, client_for):
    client = client_for(users.secretary_a)
    job = upload(client, bad_file(tree))
    assert job.report is not None
    stored = [issue["value"] for issue in job.report["issues"]]
    assert BAD_ID in stored and SHORT_PHONE in stored  # the stored report is unchanged: the file's cells

    page = client.get(f"/imports/{job.pk}/").content.decode()

    b1_number = tree.people.b1.id_number
    for full in (BAD_ID, SHORT_PHONE, LONG_PHONE, ID_IN_WRONG_COLUMN, b1_number, "13612345678"):
        assert full not in page
    assert BAD_ID[3:-4] not in page and b1_number[3:-4] not in page and ID_IN_WRONG_COLUMN[3:-4] not in page
    assert "110***********1234" in page  # the roster lists' format
    assert mask_id_number(b1_number) in page
    assert "**********" in page  # the 10-digit phone: too short to show any of it
    assert "139*****3210" in page  # the 12-digit phone: first 3 and last 4
    assert mask_id_number(ID_IN_WRONG_COLUMN) in page  # an ID number typed in the ethnicity column
    assert "联系人 136****5678" in page  # a phone in an unmapped header cell, on the mapping form
    # The reasons stay readable, and each problem still says where it is.
    assert "check character is wrong" in page and "phone number is malformed" in page
    assert "already belongs to a League member of another organisation" in page  # b1: not in A's scope
    assert "B · 身份证号" in page and "C · 手机号码" in page


def test_a_report_stored_before_masking_existed_is_masked_on_its_page(tree, users, client_for):
    client = client_for(users.secretary_a)
    job = upload(client, bad_file(tree))
    report = dict(job.report or {})
    report["changes"] = [{"row": 9, "label": "王甲一", "fields": [["phone", "13512345678", "13587654321"]]}]
    ImportJob.objects.filter(pk=job.pk).update(report=report)  # as an older version stored it

    page = client.get(f"/imports/{job.pk}/").content.decode()

    assert "13512345678" not in page and "13587654321" not in page
    assert "135****5678" in page and "135****4321" in page


def test_other_bad_cells_are_still_shown_as_typed(tree, users, client_for):
    client = client_for(users.secretary_a)
    code = tree.branch_a.code
    lines = ["姓名,身份证号,民族,所在团支部", f"新人甲,{person_data(tree.branch_a)['id_number']},火星族,{code}"]
    job = upload(client, lines)

    page = client.get(f"/imports/{job.pk}/").content.decode()

    assert "火星族" in page and "Unknown value" in page


def test_downloading_the_error_report_is_an_audited_export_with_the_cells_in_full(tree, users, client_for):
    client = client_for(users.secretary_a)
    job = upload(client, bad_file(tree))
    assert not AccessLog.objects.exists()  # the check and the page are not exports

    response = client.get(f"/imports/{job.pk}/report/")

    assert response.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    assert sheet[1][1] == BAD_ID and str(sheet[2][2]).removesuffix(".0") == SHORT_PHONE  # to correct in place
    log = AccessLog.objects.get()
    assert log.action == AccessLog.Action.EXPORT and log.actor == users.secretary_a
    assert log.fields == "id_number,phone"
    assert log.row_count == 4
    assert log.object_repr == "名册.csv" and log.object_id == str(job.pk)
    assert log.org_path == tree.branch_a.path


def test_the_error_report_is_its_uploaders_alone(tree, users, client_for):
    job = upload(client_for(users.secretary_a), bad_file(tree))

    # The committee administrator may reveal ID numbers in branch A, yet the file was not hers.
    for user in (users.committee_admin, users.secretary_b, users.viewer):
        assert client_for(user).get(f"/imports/{job.pk}/report/").status_code == 404
        assert client_for(user).get(f"/imports/{job.pk}/").status_code == 404
    assert not AccessLog.objects.exists()


def test_mask_cell_keeps_enough_to_find_the_cell_and_no_more():
    assert mask_cell("530112200305061237") == mask_id_number("530112200305061237")
    assert mask_cell("13912345678") == mask_phone("13912345678")
    assert mask_cell("53011220030506") == "530*******0506"
    assert mask_cell("1391234567") == "**********"  # 10 characters: 3 + 4 would show 7 of them
    assert mask_cell("13 9") == "****"
    assert mask_cell("530112" * 30) == "530***********0112"  # a pasted paragraph: never more stars than an ID
    assert mask_cell(None) == mask_cell("") == ""


def test_mask_lookalikes_masks_id_numbers_and_mobiles_inside_text_only():
    assert mask_lookalikes("张三 13912345678") == "张三 139****5678"
    assert mask_lookalikes("530112 20030506 1237") == "530***********1237"
    assert mask_lookalikes("old 530112030506123.") == "old 530********6123."
    # Member numbers, division codes and dates are not personal data and keep their digits.
    for text in ("201912345678", "2019530112000001", "530112001001", "2003-05-06", "第12行"):
        assert mask_lookalikes(text) == text
