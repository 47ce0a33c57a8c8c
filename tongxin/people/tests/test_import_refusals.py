"""Files that cannot be imported at all are refused with a reason the user can act on, and nothing is
written: not a spreadsheet, a password-protected or damaged workbook, an empty file, too many rows, too
many bytes."""

from __future__ import annotations

import io
import zipfile

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from tongxin.core.imports import run_check
from tongxin.core.models import ImportJob
from tongxin.core.spreadsheets import FileRefused
from tongxin.people.models import Person
from tongxin.people.tests.import_helpers import (
    check,
    commit,
    counts,
    csv_file,
    member,
    table,
    upload,
    xls_file,
    xlsx_file,
)

pytestmark = pytest.mark.usefixtures("english")

NOT_A_SPREADSHEET = "This file is not a spreadsheet: upload an Excel workbook (.xlsx or .xls) or a CSV file."
DAMAGED = "The workbook is damaged and cannot be read: save it again in Excel and retry."
PASSWORD = "The workbook is protected by a password: remove the password in Excel and upload it again."

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + bytes(64)


def roster(tree, n: int = 2) -> bytes:
    return xlsx_file(table([member(tree.branch_a, f"拒{i}") for i in range(n)]))


def rewritten(content: bytes, replace: dict[str, bytes]) -> bytes:
    """The .xlsx ``content`` with some of its parts replaced (a part mapped to b"" is dropped)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = replace.get(info.filename, source.read(info.filename))
            if data:
                target.writestr(info.filename, data)
    return out.getvalue()


def assert_refused(job: ImportJob, message: str) -> None:
    assert job.status == "refused", (job.status, job.report)
    assert job.error == message
    assert job.report is None and job.result is None


def encrypted(content: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(content)).encrypt("密码123", out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda tree: PNG, "团员名册.xlsx", NOT_A_SPREADSHEET),
        (lambda tree: PNG, "团员名册.png", NOT_A_SPREADSHEET),
        (lambda tree: "姓名,公民身份号码\n张三,1\n".encode(), "团员名册.xlsx", NOT_A_SPREADSHEET),
        (lambda tree: b"%PDF-1.7\n" + bytes(100), "团员名册.csv", NOT_A_SPREADSHEET),  # NUL bytes: binary
        (lambda tree: "姓名\t身份证号\r\n".encode("utf-16"), "团员名册.csv", NOT_A_SPREADSHEET),
        (lambda tree: encrypted(roster(tree)), "团员名册.xlsx", PASSWORD),
        (lambda tree: xls_file([["姓名", "公民身份号码"]], filepass=True), "团员名册.xls", PASSWORD),
        (lambda tree: roster(tree)[:1500], "团员名册.xlsx", DAMAGED),  # cut short: no central directory
        (
            lambda tree: rewritten(roster(tree), {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"}),
            "团员名册.xlsx",
            DAMAGED,
        ),
        (lambda tree: rewritten(roster(tree), {"xl/workbook.xml": b""}), "团员名册.xlsx", NOT_A_SPREADSHEET),
        (lambda tree: b"", "团员名册.xlsx", "The file is empty."),
    ],
    ids=[
        "png-named-xlsx",
        "png",
        "text-named-xlsx",
        "binary-named-csv",
        "utf16-text",
        "encrypted-xlsx",
        "encrypted-xls",
        "truncated-zip",
        "corrupt-sheet",
        "zip-without-workbook",
        "empty",
    ],
)
def test_a_file_that_cannot_be_read_is_refused(tree, users, row_counts, make, name, message):
    content = make(tree)
    before = row_counts()

    job = check(users.district, content, name)
    assert_refused(job, message)

    job = commit(users.district, content, name)
    assert_refused(job, message)
    assert row_counts() == before


def test_a_zip_bomb_is_refused_without_unpacking_it(tree, users, row_counts):
    """A part that unpacks to far more than the file's size (here 20 MB of zeros) is not read."""
    bomb = rewritten(roster(tree), {"xl/sharedStrings.xml": bytes(20 * 1024 * 1024)})
    assert len(bomb) < 200_000
    before = row_counts()

    assert_refused(check(users.district, bomb), DAMAGED)
    assert row_counts() == before


def test_a_text_file_named_csv_without_a_header_is_refused(tree, users, row_counts):
    before = row_counts()

    job = commit(users.district, "请把名单发到邮箱\n谢谢\n".encode(), "名单.csv")

    assert job.status == "refused"
    assert job.error.startswith("No header row was found")
    assert row_counts() == before


def test_more_rows_than_the_limit_are_refused(tree, users, row_counts, settings):
    settings.TONGXIN_IMPORT_MAX_ROWS = 3
    rows = table([member(tree.branch_a, f"限{i}") for i in range(4)])
    before = row_counts()

    job = commit(users.district, xlsx_file(rows))

    assert_refused(job, "The file has more than 3 data rows, the most one import accepts: split it into smaller files.")
    assert row_counts() == before


def test_rows_up_to_the_limit_are_imported_blank_rows_not_counted(tree, users, settings):
    settings.TONGXIN_IMPORT_MAX_ROWS = 3
    rows = table([member(tree.branch_a, f"限{i}") for i in range(3)])
    rows[2:2] = [[None], [""]]

    job = commit(users.district, xlsx_file(rows))

    assert job.status == "done", job.error
    assert counts(job)["new"] == 3


def test_the_row_limit_applies_to_csv_too(tree, users, settings):
    settings.TONGXIN_IMPORT_MAX_ROWS = 2

    job = check(users.district, csv_file(table([member(tree.branch_a, f"限{i}") for i in range(3)])), "名册.csv")

    assert job.status == "refused"
    assert "more than 2 data rows" in job.error


MB = 1024 * 1024
SIZE_MESSAGE = "The file is 1.1 MB; the limit is 1 MB. Split it into smaller files."


def just_over_a_megabyte(tree) -> bytes:
    content = roster(tree)
    return content + bytes(MB + 1 - len(content))


def test_a_file_over_the_size_limit_is_refused_at_upload(tree, users, settings):
    settings.TONGXIN_IMPORT_MAX_BYTES = MB

    with pytest.raises(FileRefused) as refused:
        upload(users.district, just_over_a_megabyte(tree))

    # Rounded up: a file just over the limit does not read as "1 MB; the limit is 1 MB".
    assert refused.value.errors == {"file": [SIZE_MESSAGE]}
    assert ImportJob.objects.count() == 0


def test_a_file_of_exactly_the_limit_is_accepted(tree, users, settings):
    content = roster(tree)
    settings.TONGXIN_IMPORT_MAX_BYTES = len(content)

    job = commit(users.district, content)

    assert job.status == "done", job.error


def test_a_stored_file_over_a_lowered_size_limit_is_refused_by_the_check(tree, users, row_counts, settings):
    job = upload(users.district, just_over_a_megabyte(tree))
    settings.TONGXIN_IMPORT_MAX_BYTES = MB
    before = row_counts()

    job = run_check(job)

    assert_refused(job, SIZE_MESSAGE)
    assert row_counts() == before
    assert not Person.objects.filter(name__startswith="拒").exists()
