"""Helpers for the roster import tests: spreadsheets built in memory, and the check and commit run on them.

A table is a list of rows, each a list of cell values: text, numbers, ``datetime.date`` (written as a real
Excel date cell) or None (an empty cell). Row ``i`` of the table is row ``i + 1`` in Excel.
"""

from __future__ import annotations

import csv
import datetime
import io
import struct
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter

from tongxin.core.imports import create_job, run_check, run_commit
from tongxin.core.models import ImportJob
from tongxin.core.testing import make_id_number, years_ago
from tongxin.orgs.models import Organization
from tongxin.people.columns import ROSTER_COLUMN_BY_KEY, ROSTER_COLUMNS
from tongxin.people.models import Person

Table = list[list[Any]]

HEADERS = [column.header for column in ROSTER_COLUMNS]
# The columns a committee usually fills in, in this order.
USUAL = ["name", "id_number", "ethnicity", "political_status", "league_join_date", "league_number", "phone",
         "education", "occupation", "branch"]  # fmt: skip


def header(key: str) -> str:
    return ROSTER_COLUMN_BY_KEY[key].header


def member(branch: Organization | str | None, name: str | None = "新团员", **overrides: Any) -> dict[str, Any]:
    """One valid row, by column key, as a committee types it: a 20-year-old member who joined at 16 (in
    2017 or later, so with a member number), names of codes as text, dates as ``YYYY-MM-DD`` text."""
    birth = overrides.pop("birth", years_ago(20))
    male = overrides.pop("male", True)
    join = birth.replace(year=birth.year + 16) + datetime.timedelta(days=10)
    row: dict[str, Any] = {
        "name": name,
        "id_number": make_id_number(birth, male=male),
        "ethnicity": "汉族",
        "political_status": "共青团员",
        "league_join_date": join.isoformat(),
        "league_number": league_number(join.year),
        "phone": phone(),
        "education": "大学本科",
        "occupation": "学生",
        "branch": branch.name if isinstance(branch, Organization) else branch,
    }
    row.update(overrides)
    return row


def person_row(person: Person) -> dict[str, Any]:
    """``person`` as it is on record, by column key, as the roster export writes it (codes by name)."""
    person = Person.objects.select_related("branch").get(pk=person.pk)
    row: dict[str, Any] = {}
    for column in ROSTER_COLUMNS:
        if column.key == "branch":
            row["branch"] = person.branch.name if person.branch else None
            continue
        value = getattr(person, column.key)
        if column.codes is not None and value:
            value = column.codes.name(value)
        row[column.key] = value if value not in ("", None) else None
    return row


_numbers = iter(range(90_000_000, 99_999_999))


def league_number(year: int) -> str:
    """A fresh league member number for a join in ``year`` (apart from those the fixtures hand out)."""
    return f"{year}{next(_numbers):08d}"


_phones = iter(range(10_000_000, 99_999_999))


def phone() -> str:
    return f"137{next(_phones):08d}"


def table(rows: Iterable[dict[str, Any]], keys: Sequence[str] = USUAL, *,
          headers: dict[str, str] | None = None) -> Table:  # fmt: skip
    """A header row (the standard headers, or ``headers[key]`` instead) and one row per dict."""
    names = headers or {}
    result: Table = [[names.get(key, header(key)) for key in keys]]
    result.extend([row.get(key) for key in keys] for row in rows)
    return result


def xlsx_file(*sheets: Table | tuple[str, Table], title: str | None = None, text_columns: Sequence[int] = ()) -> bytes:
    """An .xlsx workbook with one sheet per table (``(name, table)`` to name it).

    ``title``: a title merged across the first row of the first sheet, above its table. ``text_columns``:
    columns formatted as text (the template's ID and phone columns).
    """
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})  # fmt: skip
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    text_format = workbook.add_format({"num_format": "@"})
    for index, item in enumerate(sheets):
        name, rows = item if isinstance(item, tuple) else (f"Sheet{index + 1}", item)
        sheet = workbook.add_worksheet(name)
        for col in text_columns:
            sheet.set_column(col, col, 20, text_format)
        first = 0
        if title is not None and index == 0:
            width = max(len(row) for row in rows)
            sheet.merge_range(0, 0, 0, width - 1, title)
            first = 1
        for r, row in enumerate(rows, start=first):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_format)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    workbook.close()
    return out.getvalue()


