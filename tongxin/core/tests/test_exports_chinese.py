"""Every spreadsheet the app hands out reads in Chinese: no header cell (nor a label of the personal-data
file's first sheet, nor a field it lists) is English or a raw field name.

Walks every named GET route with "export" in its name (scope_walk.ROUTES fills its parameters), as the
committee admin of committee 1 with the product's language, and reads each .xlsx answer.
"""

from __future__ import annotations

import io
import re

from django.urls import get_resolver, reverse
from python_calamine import CalamineWorkbook

from tongxin.core.tests.scope_walk import ROUTES, page_client, url_for, walk

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENGLISH = re.compile(r"^[\x00-\x7f]*[A-Za-z][\x00-\x7f]*$")  # ASCII with a letter: a word, not a date


def export_routes():
    return [f for f in walk(get_resolver().url_patterns) if "export" in (f.name or "") and f.name in ROUTES
            and "GET" in ROUTES[f.name].methods and not ROUTES[f.name].api]  # fmt: skip


def english_cells(data: bytes) -> list[str]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    found = []
    for index, name in enumerate(workbook.sheet_names):
        rows = workbook.get_sheet_by_name(name).to_python()
        cells = [(name, "header", c) for c in (rows[0] if rows else [])]
        if index == 0 and rows and len(rows[0]) == 2:  # a field/value sheet: its labels are headers too
            cells += [(name, "label", row[0]) for row in rows[1:]]
        found += [f"{sheet} {kind}: {c!r}" for sheet, kind, c in cells if isinstance(c, str) and ENGLISH.match(c)]
        found += [f"{name}: sheet name" for _ in [1] if ENGLISH.match(name)]
    return found


def test_the_walk_finds_the_exports():
    names = {f.name for f in export_routes()}
    assert {"privacy:access_export", "people:export", "lifecycle:dues_arrears_export"} <= names


def test_every_export_reads_in_chinese(tree, users, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    problems: dict[str, list[str]] = {}
    for found in export_routes():
        client = page_client(users.committee_admin)
        response = client.get(url_for(found, tree), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, found.name
        if response.get("Content-Type") != XLSX:
            continue
        bad = english_cells(b"".join(response.streaming_content))  # type: ignore[attr-defined]
        if bad:
            problems[found.name] = bad
    assert problems == {}


def test_every_field_the_personal_data_file_writes_has_a_translated_name():
    """The kind: a column's header is its field's verbose_name, so each must be a translated one (a
    field without one is headed by Django's English guess: "Created at", "Review")."""
    from django.apps import apps
    from django.utils.functional import Promise

    from tongxin.people.models import Person
    from tongxin.privacy.exports import PERSON_FIELDS, SECTIONS

    named = [(Person, name) for name in PERSON_FIELDS]
    named += [(apps.get_model(label), name) for (label, _), (_title, fields) in SECTIONS.items() for name in fields]
    untranslated = [f"{model._meta.label}.{name}" for model, name in named
                    if not isinstance(getattr(model._meta.get_field(name), "verbose_name", None), Promise)]  # fmt: skip
    assert untranslated == []


def test_the_personal_data_file_lists_views_by_field_and_person_names(tree, users, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    users.committee_admin.first_name = "李敏"
    users.committee_admin.save(update_fields=["first_name"])
    client = page_client(users.committee_admin)
    url = reverse("privacy:access_export", args=[tree.people.a1.pk])
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200  # the first export is logged
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = workbook.get_sheet_by_name(workbook.sheet_names[-1]).to_python()
    assert rows[1][1] == "李敏" and rows[1][3] == "身份证号、联系电话", rows
