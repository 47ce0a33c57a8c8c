"""The right-of-access file (PIPL art. 45): every record about one person, as an .xlsx workbook.

The first sheet holds the person's own fields, ID number and phone in full; then one sheet for each kind
of record that points at the person (``SECTIONS``, found through ``Person``'s reverse relations, so this
module imports no feature app), then the audit rows about their record: changes (personal data masked as
stored) and every view or export of their personal data. A record kind that points at a person must be
listed in ``SECTIONS`` or in ``NOT_EXPORTED`` with the reason (a test checks it), so a new one is not
silently left out. Only the listed fields of each row are written: a row about the person names no one
else's personal data.
"""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.db import models
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core import xlsx
from tongxin.core.models import AccessLog, ChangeLog
from tongxin.people.models import Person

# The person's own fields, in this order.
PERSON_FIELDS = (
    "name", "name_pinyin", "id_number", "birth_date", "sex", "ethnicity", "political_status", "education",
    "phone", "occupation", "league_join_date", "league_number", "party_join_date", "branch", "status",
    "created_at", "updated_at",
)  # fmt: skip

# (model label, field pointing at the person) → (sheet title, fields written).
SECTIONS: dict[tuple[str, str], tuple[Promise, tuple[str, ...]]] = {
    ("people.Membership", "person"): (
        gettext_lazy("Membership history"),
        ("organization", "start", "end", "start_reason", "end_reason"),
    ),
    ("people.CadrePosition", "person"): (gettext_lazy("Cadre positions"), ("organization", "title", "start", "end")),
    ("lifecycle.Transfer", "person"): (
        gettext_lazy("Transfers"),
        (
            "from_org",
            "to_org",
            "to_branch",
            "external_destination",
            "reason",
            "note",
            "status",
            "started_at",
            "out_approved_at",
            "in_accepted_at",
            "closed_at",
            "rejection_reason",
            "graduation_destination",
        ),
    ),
    ("lifecycle.Recruitment", "person"): (
        gettext_lazy("Recruitment"),
        (
            "branch",
            "name",
            "id_number",
            "birth_date",
            "phone",
            "stage",
            "applied_on",
            "activist_on",
            "training_hours",
            "candidate_on",
            "prechecked_on",
            "meeting_on",
            "approved_on",
            "league_number",
            "oath_on",
            "withdrawn_reason",
        ),
    ),
    ("lifecycle.PartyRecommendation", "person"): (
        gettext_lazy("Party recommendation"),
        (
            "branch",
            "party_application_on",
            "status",
            "meeting_on",
            "votes_for",
            "votes_against",
            "approved_on",
            "party_org",
            "handed_over_on",
            "outcome_on",
        ),
    ),
    ("lifecycle.ReviewEntry", "person"): (
        gettext_lazy("Annual reviews"),
        ("review", "grade", "registered_on", "deferred_until"),
    ),
    ("lifecycle.DuesProfile", "person"): (gettext_lazy("Dues basis"), ("category", "monthly_income")),
    ("lifecycle.DuesPayment", "person"): (gettext_lazy("Dues paid"), ("kind", "month", "amount", "paid_on")),
    ("orglife.Attendance", "person"): (gettext_lazy("Meeting attendance"), ("meeting", "status", "reason")),
    ("orglife.Meeting", "host"): (gettext_lazy("Meetings hosted"), ("organization", "kind", "starts_at", "topic")),
    ("orglife.Meeting", "recorder"): (
        gettext_lazy("Meetings recorded"),
        ("organization", "kind", "starts_at", "topic"),
    ),
    ("orglife.ChecklistItem", "owner"): (
        gettext_lazy("Items in charge"),
        ("organization", "kind", "content", "deadline", "status"),
    ),
    ("orglife.Duty", "person"): (gettext_lazy("Duties"), ("organization", "post", "responsibilities")),
    ("privacy.ConsentRecord", "person"): (
        gettext_lazy("Consent records"),
        (
            "given_by",
            "guardian_name",
            "guardian_relationship",
            "given_on",
            "purpose",
            "notice_version",
            "method",
            "recorded_at",
            "withdrawn_at",
        ),
    ),
    ("privacy.Anonymisation", "person"): (gettext_lazy("Anonymisation"), ("done_at", "reason", "left_on")),
    ("accounts.User", "person"): (
        gettext_lazy("Login account"),
        ("username", "is_active", "date_joined", "last_login"),
    ),
}

# Relations to a person left out of the file, and why.
NOT_EXPORTED: dict[tuple[str, str], str] = {
    # The person sponsored someone else's application: the record is about the applicant.
    ("lifecycle.Recruitment", "sponsor_1"): "another person's application",
    ("lifecycle.Recruitment", "sponsor_2"): "another person's application",
}

SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def person_relations() -> list[tuple[tuple[str, str], models.ForeignObjectRel]]:
    """Every relation from another model to Person, keyed (model label, field name)."""
    from tongxin.privacy.services import reverse_relations

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

    changes = ChangeLog.objects.filter(content_type__model="person", content_type__app_label="people",
                                       object_id=str(person.pk)).select_related("content_type", "actor")  # fmt: skip
    change_rows: list[list[object]] = []
    for entry in changes.order_by("created_at", "id"):
        details = "; ".join(f"{label}: {_plain(old)} → {_plain(new)}" for label, old, new in entry.changed_fields())
        change_rows.append([entry.created_at, str(entry.actor or _("System")), entry.get_action_display(), details])
    book.table(str(_("Changes to the record")), [_("Time"), _("Who"), _("Action"), _("Details")], change_rows)

    accesses = AccessLog.objects.filter(content_type__model="person", content_type__app_label="people",
                                        object_id=str(person.pk)).select_related("actor")  # fmt: skip
    access_rows = [
        [entry.created_at, str(entry.actor or _("System")), entry.get_action_display(), entry.fields]
        for entry in accesses.order_by("created_at", "id")
    ]
    book.table(str(_("Views and exports of the data")), [_("Time"), _("Who"), _("Action"), _("Fields")], access_rows)
    book.workbook.close()
    return book.rows


def _plain(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
