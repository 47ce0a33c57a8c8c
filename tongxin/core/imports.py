"""The spreadsheet import engine: find the header, map columns, normalise cells, check rows, commit.

An app describes one kind of import with an :class:`ImportSpec` (its columns, how to check a batch of
rows against the database, how to write them) and registers it in ``AppConfig.ready()``. The engine does
the rest the same way for every kind, so the roster and the organisation tree behave alike:

* ``check``: read the file, find the header row (it may sit below a title), map columns by their headers
  and synonyms (the user may correct the mapping), normalise each cell by its column's kind, let the
  spec check every row, and report counts (new, updated, unchanged, rejected) and every problem with
  its row, column, value and rule. Nothing is written.
* ``commit``: the same check inside one transaction, then the spec writes; all or nothing unless the
  user chose "valid rows only". A ChangeLog row records who imported which file with which counts.

Jobs run as tasks (:mod:`tongxin.core.tasks`); the ``import_*`` commands run them in the foreground.
"""

from __future__ import annotations

import datetime
import decimal
import gc
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tongxin.core.audit import record_change
from tongxin.core.codes import CodeTable
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import date_refusal, text_refusal
from tongxin.core.masking import SENSITIVE_FIELDS, mask_cell, mask_lookalikes
from tongxin.core.models import ChangeLog, ImportJob
from tongxin.core.scoping import Actor, by
from tongxin.core.spreadsheets import FileRefused, Sheet, check_size, is_blank, read_sheets
from tongxin.core.xlsx import FORMULA_TRIGGERS

NEW, UPDATED, UNCHANGED, REJECTED = "new", "updated", "unchanged", "rejected"
OUTCOMES = (NEW, UPDATED, UNCHANGED, REJECTED)
HEADER_SCAN_ROWS = 30  # the header row is looked for among the first rows (title rows sit above it)
PROGRESS_STEP = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Column:
    """One column of a spreadsheet format, shared by the import, the export and the template of a kind.

    ``key``: the field it fills; ``header``: the header written by exports and templates; ``synonyms``:
    other headers read as this column; ``label``: the field's name in the interface; ``codes``: the code
    table of a coded field; ``kind``: text, date, code, id or phone.
    """

    key: str
    header: str
    label: str | Promise
    synonyms: tuple[str, ...] = ()
    kind: str = "text"
    codes: CodeTable | None = None
    required: bool = False
    hint: str | Promise = ""
    max_length: int | None = None  # the field's own limit: longer text is refused here, not by the database

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


@dataclass
class Issue:
    """One problem found in the file: which row and column, the value, and the rule it breaks."""

    row: int  # the row number the user sees in the spreadsheet (1-based)
    col: int | None  # 0-based column index, None for a problem with the whole row
    header: str
    value: str
    message: str
    # What the user can do about it, for the preview to offer (e.g. "transfer": ask for a transfer in).
    remedy: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "col": self.col, "letter": column_letter(self.col), "header": self.header,
                "value": self.value, "message": self.message, "remedy": self.remedy}  # fmt: skip


@dataclass
class Row:
    """One data row on its way through the check: raw cells in, cleaned values and an outcome out."""

    number: int
    raw: dict[str, Any]  # column key -> cell value as read
    cols: dict[str, int]  # column key -> 0-based column index
    headers: dict[str, str]  # column key -> header text in the file
    values: dict[str, Any] = field(default_factory=dict)  # column key -> normalised value (present cells only)
    issues: list[Issue] = field(default_factory=list)
    status: str = ""
    label: str = ""  # how the preview names the row (a person's name, an organisation's name)
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field label, old, new), masked
    target: Any = None  # the existing object an update applies to
    data: dict[str, Any] = field(default_factory=dict)  # what the spec will write

    def reject(self, key: str | None, message: str, *, remedy: str = "") -> None:
        col = self.cols.get(key) if key else None
        value = self.raw.get(key, "") if key else ""
        header = self.headers.get(key, "") if key else ""
        self.issues.append(Issue(self.number, col, header, display_value(value), str(message), remedy))

    def reject_error(self, error: DomainError, keys: dict[str, str] | None = None) -> None:
        """Record every message of a DomainError; ``keys`` maps the error's field names to column keys."""
        for name, messages in error.errors.items():
            key = (keys or {}).get(name, name)
            for message in messages:
                self.reject(key if key in self.cols else None, message)

    def has_issue(self, key: str) -> bool:
        col = self.cols.get(key)
        return col is not None and any(issue.col == col for issue in self.issues)

    @property
    def rejected(self) -> bool:
        return bool(self.issues)


