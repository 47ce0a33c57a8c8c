"""Small helpers for writing .xlsx files with xlsxwriter, shared by every export and report.

* :func:`safe_text` neutralises text a spreadsheet would run as a formula (CSV/formula injection).
* :func:`open_workbook` opens a workbook that never turns text into formulas, numbers or links, and in
  streaming mode writes each row to disk as it goes, so memory stays flat however many rows follow.
* :func:`write_row` writes one row of Python values with the right cell types: text as text (made safe),
  dates as real Excel dates, numbers as numbers, empty values as blank cells.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import IO, Any

import xlsxwriter
from django.utils import timezone
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

# Excel's limit: rows per worksheet, header row included.
MAX_ROWS = 1_048_576

# Leading characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula (tab and
# carriage return are stripped by some of them first, which then exposes what follows).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe when it starts like a formula, so no spreadsheet runs it.

    ``safe_text("=HYPERLINK(...)") == "'=HYPERLINK(...)"``; ordinary text is returned unchanged. Readers
    of files we wrote should strip one leading apostrophe before such a character.
    """
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def open_workbook(out: str | PathLike[str] | IO[bytes], *, streaming: bool = True) -> Workbook:
    """A workbook writing to a path or a binary file object; close it to finish the file.

    Strings are never converted to formulas, numbers or hyperlinks. ``streaming=True`` sets xlsxwriter's
    ``constant_memory`` mode: each row goes to a temporary file once the next row starts, so rows must be
    written top to bottom, one sheet after another. Turn it off for small files that need cells written
    out of order (templates with validations and notes).
    """
    options: dict[str, Any] = {
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    if streaming:
        options["constant_memory"] = True
    return xlsxwriter.Workbook(out, options)


@dataclass(frozen=True)
class Formats:
    """The cell formats :func:`write_row` uses. ``text`` (optional) is applied to strings, e.g. ``@``."""

    date: Format
    datetime: Format
    header: Format
    text: Format | None = None


def standard_formats(workbook: Workbook, *, text_as_text: bool = True) -> Formats:
    """Date, date-time and bold header formats; strings get the text format ``@`` unless told otherwise.

    The ``@`` format keeps a cell text when someone edits it later (an ID number stays 18 digits).
    """
    return Formats(
        date=workbook.add_format({"num_format": DATE_FORMAT}),
        datetime=workbook.add_format({"num_format": DATETIME_FORMAT}),
        header=workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "vcenter"}),
        text=workbook.add_format({"num_format": "@"}) if text_as_text else None,
    )


def write_row(sheet: Worksheet, row_index: int, values: Sequence[object], formats: Formats) -> None:
    """Write ``values`` into row ``row_index`` (0-based) from column A, each cell with its proper type.

    str: text, made safe by :func:`safe_text`; date and datetime: Excel dates (aware date-times in the
    current time zone); bool; int, float, Decimal: numbers; None and "": blank; anything else: its text.
    """
    for col, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            sheet.write_string(row_index, col, safe_text(value), formats.text)
        elif isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.make_naive(value)
            sheet.write_datetime(row_index, col, value, formats.datetime)
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row_index, col, value, formats.date)
        elif isinstance(value, bool):
            sheet.write_boolean(row_index, col, value)
        elif isinstance(value, int | float | decimal.Decimal):
            sheet.write_number(row_index, col, float(value) if isinstance(value, decimal.Decimal) else value)
        else:
            sheet.write_string(row_index, col, safe_text(str(value)), formats.text)


def write_header(sheet: Worksheet, headers: Sequence[str], formats: Formats, row_index: int = 0) -> None:
    """Write a bold header row (headers are made safe like any text)."""
    for col, header in enumerate(headers):
        sheet.write_string(row_index, col, safe_text(header), formats.header)


def write_table(
    out: IO[bytes], sheet_name: str, headers: Sequence[str], rows: Any, *, widths: tuple[int, int] = (16, 14)
) -> int:
    """One sheet with a header row and ``rows`` (an iterable of value lists), the first column ``widths[0]``
    wide and the others ``widths[1]``; returns the row count."""
    workbook = open_workbook(out)
    try:
        formats = standard_formats(workbook, text_as_text=False)
        sheet = workbook.add_worksheet(sheet_name[:31])
        sheet.set_column(0, 0, widths[0])
        sheet.set_column(1, len(headers) - 1, widths[1])
        write_header(sheet, headers, formats)
        count = 0
        for count, values in enumerate(rows, start=1):
            write_row(sheet, count, values, formats)
    finally:
        workbook.close()
    return count
