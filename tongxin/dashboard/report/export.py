"""The annual report as files: an Excel workbook in a fixed layout (``core.xlsx``, xlsxwriter) and a PDF with the
CJK font reportlab ships (STSong-Light, as the volunteer certificates use: no font file to install).

Both are made inline from the report dict (a dozen grouped queries, then a few dozen rows to write): well
under a second at the demo's scale, so no task is queued.

The Excel layout, one sheet, fixed so that a reader can find a figure by its cell:

* A1 the title; A2 the organisation, A3 the year;
* from row 5 (A5): the member table, its header row, one row per child, the total row last;
* then, each after one blank row and a heading: organisations by kind, by category, cadres by title, dues by
  kind, the year-on-year table (with the explanations of a submitted report), the logic checks.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tongxin.core import xlsx

FONT = "STSong-Light"
AMOUNT = re.compile(r"-?\d+\.\d{2}")
MEMBER_TABLE_ROW = 4  # 0-based: the member table's header row is row 5 of the sheet


def title(report: dict[str, Any]) -> str:
    return _("Annual statistical report %(year)s") % {"year": report["year"]}


def sections(report: dict[str, Any], explanations: dict[str, str] | None = None) -> list[tuple[str, list[list[Any]]]]:
    """The report's tables after the member table, in order: (heading, rows with a header row first)."""
    explanations = explanations or {}
    orgs, cadres, dues = report["organizations"], report["cadres"], report["dues"]
    return [
        (_("Organisations by kind"), [[_("Kind"), _("Count")]]
         + [[r["label"], r["count"]] for r in orgs["by_kind"]] + [[_("Total"), orgs["total"]]]),
        (_("Organisations by category"), [[_("Category"), _("Count")]]
         + [[r["label"], r["count"]] for r in orgs["by_category"]] + [[_("Total"), orgs["total_by_category"]]]),
        (_("Cadres by title"), [[_("Title"), _("Count")]]
         + [[r["label"], r["count"]] for r in cadres["by_title"]] + [[_("Total"), cadres["total"]]]),
        (_("Dues collected"), [[_("Kind"), _("Amount (yuan)"), _("Payments")]]
         + [[r["label"], r["amount"], r["payments"]] for r in dues["by_kind"]]
         + [[_("Total"), dues["amount"], dues["payments"]]]),
        (_("Year on year"), [[_("Figure"), str(report["year"]), str(report["year"] - 1), _("Change"),
                              _("Explanation")]]
         + [[r["label"], r["this_year"], r["last_year"], r["change"], explanations.get(r["key"], "")]
            for r in report["comparison"]]),
        (_("Logic checks"), [[_("Check"), _("Result"), _("Detail")]]
         + [[c["label"], _("passed") if c["ok"] else _("failed"), c["detail"]] for c in report["checks"]]),
    ]  # fmt: skip


def member_rows(report: dict[str, Any]) -> list[list[Any]]:
    """The member table with its header row, one row per child and the total row."""
    members = report["members"]
    keys = [c["key"] for c in members["columns"]]
    header = [_("Organisation"), *[c["label"] for c in members["columns"]]]
    body = [[row["name"], *[row[k] for k in keys]] for row in members["rows"]]
    return [header, *body, [_("Total"), *[members["total"][k] for k in keys]]]


def _number(value: Any) -> Any:
    """Amounts kept as exact strings ("12.40") are written as numbers."""
    return float(value) if isinstance(value, str) and AMOUNT.fullmatch(value) else value


def write_xlsx(report: dict[str, Any], out: IO[bytes], explanations: dict[str, str] | None = None) -> int:
    """The report into ``out`` as one sheet in the fixed layout; the number of rows written."""
    workbook = xlsx.open_workbook(out, streaming=False)
    try:
        formats = xlsx.standard_formats(workbook, text_as_text=False)
        bold = workbook.add_format({"bold": True, "font_size": 14})
        sheet = workbook.add_worksheet(str(report["year"]))
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 11, 12)
        sheet.write_string(0, 0, xlsx.safe_text(title(report)), bold)
        xlsx.write_row(sheet, 1, [_("Organisation"), report["organization"]["name"]], formats)
        xlsx.write_row(sheet, 2, [_("Year"), report["year"]], formats)
        row = MEMBER_TABLE_ROW
        tables = [(_("Members"), member_rows(report)), *sections(report, explanations)]
        for index, (heading, rows) in enumerate(tables):
            if index:
                row += 1
                sheet.write_string(row, 0, xlsx.safe_text(heading), formats.header)
                row += 1
            xlsx.write_header(sheet, [str(v) for v in rows[0]], formats, row)
            row += 1
            for values in rows[1:]:
                xlsx.write_row(sheet, row, [_number(v) for v in values], formats)
                row += 1
    finally:
        workbook.close()
    return row


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def pdf_bytes(report: dict[str, Any], explanations: dict[str, str] | None = None) -> bytes:
    """The report as an A4 landscape PDF in the CJK font."""
    font = _font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=20, spaceAfter=6)
    subheading = ParagraphStyle("subheading", fontName=font, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ])  # fmt: skip

    width = landscape(A4)[0] - 24 * mm

    def table(rows: list[list[Any]], first: float = 80 * mm) -> Table:
        columns = len(rows[0])
        widths = [first] + [(width - first) / (columns - 1)] * (columns - 1)
        return Table([[Paragraph(_escape(str(v)), cell) for v in values] for values in rows], colWidths=widths,
                     repeatRows=1, style=style)  # fmt: skip

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title(report))  # fmt: skip
    story: list[Any] = [
        Paragraph(_escape(title(report)), heading),
        Paragraph(_escape(report["organization"]["name"]), subheading),
        Paragraph(_escape(_("Members")), subheading),
        table(member_rows(report), first=55 * mm),
    ]
    for name, rows in sections(report, explanations):
        story += [Spacer(1, 3 * mm), Paragraph(_escape(name), subheading), table(rows)]
    doc.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    """Text for a reportlab Paragraph (which reads a little markup)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
