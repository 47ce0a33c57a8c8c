"""The error report of a checked import: the user's own sheet with each bad cell highlighted and commented.

The sheet is written back cell for cell at the same positions (title rows, header, data), so row 37 of the
report is row 37 of the file the user sent and they can correct it in place. Each cell a rule refused is
filled red with a comment naming the rule; problems with a whole row go into an added last column; a
second sheet lists every problem (row, column, header, value, rule) for filtering and printing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from os import PathLike
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from tongxin.core import xlsx
from tongxin.core.audit import record_access
from tongxin.core.imports import display_value
from tongxin.core.masking import SENSITIVE_FIELDS
from tongxin.core.models import AccessLog, ImportJob
from tongxin.core.scoping import Actor
from tongxin.core.spreadsheets import Sheet, read_sheets

Out = str | PathLike[str] | IO[bytes]
COMMENT_SIZE = {"x_scale": 2.2, "y_scale": 1.6}


def report_file_name(file_name: str) -> str:
    """``名册.xls`` -> ``名册_错误报告.xlsx`` (the report is always .xlsx, whatever was sent)."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    suffix = _("error report")
    return f"{stem}_{suffix}.xlsx"


def write_audited_error_report(actor: Actor, job: ImportJob, out: Out) -> int:
    """``write_error_report``, recorded as an export of personal data (one AccessLog row): the report holds
    the file's cells in full. ``actor`` is None for an operator's command."""
    count = write_error_report(job, out)
    report = job.report or {}
    mapped = {column.get("key") for column in report.get("columns", [])}
    personal = [key for key in SENSITIVE_FIELDS if key in mapped]  # the file's other columns are in it too
    record_access(actor, AccessLog.Action.EXPORT, obj=job, fields=",".join(personal),
                  row_count=report.get("rows"), org_path=job.org_path)  # fmt: skip
    return count


def _sheet_of(job: ImportJob) -> Sheet:
    wanted = (job.report or {}).get("sheet")
    sheets = read_sheets(bytes(job.content), job.file_name, max_bytes=settings.TONGXIN_IMPORT_MAX_BYTES)
    first = None
    for sheet in sheets:
        first = first or sheet
        if sheet.name == wanted:
            return sheet
    assert first is not None  # the job was checked, so the file has a sheet
    return first


def write_error_report(job: ImportJob, out: Out) -> int:
    """Write the report of checked ``job`` to ``out``; return the number of problems marked."""
    report = job.report or {}
    issues: list[dict[str, Any]] = report.get("issues", [])
    sheet = _sheet_of(job)
    by_cell: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))  # row -> col -> messages
    by_row: dict[int, list[str]] = defaultdict(list)
    for issue in issues:
        if issue["col"] is None:
            by_row[issue["row"]].append(issue["message"])
        else:
            by_cell[issue["row"]][issue["col"]].append(issue["message"])

    workbook = xlsx.open_workbook(out, streaming=False)
    formats = xlsx.standard_formats(workbook, text_as_text=False)
    bad = workbook.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006", "border": 1, "border_color": "#C00000"})
    bad_date = workbook.add_format({"bg_color": "#F8CBAD", "font_color": "#9C0006", "num_format": xlsx.DATE_FORMAT})
    note = workbook.add_format({"font_color": "#C00000", "text_wrap": True})
    header_row = report.get("header_row", 1) - 1
    width = max((len(row) for row in sheet.rows), default=0)

    data = workbook.add_worksheet(sheet.name[:31] or "Sheet1")
    data.freeze_panes(header_row + 1, 0)
    data.set_column(0, max(width - 1, 0), 14)
    data.set_column(width, width, 50)
    for index, cells in enumerate(sheet.rows):
        row_number = index + 1
        xlsx.write_row(data, index, [_plain(cell) for cell in cells], formats)
        for col, messages in by_cell.get(row_number, {}).items():
            value = _plain(cells[col]) if col < len(cells) else None
            is_date = isinstance(value, datetime.date)
            fmt = bad_date if is_date else bad
            if value is None or value == "":
                data.write_blank(index, col, None, fmt)
            elif is_date:
                data.write_datetime(index, col, value, fmt)
            elif isinstance(value, int | float):
                data.write_number(index, col, value, fmt)
            else:
                data.write_string(index, col, xlsx.safe_text(str(value)), fmt)
            data.write_comment(index, col, "\n".join(messages), COMMENT_SIZE)
        if index == header_row:
            data.write_string(index, width, _("Problems"), formats.header)
        elif row_number in by_row:
            data.write_string(index, width, xlsx.safe_text("；".join(by_row[row_number])), note)

    listing = workbook.add_worksheet(_("Problems")[:31])
    headings = [_("Row"), _("Column"), _("Header"), _("Value"), _("Problem")]
    xlsx.write_header(listing, headings, formats)
    listing.set_column(0, 1, 8)
    listing.set_column(2, 3, 18)
    listing.set_column(4, 4, 70)
    for index, issue in enumerate(issues, start=1):
        values = [issue["row"], issue.get("letter") or "", issue["header"], issue["value"], issue["message"]]
        xlsx.write_row(listing, index, values, formats)
    listing.autofilter(0, 0, max(len(issues), 1), len(headings) - 1)
    workbook.close()
    return len(issues)


def _plain(value: Any) -> Any:
    """A cell as read, ready to write back: whole floats as integers, times of day as text."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, datetime.time | datetime.timedelta):
        return display_value(value)
    return value
