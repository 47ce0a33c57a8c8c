"""The import pages as a secretary uses them: upload, preview, correct the mapping, import, download the
error report; a second click imports nothing twice; a job is its uploader's alone."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from tongxin.core.imports import create_job
from tongxin.core.models import ChangeLog, ImportJob
from tongxin.core.testing import person_data
from tongxin.people.models import Person

pytestmark = pytest.mark.usefixtures("english")


def csv_file(lines: list[str], name: str = "名册.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join(lines).encode(), content_type="text/csv")


def roster_lines(
    branch, names: list[str], *, bad_id: bool = False, header: str = "姓名,身份证号,所在团支部"
) -> list[str]:
    lines = [header]
    for name in names:
        lines.append(f"{name},{person_data(branch, name=name)['id_number']},{branch.code}")
    if bad_id:
        lines.append(f"错号码,110101200001011234,{branch.code}")
    return lines


def upload(client, file, **fields):
    response = client.post("/imports/new/", {"kind": "roster", "file": file, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("pk")
    assert response["Location"] == f"/imports/{job.pk}/"
    return job


def test_upload_checks_the_file_and_shows_the_counts_without_writing(tree, users, client_for, row_counts):
    client = client_for(users.secretary_a)
    before = row_counts()

    job = upload(client, csv_file(roster_lines(tree.branch_a, ["新人甲", "新人乙"], bad_id=True)))
    page = client.get(f"/imports/{job.pk}/").content.decode()

    assert row_counts() == before
    counts = re.findall(r'<div class="tx-stat[^"]*">(\d+)</div>', page)
    assert counts == ["2", "0", "0", "1"]  # new, updated, unchanged, with problems
    assert "check character is wrong" in page
    assert 'data-testid="commit-valid"' in page and 'data-testid="commit"' not in page


def test_the_secretarys_own_branch_is_preselected(tree, users, client_for):
    page = client_for(users.secretary_a).get("/imports/new/").content.decode()
    assert re.search(rf'<option value="{tree.branch_a.pk}" selected>', page)


def test_a_clean_file_imports_all_rows_with_one_click(tree, users, client_for):
    client = client_for(users.secretary_a)
    job = upload(client, csv_file(roster_lines(tree.branch_a, ["新人甲", "新人乙"])))
    assert 'data-testid="commit"' in client.get(f"/imports/{job.pk}/").content.decode()

    response = client.post(f"/imports/{job.pk}/commit/", follow=True)

    assert set(Person.objects.filter(branch=tree.branch_a).values_list("name", flat=True)) >= {"新人甲", "新人乙"}
    assert 'data-testid="done"' in response.content.decode()
    audit = ChangeLog.objects.get(action=ChangeLog.Action.IMPORT)
    assert audit.actor == users.secretary_a
    assert audit.after is not None
    assert (audit.after["file"], audit.after["new"]) == ("名册.csv", 2)


def test_a_second_click_imports_nothing_twice(tree, users, client_for):
    client = client_for(users.secretary_a)
    job = upload(client, csv_file(roster_lines(tree.branch_a, ["新人甲"])))
    client.post(f"/imports/{job.pk}/commit/")
    count = Person.objects.count()

    response = client.post(f"/imports/{job.pk}/commit/", follow=True)

    assert Person.objects.count() == count
    assert "already been imported" in response.content.decode()
    assert ChangeLog.objects.filter(action=ChangeLog.Action.IMPORT).count() == 1


def test_rows_with_problems_block_the_import_unless_valid_only_is_chosen(tree, users, client_for):
    client = client_for(users.secretary_a)
    job = upload(client, csv_file(roster_lines(tree.branch_a, ["新人甲"], bad_id=True)))

    client.post(f"/imports/{job.pk}/commit/")  # all or nothing: refused, nothing written
    assert not Person.objects.filter(name="新人甲").exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED

    client.post(f"/imports/{job.pk}/commit/", {"valid_only": "1"})
    assert Person.objects.filter(name="新人甲").exists()
    assert not Person.objects.filter(name="错号码").exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.result["valid_only"] is True


def test_an_unknown_header_is_mapped_on_the_page_and_checked_again(tree, users, client_for):
    client = client_for(users.secretary_a)
    lines = roster_lines(tree.branch_a, ["新人甲"], header="姓名,居民身份证,所在团支部")
    job = upload(client, csv_file(lines))
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "required columns were not found" in page
    assert 'data-testid="commit"' not in page

    response = client.post(f"/imports/{job.pk}/mapping/", {"col-0": "name", "col-1": "id_number", "col-2": "branch"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.report["missing"] == [] and job.report["counts"]["new"] == 1
    assert 'data-testid="commit"' in client.get(f"/imports/{job.pk}/").content.decode()


def test_one_field_cannot_come_from_two_columns(tree, users, client_for):
    client = client_for(users.secretary_a)
    job = upload(client, csv_file(roster_lines(tree.branch_a, ["新人甲"])))

    response = client.post(f"/imports/{job.pk}/mapping/", {"col-0": "name", "col-1": "name"}, follow=True)

    assert "one column only" in response.content.decode()
    job.refresh_from_db()
    assert "mapping" not in job.options


def test_the_error_report_marks_the_bad_cell_with_a_comment(tree, users, client_for):
    client = client_for(users.secretary_a)
    job = upload(client, csv_file(roster_lines(tree.branch_a, ["新人甲"], bad_id=True)))

    response = client.get(f"/imports/{job.pk}/report/")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    assert sheet[2][:2] == ["错号码", "110101200001011234"]  # the user's own row 3, where it was
    archive = zipfile.ZipFile(io.BytesIO(data))
    comments = "".join(archive.read(n).decode() for n in archive.namelist() if "comments" in n)
    assert "check character is wrong" in comments
    sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    bad_style = re.search(r'<c r="B3" s="(\d+)"', sheet_xml)
    good_style = re.search(r'<c r="B2"(?: s="(\d+)")?', sheet_xml)
    assert bad_style and good_style and bad_style.group(1) != good_style.group(1)
    listing = workbook.get_sheet_by_name(workbook.sheet_names[1]).to_python()
    assert listing[1][:3] == [3, "B", "身份证号"]


def test_no_error_report_for_a_file_without_problems(tree, users, client_for):
    client = client_for(users.secretary_a)
    job = upload(client, csv_file(roster_lines(tree.branch_a, ["新人甲"])))
    assert client.get(f"/imports/{job.pk}/report/").status_code == 404


def test_a_file_that_is_no_spreadsheet_is_refused_on_its_page(tree, users, client_for, row_counts):
    client = client_for(users.secretary_a)
    before = row_counts()
    job = upload(client, SimpleUploadedFile("名册.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100))

    page = client.get(f"/imports/{job.pk}/").content.decode()

    assert 'data-testid="refused"' in page and "not a spreadsheet" in page
    assert row_counts() == before


def test_a_file_over_the_size_limit_is_refused_at_upload(tree, users, client_for, settings):
    settings.TONGXIN_IMPORT_MAX_BYTES = 100
    client = client_for(users.secretary_a)

    response = client.post("/imports/new/", {"kind": "roster", "file": csv_file(["姓名" * 100])})

    assert response.status_code == 200
    assert "the limit is" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_running_job_shows_a_progress_bar_that_polls(tree, users, client_for):
    job = create_job(users.secretary_a, kind="roster", file_name="名册.csv", content=b"x", options={})

    page = client_for(users.secretary_a).get(f"/imports/{job.pk}/").content.decode()

    assert 'data-testid="progress"' in page
    assert 'hx-trigger="every 1s"' in page


def test_each_user_sees_only_their_own_imports(tree, users, client_for):
    mine = upload(client_for(users.secretary_a), csv_file(roster_lines(tree.branch_a, ["新人甲"]), name="甲.csv"))
    theirs = create_job(users.committee_admin, kind="roster", file_name="委员会.csv", content=b"x", options={})
    client = client_for(users.secretary_a)

    page = client.get("/imports/").content.decode()

    assert "甲.csv" in page and "委员会.csv" not in page
    assert client.get(f"/imports/{theirs.pk}/").status_code == 404
    assert client.get(f"/imports/{mine.pk}/").status_code == 200


def test_a_viewer_cannot_import(tree, users, client_for):
    client = client_for(users.viewer)
    assert client.get("/imports/new/").status_code == 404
    assert client.get("/imports/").status_code == 404


def test_someone_registered_elsewhere_comes_with_the_offer_to_ask_for_a_transfer(tree, users, client_for):
    client = client_for(users.secretary_a)
    b1 = tree.people.b1  # registered in branch B
    job = upload(client, csv_file(["姓名,身份证号,所在团支部", f"{b1.name},{b1.id_number},{tree.branch_a.code}"]))

    page = client.get(f"/imports/{job.pk}/").content.decode()

    assert "already belongs to a League member of another organisation" in page  # no name, no branch
    assert b1.name not in page and "乙团支部" not in page
    assert re.search(r'href="/lifecycle/transfers/in/"[^>]*data-testid="ask-transfer"', page)