class ImportSpec(Protocol):
    """What an app provides for one kind of import."""

    kind: str
    label: Any
    columns: tuple[Column, ...]

    def check(self, actor: Actor, rows: list[Row], options: dict[str, Any], progress: Progress) -> None:
        """Check each row (after cell normalisation) and set its status, label, changes and data."""

    def write(self, actor: Actor, rows: list[Row], options: dict[str, Any]) -> None:
        """Write the new and updated rows; runs inside the import's transaction, after ``check``.

        ``rows`` holds only the rows without problems: where one row depends on another (a child
        organisation on its parent row), ``check`` must reject the dependants of a rejected row itself.
        """


SPECS: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> None:
    SPECS[spec.kind] = spec


def get_spec(kind: str) -> ImportSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise DomainError("kind", _("Unknown kind of import.")) from None


# ---------------------------------------------------------------------------------------------- cells


def column_letter(index: int | None) -> str:
    if index is None:
        return ""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def display_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel keeps 15 significant digits: an ID typed as a number shows as Excel shows it, lost end as 0s.
        return format(decimal.Decimal(f"{value:.15g}"), "f") if abs(value) >= 1e15 else str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(][^)）]*[)）]")


def normalise_text(value: Any) -> str:
    """Full-width letters and digits to ASCII, spaces trimmed and runs of spaces made one."""
    text = value if isinstance(value, str) else display_value(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def normalise_header(value: Any) -> str:
    """A header cell as matched against the known headers: no spaces, marks or notes in brackets."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", display_value(value))).lower()


def normalise_number_text(value: Any) -> str:
    """An identifier typed into a cell (ID number, phone): no spaces at all, upper case."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)) if not isinstance(value, int) else str(value)
    return "".join(text.split()).upper()


EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_TEXT = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*(?:[-/.月]\s*(?:(?P<d>\d{1,2})\s*日?)?)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_COMPACT_DATE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$")
# What parse_date reads as a date at all (an 8-digit number from 19000101 is a date, 123 a serial); whether the
# date is sane is core.bounds' question, asked by _normalise_one.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class BadCell(ValueError):
    pass


def _make_date(year: int, month: int, day: int | None) -> datetime.date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadCell
    try:
        return datetime.date(year, month, day or 1)
    except ValueError:
        raise BadCell from None


def parse_date(value: Any) -> datetime.date:
    """A date written any of the usual ways: 2019-05-01, 2019/5/1, 2019.05, 2019年5月, 201905, 20190501,
    an Excel date cell, or an Excel serial number. A month without a day means its first day."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise BadCell
    if isinstance(value, int | float):
        if not float(value).is_integer():
            value = int(value)  # a serial with a time of day
        number = int(value)
        if 190000 <= number <= 210012 or 19000000 <= number <= 21001231:
            return parse_date(str(number))
        if 1 <= number <= 73415:  # Excel serials up to 2100-12-31
            return EXCEL_EPOCH + datetime.timedelta(days=number)
        raise BadCell
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_TEXT.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise BadCell
    day = match.group("d")
    return _make_date(int(match.group("y")), int(match.group("m")), int(day) if day else None)


def normalise_cell(column: Column, value: Any) -> Any:
    """The cell's value for ``column``'s kind, or BadCell with the reason."""
    kind = column.kind
    if kind == "date":
        return parse_date(value)
    if kind in ("id", "phone"):
        if isinstance(value, float) and value >= 1e15:
            # Excel keeps 15 significant digits: an 18-digit number typed as a number has lost its end.
            raise BadCell(
                _(
                    "Excel stored this number as a number and lost its last digits: "
                    "format the column as text and type it again."
                )
            )
        return normalise_number_text(value)
    if kind == "code":
        assert column.codes is not None, column.key
        code = column.codes.code(value) if isinstance(value, str) else None  # the usual case: clean text
        if code is None:
            code = column.codes.code(normalise_text(value))
        if code is None:
            raise BadCell(
                _("Unknown value; use one of: %(values)s.")
                % {"values": "、".join(list(column.codes.names.values())[:12])}
            )
        return code
    return normalise_text(unquote_formula(value))


def unquote_formula(value: Any) -> Any:
    """Text our exports wrote with a leading apostrophe (``'=X``, see ``xlsx.safe_text``) reads back as typed."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# ---------------------------------------------------------------------------------------------- header


@dataclass
class Layout:
    sheet: Sheet
    header_index: int  # 0-based index of the header row in sheet.rows
    mapping: dict[int, str]  # column index -> column key
    headers: dict[int, str]  # column index -> header text, for every non-empty header cell


def header_lookup(columns: Iterable[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for header in column.headers:
            lookup.setdefault(normalise_header(header), column.key)
    return lookup


def find_layout(sheet: Sheet, columns: tuple[Column, ...]) -> Layout | None:
    """The first row (among the first ones) where most cells are known headers, with its column mapping."""
    lookup = header_lookup(columns)
    best: Layout | None = None
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        mapping: dict[int, str] = {}
        headers: dict[int, str] = {}
        for col, cell in enumerate(row):
            if is_blank(cell):
                continue
            headers[col] = display_value(cell)
            key = lookup.get(normalise_header(cell))
            if key is not None and key not in mapping.values():
                mapping[col] = key
        if len(mapping) >= 2 and (best is None or len(mapping) > len(best.mapping)):
            best = Layout(sheet, index, mapping, headers)
    return best


def choose_layout(sheets: Iterable[Sheet], spec: ImportSpec, options: dict[str, Any]) -> Layout:
    """The sheet and header row to import, with the user's corrections of the mapping applied."""
    sheet_name = options.get("sheet")
    for sheet in sheets:
        if sheet_name and sheet.name != sheet_name:
            continue
        layout = find_layout(sheet, spec.columns)
        if layout is None:
            continue
        known = {column.key for column in spec.columns}
        for col_text, key in (options.get("mapping") or {}).items():
            col = int(col_text)
            if col not in layout.headers:
                continue
            layout.mapping.pop(col, None)
            if key in known:
                for other, other_key in list(layout.mapping.items()):
                    if other_key == key:
                        del layout.mapping[other]
                layout.mapping[col] = key
        return layout
    expected = "、".join(column.header for column in spec.columns if column.required) or spec.columns[0].header
    raise FileRefused(
        _("No header row was found: the first rows of the sheet should hold column headers such as %(headers)s.")
        % {"headers": expected}
    )


# ---------------------------------------------------------------------------------------------- check


@dataclass
class Outcome:
    layout: Layout
    rows: list[Row]
    missing: list[str]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:  # rows stay unclassified while a required column is missing
            outcome = REJECTED if row.rejected else row.status
            if outcome:
                counts[outcome] += 1
        return counts

    def report(self, spec: ImportSpec) -> dict[str, Any]:
        labels = {column.key: str(getattr(column, "label", column.header)) for column in spec.columns}
        layout = self.layout
        return {
            "sheet": layout.sheet.name,
            "header_row": layout.header_index + 1,
            "columns": [
                {"index": col, "letter": column_letter(col), "header": text, "key": layout.mapping.get(col, "")}
                for col, text in sorted(layout.headers.items())
            ],
            "fields": labels,
            "missing": self.missing,
            "rows": len(self.rows),
            "counts": self.counts(),
            "issues": [issue.as_dict() for row in self.rows for issue in row.issues],
            "changes": [
                {"row": row.number, "label": row.label, "fields": [list(change) for change in row.changes]}
                for row in self.rows
                if row.status == UPDATED and not row.rejected
            ],
        }


def masked_report(report: dict[str, Any] | None) -> dict[str, Any]:
    """A stored check report as the import pages show it: no ID number or phone in full.

    The stored report keeps what the file holds (the error report marks the user's own cells with it, and
    reports stored before masking existed read the same way): masking happens here, once, for every page.
    Cells of the columns mapped to an ID number or a phone are masked whatever they hold (a malformed
    number too, see ``masking.mask_cell``); everything else quoted from the file (other cells, headers,
    the sheet's name, messages, the preview's changes) has whatever looks like an ID number or a mobile
    number masked.
    """
    if not report:
        return {}
    columns = report.get("columns", [])
    sensitive = {column["index"] for column in columns if column.get("key") in SENSITIVE_FIELDS}
    shown = dict(report)
    shown["sheet"] = mask_lookalikes(report.get("sheet", ""))
    shown["columns"] = [{**column, "header": mask_lookalikes(column.get("header", ""))} for column in columns]
    shown["issues"] = [
        {
            **issue,
            "header": mask_lookalikes(issue.get("header", "")),
            "value": mask_cell(issue.get("value")) if issue.get("col") in sensitive
            else mask_lookalikes(issue.get("value", "")),
            "message": mask_lookalikes(issue.get("message", "")),
        }
        for issue in report.get("issues", [])
    ]  # fmt: skip
    shown["changes"] = [
        {
            **change,
            "label": mask_lookalikes(change.get("label", "")),
            "fields": [[mask_lookalikes(part) for part in fields] for fields in change.get("fields", [])],
        }
        for change in report.get("changes", [])
    ]
    return shown


def _data_rows(layout: Layout, max_rows: int) -> list[Row]:
    by_key = {key: col for col, key in layout.mapping.items()}
    header_text = {key: layout.headers.get(col, "") for key, col in by_key.items()}
    rows: list[Row] = []
    for index in range(layout.header_index + 1, len(layout.sheet.rows)):
        cells = layout.sheet.rows[index]
        width = len(cells)
        raw = {}
        for key, col in by_key.items():
            if col < width:
                value = cells[col]
                if value is not None and value != "" and not (isinstance(value, str) and value.isspace()):
                    raw[key] = value
        if not raw:
            continue  # blank rows (between blocks, or trailing) are normal
        if len(rows) >= max_rows:
            raise FileRefused(
                _(
                    "The file has more than %(limit)d data rows, the most one import accepts: "
                    "split it into smaller files."
                )
                % {"limit": max_rows}
            )
        rows.append(Row(index + 1, raw, by_key, header_text))
    return rows


# Column kinds whose cells repeat a handful of values (汉族, 共青团员, 2019年5月): each is worked out once.
REPEATING_KINDS = ("code", "date")


def _normalise_one(column: Column, value: Any) -> Any:
    """``value`` normalised for ``column``, or BadCell with the reason: the forms' rules (``core.fields``) for
    text (no control characters such as NUL, no direction overrides) and dates (inside ``core.bounds``'
    windows; the spec checks each field's own window), and the field's length."""
    result = normalise_cell(column, value)
    if isinstance(result, str):
        refusal = text_refusal(result)
        if refusal:
            raise BadCell(refusal)
    elif isinstance(result, datetime.date):
        refusal = date_refusal(result, "any")
        if refusal:
            raise BadCell(refusal)
    if column.max_length and isinstance(result, str) and len(result) > column.max_length:
        raise BadCell(_("This is longer than %(limit)d characters, the most this field holds.")
                      % {"limit": column.max_length})  # fmt: skip
    return result


def _normalise_rows(rows: list[Row], columns: dict[str, Column]) -> None:
    known: dict[tuple[str, type, Any], Any] = {}  # (column key, cell type, cell) -> value or BadCell
    for row in rows:
        values = row.values
        for key, value in row.raw.items():  # blank cells were left out of raw
            column = columns[key]
            repeating = column.kind in REPEATING_KINDS
            memo = (key, type(value), value)  # the type too: True == 1, but 1 is a date serial and True is not
            result = known.get(memo, _MISSING) if repeating else _MISSING
            if result is _MISSING:
                try:
                    result = _normalise_one(column, value)
                except BadCell as exc:
                    result = exc
                if repeating:
                    known[memo] = result
            if isinstance(result, BadCell):
                row.reject(key, str(result) if result.args else _bad_date_message())
            else:
                values[key] = result


_MISSING = object()


def _bad_date_message() -> str:
    return _("This is not a date: write it like 2019-05-01 or 2019年5月.")


def find_duplicates(rows: list[Row], key: str, message: str) -> None:
    """Reject each later row repeating an earlier row's value of ``key`` (within the file)."""
    seen: dict[Any, int] = {}
    for row in rows:
        value = row.values.get(key)
        if not value:
            continue
        first = seen.setdefault(value, row.number)
        if first != row.number:
            row.reject(key, message % {"row": first})


def check_file(
    spec: ImportSpec, actor: Actor, content: bytes, file_name: str, options: dict[str, Any], progress: Progress
) -> Outcome:
    """Read, map, normalise and check every row; nothing is written."""
    sheets = read_sheets(content, file_name, max_bytes=settings.TONGXIN_IMPORT_MAX_BYTES)
    layout = choose_layout(sheets, spec, options)
    mapped = set(layout.mapping.values())
    missing = [column.key for column in spec.columns if column.required and column.key not in mapped]
    rows = _data_rows(layout, settings.TONGXIN_IMPORT_MAX_ROWS)
    if missing:
        return Outcome(layout, rows, missing)
    # Tens of thousands of small objects and no cycles: the collector's passes cost a fifth of the check.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _normalise_rows(rows, {column.key: column for column in spec.columns})
        spec.check(actor, rows, options, progress)
    finally:
        if collecting:
            gc.enable()
    return Outcome(layout, rows, missing)


# ---------------------------------------------------------------------------------------------- jobs


PROGRESS_SECONDS = 0.25  # the job's progress is saved at most this often


def _progress_saver(job: ImportJob, report: Progress | None = None) -> Progress:
    last = 0.0

    def save(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_SECONDS or done >= total:
            last = now
            ImportJob.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)
        if report is not None:
            report(done, total)

    return save


def run_check(job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """The dry run of ``job``: store its report (or the reason the file was refused)."""
    spec = get_spec(job.kind)
    with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING, progress_done=0)
        try:
            outcome = check_file(spec, job.actor, bytes(job.content), job.file_name, job.options,
                                 _progress_saver(job, progress))  # fmt: skip
        except FileRefused as exc:
            return _refuse(job, exc)
        job.report = outcome.report(spec)
        job.status = ImportJob.Status.CHECKED
        job.error = ""
        job.save(update_fields=["report", "status", "error"])
    return job


def run_commit(job: ImportJob, *, valid_only: bool = False, progress: Progress | None = None) -> ImportJob:
    """Check again and write, in one transaction: all or nothing unless ``valid_only``."""
    spec = get_spec(job.kind)
    with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING, progress_done=0)
        try:
            with transaction.atomic():
                outcome = check_file(spec, job.actor, bytes(job.content), job.file_name, job.options,
                                     progress or (lambda done, total: None))  # fmt: skip
                counts = outcome.counts()
                if outcome.missing:
                    raise FileRefused(_("Some required columns are not mapped: correct the mapping first."))
                if counts[REJECTED] and not valid_only:
                    raise _NothingWritten(outcome)
                spec.write(actor=job.actor, rows=[r for r in outcome.rows if not r.rejected], options=job.options)
                job.report = outcome.report(spec)
                job.result = {"counts": counts, "valid_only": valid_only}
                job.status = ImportJob.Status.DONE
                job.finished_at = timezone.now()
                job.save(update_fields=["report", "result", "status", "finished_at"])
                record_change(
                    job.actor,
                    job,
                    ChangeLog.Action.IMPORT,
                    after={"file": job.file_name, "kind": job.kind, "valid_only": valid_only, **counts},
                    org_path=job.org_path,
                )
        except FileRefused as exc:
            return _refuse(job, exc)
        except _NothingWritten as stop:
            job.report = stop.outcome.report(spec)
            job.status = ImportJob.Status.CHECKED
            job.save(update_fields=["report", "status"])
        except DomainError as exc:  # the data changed since the check (a concurrent edit): nothing written
            _stop(job, " ".join(exc.messages))
        except PermissionDenied:  # the user's rights changed since the check: nothing written
            _stop(job, _("You may no longer change some of these records; nothing was written."))
        except IntegrityError:  # a number taken by a concurrent request since the check: nothing written
            _stop(
                job,
                _(
                    "Someone changed these records while this file was being imported; nothing was written. "
                    "Check the file again."
                ),
            )
    return job


class _NothingWritten(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def _stop(job: ImportJob, message: str) -> None:
    job.status = ImportJob.Status.CHECKED
    job.error = message
    job.save(update_fields=["status", "error"])


def _refuse(job: ImportJob, exc: DomainError) -> ImportJob:
    job.status = ImportJob.Status.REFUSED
    job.error = " ".join(exc.messages)
    job.save(update_fields=["status", "error"])
    return job


def create_job(actor: Actor, *, kind: str, file_name: str, content: bytes, options: dict[str, Any],
               org_path: str = "") -> ImportJob:  # fmt: skip
    """Store an uploaded file as a job; refuse at once what is too big to keep."""
    get_spec(kind)
    check_size(len(content), settings.TONGXIN_IMPORT_MAX_BYTES)
    options = {"language": translation.get_language(), **options}
    return ImportJob.objects.create(
        actor=by(actor) if getattr(actor, "pk", None) else None,
        kind=kind,
        file_name=file_name[:255],
        content=content,
        options=options,
        org_path=org_path,
    )
