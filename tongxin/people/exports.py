"""The roster as an .xlsx file, and the import template.

Both use the columns of :data:`tongxin.people.columns.ROSTER_COLUMNS`, in that order and with those
headers, so an exported file imports again. Coded fields are written as their standard Chinese names,
dates as Excel dates; ID numbers and phones are masked unless the caller asks for them in full (the
caller checks the right to and writes the AccessLog row).

The export streams: rows come from the database in chunks (a server-side cursor on PostgreSQL) and go to
disk row by row (xlsxwriter's constant-memory mode), and branch names are fetched per chunk, so memory
stays flat whatever the row count.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from os import PathLike
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tongxin.core import xlsx
from tongxin.core.codes import CodeTable
from tongxin.core.masking import mask_id_number, mask_phone
from tongxin.orgs.models import Organization
from tongxin.people.columns import ROSTER_COLUMNS, Column
from tongxin.people.models import Person

# Sheet names are part of the file format, like the headers: the same in every interface language.
ROSTER_SHEET = "团员名册"
INSTRUCTIONS_SHEET = "填写说明"
CODES_SHEET = "代码表"

CHUNK_SIZE = 2000
PROGRESS_EVERY = 1000
# Data rows per sheet (Excel's limit less the header row); a longer roster continues on 团员名册2, 3, …
ROWS_PER_SHEET = xlsx.MAX_ROWS - 1
# The template's rows that get drop-down lists and input messages (rows 2 to 10001 in Excel's numbering).
TEMPLATE_ROWS = 10_000

# Column widths in characters, by column key (default 12).
WIDTHS = {"name": 10, "id_number": 21, "sex": 6, "ethnicity": 10, "political_status": 14, "league_number": 16,
          "phone": 14, "education": 14, "occupation": 10, "branch": 36}  # fmt: skip
# Columns kept as text so Excel does not turn long digit strings into rounded numbers.
TEXT_COLUMNS = {"id_number", "phone", "league_number"}
DATE_EXAMPLES = "2019-05-01、2019年5月、201905"

Out = str | PathLike[str] | IO[bytes]


def _field(column: Column) -> str:
    return "branch_id" if column.key == "branch" else column.key


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _branch_names(ids: set[int], known: dict[int, str]) -> dict[int, str]:
    """Full names of the branches ``ids``: those already in ``known`` are kept, the rest fetched in one query.

    Only this chunk's branches are returned, so the dict never outgrows a chunk.
    """
    names = {pk: known[pk] for pk in ids if pk in known}
    missing = ids - names.keys()
    if missing:
        names.update(Organization.objects.filter(pk__in=missing).values_list("pk", "name"))
    return names


class _RosterSheets:
    """Writes data rows top to bottom, starting a continuation sheet when one is full."""

    def __init__(self, workbook: Workbook, formats: xlsx.Formats) -> None:
        self.workbook = workbook
        self.formats = formats
        self.sheets = 0
        self.row = 0
        self.sheet = self._new_sheet()

    def _new_sheet(self) -> Worksheet:
        self.sheets += 1
        if self.sheets == 2:
            self.workbook.use_zip64()  # more than a million rows may pass 4 GB
        sheet = self.workbook.add_worksheet(ROSTER_SHEET if self.sheets == 1 else f"{ROSTER_SHEET}{self.sheets}")
        _set_columns(sheet, self.workbook)
        xlsx.write_header(sheet, [column.header for column in ROSTER_COLUMNS], self.formats)
        sheet.freeze_panes(1, 0)
        self.row = 1
        return sheet

    def write(self, values: list[object]) -> None:
        if self.row > ROWS_PER_SHEET:
            self.sheet = self._new_sheet()
        xlsx.write_row(self.sheet, self.row, values, self.formats)
        self.row += 1


def _set_columns(sheet: Worksheet, workbook: Workbook, text_format: Any = None) -> None:
    for col, column in enumerate(ROSTER_COLUMNS):
        width = WIDTHS.get(column.key, 12)
        sheet.set_column(col, col, width, text_format if column.key in TEXT_COLUMNS else None)


def export_roster(
    queryset: QuerySet[Person], out: Out, *, full: bool, progress: Callable[[int], object] | None = None
) -> int:
    """Write the people of ``queryset`` (in its order) to ``out`` as the roster sheet; return the row count.

    ``full``: write ID numbers and phones in full (else masked). ``progress(done)`` is called every
    1,000 rows and once at the end.
    """
    fields = [_field(column) for column in ROSTER_COLUMNS]
    branch_index = fields.index("branch_id")
    rows = queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)

    workbook = xlsx.open_workbook(out, streaming=True)
    sheets = _RosterSheets(workbook, xlsx.standard_formats(workbook))
    count = 0
    branch_names: dict[int, str] = {}
    for chunk in _chunks(rows, CHUNK_SIZE):
        branch_names = _branch_names({row[branch_index] for row in chunk if row[branch_index]}, branch_names)
        for row in chunk:
            cells = zip(ROSTER_COLUMNS, row, strict=True)
            sheets.write([_cell(column, value, branch_names, full) for column, value in cells])
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
    workbook.close()
    if progress is not None and count % PROGRESS_EVERY:
        progress(count)
    return count


def _cell(column: Column, value: Any, branch_names: dict[int, str], full: bool) -> object:
    if value is None or value == "":
        return None
    if column.key == "branch":
        return branch_names.get(value)
    if column.key == "id_number":
        return value if full else mask_id_number(value)
    if column.key == "phone":
        return value if full else mask_phone(value)
    if column.codes is not None:
        return column.codes.name(value)
    return value


# --- the import template -------------------------------------------------------------------------------


def _accepted_values(column: Column) -> str:
    """What the import accepts in a column, for the instructions sheet."""
    if column.kind == "date":
        return DATE_EXAMPLES
    if column.codes is None:
        return ""
    return "、".join(_spellings(column.codes))


def _spellings(table: CodeTable) -> list[str]:
    """The standard names of a code table, then the other spellings its reader accepts."""
    names = list(table.names.values())
    # CodeTable keeps its accepted spellings in _lookup (aliases plus the standard names).
    others = [spelling for spelling in table._lookup if spelling not in table.names.values()]
    return names + others


def _column_note(column: Column) -> str:
    if column.hint:
        return str(column.hint)
    if column.kind == "date":
        return _("A date such as 2019-05-01; 2019年5月 and 201905 are accepted too.")
    if column.codes is not None:
        return _("Choose from the drop-down list.")
    return ""


def build_template(out: Out) -> None:
    """Write the import template to ``out``: the roster sheet with its header row, drop-down lists for
    coded columns, input messages, and a sheet of instructions in the active language.
    """
    workbook = xlsx.open_workbook(out, streaming=False)
    formats = xlsx.standard_formats(workbook)
    roster = workbook.add_worksheet(ROSTER_SHEET)
    instructions = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    codes = workbook.add_worksheet(CODES_SHEET)
    codes.hide()

    _set_columns(roster, workbook, formats.text)
    roster.freeze_panes(1, 0)
    required = workbook.add_format({"bold": True, "bottom": 1, "font_color": "#C00000", "valign": "vcenter"})
    for col, column in enumerate(ROSTER_COLUMNS):
        roster.write_string(0, col, column.header, required if column.required else formats.header)
        if column.required:
            roster.write_comment(0, col, _("Required"))
    roster.set_row(0, 20)
    roster.activate()

    code_col = 0
    for col, column in enumerate(ROSTER_COLUMNS):
        options = _validation(column, codes, code_col)
        if column.codes is not None:
            code_col += 1
        if options:
            roster.data_validation(1, col, TEMPLATE_ROWS, col, options)

    _write_instructions(workbook, instructions, formats)
    workbook.close()


def _validation(column: Column, codes: Worksheet, code_col: int) -> dict[str, Any] | None:
    """The data validation of one template column (None: no input message and no list)."""
    note = _column_note(column)
    if column.codes is not None:
        # The list lives on the hidden code sheet: an inline list may not pass 255 characters (56 ethnicities).
        names = list(column.codes.names.values())
        codes.write_string(0, code_col, column.header)
        for row, name in enumerate(names, start=1):
            codes.write_string(row, code_col, name)
        first = xl_rowcol_to_cell(1, code_col, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(len(names), code_col, row_abs=True, col_abs=True)
        return {
            "validate": "list",
            "source": f"='{CODES_SHEET}'!{first}:{last}",
            "input_title": column.header,
            "input_message": note,
            # A warning, not a stop: the other spellings the import reads may still be typed.
            "error_type": "warning",
            "error_title": column.header,
            "error_message": _(
                "This is not in the list. Keep it only if it is one of the spellings on the instructions sheet."
            ),
        }
    if column.kind == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": datetime.date(1900, 1, 1),
            "maximum": datetime.date(2100, 12, 31),
            "input_title": column.header,
            "input_message": note,
            # Information only: 201905 or the text 2019年5月 is no Excel date, but the import reads it.
            "error_type": "information",
            "error_title": column.header,
            "error_message": _("Not a date Excel knows. The import also reads forms like 2019年5月 and 201905."),
        }
    if note:
        return {"validate": "any", "input_title": column.header, "input_message": note}
    return None


def _write_instructions(workbook: Workbook, sheet: Worksheet, formats: xlsx.Formats) -> None:
    title = workbook.add_format({"bold": True, "font_size": 14})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 8)
    sheet.set_column(2, 2, 48)
    sheet.set_column(3, 3, 30)
    sheet.set_column(4, 4, 60)

    required_headers = "、".join(column.header for column in ROSTER_COLUMNS if column.required)
    rules = [
        _("Fill in one person per row on the sheet “%(sheet)s”, below the header row.") % {"sheet": ROSTER_SHEET},
        _("Keep the header row. It may sit below a title row; columns are recognised by their headers, "
          "and the other headers listed below are recognised too."),
        _("Required columns (in red): %(columns)s.") % {"columns": required_headers},
        _("Dates may be written like %(examples)s.") % {"examples": DATE_EXAMPLES},
        _("Coded columns offer a drop-down list. The names in the list, the codes (such as 03) and the "
          "other spellings listed below are all accepted."),
        _("Keep the ID number, phone and league member number columns formatted as text so Excel keeps "
          "every digit (this template already does)."),
        _("Sex and birth date may be left empty: they are taken from the ID number."),
    ]  # fmt: skip
    sheet.write_string(0, 0, _("How to fill in the roster import template"), title)
    row = 2
    for number, rule in enumerate(rules, start=1):
        sheet.merge_range(row, 0, row, 4, f"{number}. {rule}", wrap)
        row += 1

    row += 1
    headings = [_("Column"), _("Required"), _("Notes"), _("Other headers accepted"), _("Accepted values")]
    xlsx.write_header(sheet, headings, formats, row_index=row)
    for column in ROSTER_COLUMNS:
        row += 1
        values = [
            column.header,
            _("Yes") if column.required else _("No"),
            _column_note(column),
            "、".join(column.synonyms),
            _accepted_values(column),
        ]
        for col, value in enumerate(values):
            sheet.write_string(row, col, xlsx.safe_text(value), wrap)
