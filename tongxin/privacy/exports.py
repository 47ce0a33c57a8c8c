"""The right-of-access file (PIPL art. 45): every record about one person, as an .xlsx workbook.

The first sheet holds the person's own fields, ID number and phone in full; then one sheet for each kind
of record that points at the person (``SECTIONS``, found through ``Person``'s reverse relations and declared
by the app owning each model with ``core.registry.register_personal_data``, so this module names no feature
app), then the audit rows about their record: changes (personal data masked as stored) and every view or
export of their personal data. A record kind that points at a person must be registered in ``SECTIONS`` or
in ``NOT_EXPORTED`` with the reason (a test checks it), so a new one is not silently left out. Only the
listed fields of each row are written: a row about the person names no one else's personal data.
"""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tongxin.core import xlsx
from tongxin.core.actors import actor_name
from tongxin.core.models import AccessLog, ChangeLog
from tongxin.core.registry import PERSONAL_DATA_NOT_EXPORTED, PERSONAL_DATA_SECTIONS
from tongxin.people.models import Person
from tongxin.privacy.services import reverse_relations

# The person's own fields, in this order.
PERSON_FIELDS = (
    "name", "name_pinyin", "id_number", "birth_date", "sex", "ethnicity", "political_status", "education",
    "phone", "occupation", "league_join_date", "league_number", "party_join_date", "branch", "status",
    "created_at", "updated_at",
)  # fmt: skip

# (model label, field pointing at the person) → (sheet title, fields written), and the relations left out
# with the reason: declared by the app owning each model in its AppConfig.ready()
# (core.registry.register_personal_data), so this module names no other app's models.
SECTIONS: dict[tuple[str, str], tuple[Promise | str, tuple[str, ...]]] = PERSONAL_DATA_SECTIONS
NOT_EXPORTED: dict[tuple[str, str], str] = PERSONAL_DATA_NOT_EXPORTED

SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def person_relations() -> list[tuple[tuple[str, str], models.ForeignObjectRel]]:
    """Every relation from another model to Person, keyed (model label, field name)."""
    return [((f.related_model._meta.label, f.field.name), f) for f in reverse_relations()]


def _cell(obj: models.Model, name: str) -> object:
    field = obj._meta.get_field(name)
    if getattr(field, "choices", None):
        return getattr(obj, f"get_{name}_display")()
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, name)
        return getattr(related, "display_name", None) or (str(related) if related is not None else "")
    value = getattr(obj, getattr(field, "attname", name))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _label(model: type[models.Model], name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]


class _Book:
    def __init__(self, out: IO[bytes]) -> None:
        self.workbook = xlsx.open_workbook(out, streaming=False)
        self.formats = xlsx.standard_formats(self.workbook)
        self.names: set[str] = set()
        self.rows = 0

    def sheet(self, title: str, headers: list[str]) -> Any:
        base = title.translate(_SHEET_FORBIDDEN).strip()[:SHEET_NAME_MAX] or "-"
        name, n = base, 2
        while name.lower() in self.names:
            suffix = f" {n}"
            name, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
        self.names.add(name.lower())
        sheet = self.workbook.add_worksheet(name)
        xlsx.write_header(sheet, headers, self.formats)
        sheet.set_column(0, max(len(headers) - 1, 0), 18)
        return sheet

    def table(self, title: str, headers: list[str], rows: list[list[object]]) -> None:
        sheet = self.sheet(title, headers)
        for index, row in enumerate(rows, start=1):
            xlsx.write_row(sheet, index, row, self.formats)
        self.rows += len(rows)


def write_access_export(person: Person, out: IO[bytes]) -> int:
    """Write the workbook; returns the number of data rows (the person's own sheet counts one)."""
    book = _Book(out)
    own = [[_label(Person, name), _cell(person, name)] for name in PERSON_FIELDS]
    sheet = book.sheet(_("Personal details"), [_("Field"), _("Value")])
    for index, row in enumerate(own, start=1):
        xlsx.write_row(sheet, index, row, book.formats)
    book.rows += 1

    for key, relation in person_relations():
        if key not in SECTIONS:
            continue
        title, fields = SECTIONS[key]
        model = relation.related_model
        qs = model._base_manager.filter(**{relation.field.name: person.pk}).order_by("pk")
        fk_names = [n for n in fields if isinstance(model._meta.get_field(n), models.ForeignKey)]
        if fk_names:
            qs = qs.select_related(*fk_names)
        rows = [[_cell(obj, name) for name in fields] for obj in qs]
        book.table(str(title), [_label(model, n) for n in fields], rows)

    changes = ChangeLog.objects.filter(
        content_type__model="person", content_type__app_label="people", object_id=str(person.pk)
    ).select_related("content_type", "actor__person")
    change_rows: list[list[object]] = []
    for entry in changes.order_by("created_at", "id"):
        details = "; ".join(f"{label}: {_plain(old)} → {_plain(new)}" for label, old, new in entry.changed_fields())
        change_rows.append([entry.created_at, _who(entry.actor), entry.get_action_display(), details])
    book.table(str(_("Changes to the record")), [_("Time"), _("Who"), _("Action"), _("Details")], change_rows)

    accesses = AccessLog.objects.filter(content_type__model="person", content_type__app_label="people",
                                        object_id=str(person.pk)).select_related("actor__person")  # fmt: skip
    access_rows = [
        [entry.created_at, _who(entry.actor), entry.get_action_display(), _field_labels(entry.fields)]
        for entry in accesses.order_by("created_at", "id")
    ]
    book.table(str(_("Views and exports of the data")), [_("Time"), _("Who"), _("Action"), _("Fields")], access_rows)
    book.workbook.close()
    return book.rows


def _who(user: Any) -> str:
    """The person who acted, by name (never the login name), or "System"."""
    return actor_name(user) or _("System")


def _field_labels(fields: str) -> str:
    """An access log's field list (``id_number,phone``) as the reader says them (身份证号、手机号)."""
    labels = []
    for name in filter(None, (part.strip() for part in (fields or "").split(","))):
        try:
            labels.append(_label(Person, name))
        except FieldDoesNotExist:
            labels.append(name)
    return "、".join(labels)


def _plain(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
