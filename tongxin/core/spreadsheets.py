"""Reading spreadsheets people send: .xlsx, .xls and .csv (UTF-8 or GBK), refusing anything else clearly.

The reader is python-calamine (the fastest available); CSV goes through the standard library. What comes
back is a :class:`Sheet`: its rows as lists of cell values at their real positions, so row ``i`` of the
list is row ``i + 1`` in the user's spreadsheet and error reports can point at the cell the user sees.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msoffcrypto
import python_calamine
from django.utils.translation import gettext as _

from tongxin.core.exceptions import DomainError

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx
# A zip whose contents would unpack to more than this many times its size is refused (a "zip bomb").
MAX_EXPANSION = 100


class FileRefused(DomainError):
    """The file cannot be read as a roster at all; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__("file", message)


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]

    def cell(self, row_index: int, col_index: int) -> Any:
        row = self.rows[row_index]
        return row[col_index] if col_index < len(row) else ""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheets(content: bytes, filename: str, *, max_bytes: int) -> Iterator[Sheet]:
    """The file's visible worksheets in order (a CSV has one), or FileRefused saying why not."""
    if not content:
        raise FileRefused(_("The file is empty."))
    check_size(len(content), max_bytes)
    head = content[:8]
    if head.startswith(ZIP_MAGIC):
        _check_xlsx_zip(content)
        yield from _calamine_sheets(content)
    elif head == CFB_MAGIC:
        _check_not_encrypted(content)
        yield from _calamine_sheets(content)
    elif filename.lower().endswith(".csv"):
        yield _csv_sheet(content)
    else:
        raise FileRefused(_not_a_spreadsheet())


def check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise FileRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": _megabytes(size, up=True), "limit": _megabytes(max_bytes)}
        )


def _megabytes(size: int, *, up: bool = False) -> str:
    """``size`` in MB with one decimal; ``up``: rounded up, so a file just over the limit never reads as
    the limit itself ("20.1 MB; the limit is 20 MB", not "20 MB; the limit is 20 MB")."""
    tenths = size * 10 / 1024 / 1024
    return f"{(math.ceil(tenths) if up else math.floor(tenths)) / 10:.1f}".rstrip("0").rstrip(".")


def _not_a_spreadsheet() -> str:
    return _("This file is not a spreadsheet: upload an Excel workbook (.xlsx or .xls) or a CSV file.")


def _check_xlsx_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused(_("The workbook is damaged and cannot be read: save it again in Excel and retry.")) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise FileRefused(_not_a_spreadsheet())
    if sum(info.file_size for info in infos) > MAX_EXPANSION * len(content):
        raise FileRefused(_("The workbook is damaged and cannot be read: save it again in Excel and retry."))


def _check_not_encrypted(content: bytes) -> None:
    try:
        encrypted = msoffcrypto.OfficeFile(io.BytesIO(content)).is_encrypted()
    except Exception:
        encrypted = False
    if encrypted:
        raise FileRefused(
            _("The workbook is protected by a password: remove the password in Excel and upload it again.")
        )


def _calamine_sheets(content: bytes) -> Iterator[Sheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except python_calamine.PasswordError:
        raise FileRefused(
            _("The workbook is protected by a password: remove the password in Excel and upload it again.")
        ) from None
    except Exception:
        raise FileRefused(_("The workbook is damaged and cannot be read: save it again in Excel and retry.")) from None
    for meta in workbook.sheets_metadata:
        if str(meta.visible) != str(python_calamine.SheetVisibleEnum.Visible):
            continue
        if str(meta.typ) != str(python_calamine.SheetTypeEnum.WorkSheet):
            continue
        try:
            rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        except Exception:
            raise FileRefused(
                _("The workbook is damaged and cannot be read: save it again in Excel and retry.")
            ) from None
        yield Sheet(meta.name, rows)


def _csv_sheet(content: bytes) -> Sheet:
    if b"\x00" in content[:4096]:
        raise FileRefused(_not_a_spreadsheet())
    for encoding in ("utf-8-sig", "gb18030"):  # GB 18030 reads GBK and GB 2312 files too
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(_("The CSV file is neither UTF-8 nor GBK text: save it again as CSV (UTF-8)."))
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return Sheet("CSV", [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)])