# --- .xls: no writer is installed, so a minimal BIFF8 workbook in a compound file is built by hand ----------


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:  # BIFF8 BOF: version 0x0600, 0x0005 workbook globals / 0x0010 worksheet
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def xls_file(rows: Table, *, sheet: str = "Sheet1", filepass: bool = False) -> bytes:
    """An Excel 97-2003 workbook with one sheet: text in the shared string table (LABELSST cells), numbers
    as NUMBER cells. ``filepass``: add the FILEPASS record of a password-protected workbook."""
    strings: dict[str, int] = {}
    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
            else:
                index = strings.setdefault(str(value), len(strings))
                cells += _record(0x00FD, struct.pack("<HHHI", r, c, 0, index))
    width = max((len(row) for row in rows), default=0)
    dimensions = _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
    worksheet = _bof(0x0010) + dimensions + cells + _record(0x000A)
    texts = b"".join(struct.pack("<HB", len(text), 1) + text.encode("utf-16-le") for text in strings)
    sst = _record(0x00FC, struct.pack("<II", len(strings), len(strings)) + texts)
    head = _bof(0x0005)
    if filepass:  # RC4 encryption header (version 1.1), salt and verifier as Excel writes them
        head += _record(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48))
    head += _record(0x0042, struct.pack("<H", 1200))  # code page: UTF-16
    name = struct.pack("<BB", len(sheet), 1) + sheet.encode("utf-16-le")
    offset = len(head) + 4 + 6 + len(name) + len(sst) + 4  # where the worksheet's BOF starts
    globals_ = head + _record(0x0085, struct.pack("<IBB", offset, 0, 0) + name) + sst + _record(0x000A)
    assert len(globals_) == offset
    return _compound_file("Workbook", globals_ + worksheet)


_SECTOR = 512
_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _compound_file(name: str, data: bytes) -> bytes:
    """A compound file (CFB version 3) holding one stream: header, one FAT sector, the stream (padded past
    the 4,096-byte mini-stream cutoff, so it sits in ordinary sectors), one directory sector."""
    data = data.ljust(max(4096, -(-len(data) // _SECTOR) * _SECTOR), b"\0")
    count = len(data) // _SECTOR
    fat = [_FAT, *range(2, count + 1), _END, _END]  # sector 0 the FAT, 1..count the stream, then the directory
    assert len(fat) <= _SECTOR // 4, "stream too long for one FAT sector"
    fat += [_FREE] * (_SECTOR // 4 - len(fat))

    def entry(label: str, kind: int, *, child: int = _NONE, start: int = _END, size: int = 0) -> bytes:
        encoded = (label + "\0").encode("utf-16-le") if label else b""
        fields = struct.pack("<HBBIII", len(encoded), kind, 1, _NONE, _NONE, child)
        return encoded.ljust(64, b"\0") + fields + bytes(36) + struct.pack("<IQ", start, size)

    directory = entry("Root Entry", 5, child=1) + entry(name, 2, start=1, size=len(data)) + entry("", 0) * 2
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
        + struct.pack("<9I", 0, 1, count + 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108
    )  # fmt: skip
    return header + struct.pack(f"<{_SECTOR // 4}I", *fat) + data + directory


def csv_file(rows: Table, encoding: str = "utf-8") -> bytes:
    """A CSV file (``encoding="utf-8-sig"`` writes the BOM Excel adds, ``"gbk"`` what Chinese Excel saves)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue().encode(encoding)


def upload(actor: Any, content: bytes, file_name: str = "名册.xlsx", *, org: Organization | None = None,
           mapping: dict[int, str] | None = None) -> ImportJob:  # fmt: skip
    """The job an upload creates (not yet checked)."""
    options: dict[str, Any] = {"org_id": org.pk if org is not None else None}
    if mapping:
        options["mapping"] = {str(col): key for col, key in mapping.items()}
    return create_job(actor, kind="roster", file_name=file_name, content=content, options=options)


def check(actor: Any, content: bytes, file_name: str = "名册.xlsx", **options: Any) -> ImportJob:
    """The dry run of an upload; the job (its ``report``, or ``status == "refused"`` and ``error``)."""
    return run_check(upload(actor, content, file_name, **options))


def commit(actor: Any, content: bytes, file_name: str = "名册.xlsx", *, valid_only: bool = False,
           **options: Any) -> ImportJob:  # fmt: skip
    """Check then import an upload, as the import page does."""
    job = check(actor, content, file_name, **options)
    return run_commit(job, valid_only=valid_only)


def report(job: ImportJob) -> dict[str, Any]:
    """The check's report (the job was checked, not refused)."""
    assert job.report is not None, (job.status, job.error)
    return job.report


def issues_at(job: ImportJob, row: int) -> list[dict[str, Any]]:
    """The problems the report lists for Excel row ``row``."""
    return [issue for issue in report(job)["issues"] if issue["row"] == row]


def messages(job: ImportJob, row: int, key: str | None = None) -> list[str]:
    """The messages of Excel row ``row`` (for the column of ``key``'s header, if given)."""
    found = issues_at(job, row)
    if key is not None:
        found = [issue for issue in found if issue["header"] in ROSTER_COLUMN_BY_KEY[key].headers]
    return [issue["message"] for issue in found]


def counts(job: ImportJob) -> dict[str, int]:
    return report(job)["counts"]
