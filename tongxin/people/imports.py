"""Importing a roster spreadsheet: the roster's rules applied to every row, in bulk.

The rules are the forms' rules (``people.validators``, ``people.services``); what differs is that a file
holds thousands of rows, so the database is asked once per batch, never once per row. Written through
:func:`tongxin.people.services.import_people`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import BooleanField, CharField, F, Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.core.crypto import keyed_hash
from tongxin.core.exceptions import DomainError
from tongxin.core.imports import NEW, UNCHANGED, UPDATED, Progress, Row, find_duplicates
from tongxin.core.masking import SENSITIVE_FIELDS
from tongxin.core.scoping import CHANGE, Actor
from tongxin.orgs.models import MEMBER_HOLDING_KINDS, Organization, OrgKind, OrgStatus
from tongxin.people import services
from tongxin.people.columns import ROSTER_COLUMN_BY_KEY, ROSTER_COLUMNS
from tongxin.people.lookups import sees_path, taken_elsewhere
from tongxin.people.models import Occupation, Person
from tongxin.people.validators import (
    check_id_number,
    check_league_join,
    check_phone,
    id_birth_date,
    id_sex,
    membership_date_errors,
    normalise_name,
    person_name_errors,
)

BATCH = 2000  # ID numbers per lookup query (SQLite allows 32,766 parameters)
# Fields a row may set; an empty cell never clears a value already on record.
UPDATABLE = (
    "name", "ethnicity", "political_status", "education", "phone", "occupation",
    "league_join_date", "league_number", "party_join_date",
)  # fmt: skip
DEFAULTS = {"ethnicity": "01", "political_status": "03", "education": "", "occupation": Occupation.OTHER}


def one_of(field: str, values: list[str]) -> Q | Func:
    """``field IN values`` for a batch of thousands of values. On PostgreSQL it is sent as one array
    parameter (``field = ANY(%s)``): binding 2,000 separate parameters cost about a third of the dry
    run's lookups there. Same plan (the unique index), same rows."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.fields import ArrayField  # noqa: PLC0415 - PostgreSQL only: SQLite has no arrays

        array = Value(list(values), output_field=ArrayField(CharField()))
        # Renders as  "people_person"."<column>" = ANY(%s)  (a lookup would wrap ANY(...) in parentheses).
        return Func(F(field), array, template="%(expressions)s)", arg_joiner=" = ANY(", output_field=BooleanField())
    return Q(**{f"{field}__in": values})


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    """Batches for ``one_of``: on PostgreSQL the whole list is one array parameter, so one query."""
    if connection.vendor == "postgresql":
        size = max(len(items), 1)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BranchFinder:
    """Finds the branch a row names (full name, short name or code) among the importer's branches."""

    def __init__(self, actor: Actor, default_org_id: int | None) -> None:
        orgs = Organization.objects.for_actor(actor, CHANGE).values(
            "pk", "name", "short_name", "code", "path", "kind", "status"
        )
        self.by_code: dict[str, dict[str, Any]] = {}
        self.by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for values in orgs.iterator():
            org: dict[str, Any] = dict(values)
            self.by_code[org["code"]] = org
            self.by_name[org["name"]].append(org)
            if org["short_name"] and org["short_name"] != org["name"]:
                self.by_name[org["short_name"]].append(org)
        self.default = next((o for o in self.by_code.values() if o["pk"] == default_org_id), None)
        self._cache: dict[str, dict[str, Any] | str] = {}

    def find(self, text: str | None) -> dict[str, Any] | str:
        """The branch's row, or the message saying why there is none."""
        key = text or ""
        if key not in self._cache:
            self._cache[key] = self._find(text)
        return self._cache[key]

    def _find(self, text: str | None) -> dict[str, Any] | str:
        if not text:
            org = self.default
            if org is None:
                return _(
                    "No branch given: name it in a “所在团支部” column, or choose the organisation on the import page."
                )
            if org["kind"] not in MEMBER_HOLDING_KINDS:
                return _("No branch is named on this row and %(org)s is not a branch: name the branch.") % {
                    "org": org["name"]
                }
        else:
            org = self.by_code.get(text)
            if org is None:
                candidates = self.by_name.get(text, [])
                if self.default is not None and len(candidates) > 1:
                    candidates = [o for o in candidates if o["path"].startswith(self.default["path"])]
                if len(candidates) > 1:
                    return _("Several of your organisations are named %(name)s: write the branch's code instead.") % {
                        "name": text
                    }
                org = candidates[0] if candidates else None
            if org is None:
                return _("No organisation with this name or code in your organisations.")
        if org["kind"] not in MEMBER_HOLDING_KINDS:
            return _("Only branches hold members: %(org)s is a %(kind)s.") % {
                "org": org["name"],
                "kind": OrgKind(org["kind"]).label,
            }
        if org["status"] != OrgStatus.ACTIVE:
            return _("%(org)s has been dissolved.") % {"org": org["name"]}
        return org


def _field_label(key: str) -> str:
    return str(ROSTER_COLUMN_BY_KEY[key].label)


def _shown(key: str, value: Any) -> Any:
    """A value as the preview's diff shows it: codes by name, personal data masked."""
    if value in (None, ""):
        return ""
    if key in SENSITIVE_FIELDS:
        return SENSITIVE_FIELDS[key](value)
    column = ROSTER_COLUMN_BY_KEY.get(key)
    if column is not None and column.codes is not None:
        return column.codes.name(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class RosterImport:
    kind = "roster"
    label = gettext_lazy("Roster")
    columns = ROSTER_COLUMNS

    def check(self, actor: Actor, rows: list[Row], options: dict[str, Any], progress: Progress) -> None:
        branches = BranchFinder(actor, options.get("org_id"))
        today = timezone.localdate()  # once per file: the clock lookup is not free at 13,000 rows
        total = len(rows)
        for done, row in enumerate(rows, 1):
            self._check_cells(row, branches, today)
            if done % 500 == 0:
                progress(done, total * 2)
        find_duplicates(rows, "id_number", _("This ID number is already on row %(row)d of this file."))
        find_duplicates(rows, "league_number", _("This league member number is already on row %(row)d of this file."))
        self._check_against_roster(actor, rows, today)
        _refuse_own_membership(actor, rows)
        progress(total * 2, total * 2)

    def _check_cells(self, row: Row, branches: BranchFinder, today: datetime.date) -> None:
        values = row.values
        name = normalise_name(values.get("name") or "")
        row.label = name
        if not name:
            row.reject("name", _("The name is required."))
        for message in person_name_errors(name).get("name", []):
            row.reject("name", message)
        data: dict[str, Any] = {"name": name}
        number = values.get("id_number")
        if not number:
            if not row.has_issue("id_number"):
                row.reject("id_number", _("The ID number is required."))
        else:
            try:
                data["id_number"] = check_id_number(number, today=today)
            except DomainError as exc:
                row.reject_error(exc)
        id_number = data.get("id_number")
        if id_number:
            birth = id_birth_date(id_number)
            data["birth_date"] = birth
            if "sex" in values and values["sex"] != id_sex(id_number):
                row.reject("sex", _("The sex does not match the ID number (its 17th digit)."))
            if "birth_date" in values and values["birth_date"] != birth:
                row.reject(
                    "birth_date",
                    _("The birth date does not match the ID number (%(date)s).") % {"date": birth.isoformat()},
                )
        for key in ("ethnicity", "political_status", "education", "occupation", "league_join_date",
                    "party_join_date"):  # fmt: skip
            if key in values:
                data[key] = values[key]
        if "league_number" in values:
            data["league_number"] = values["league_number"]
        if "phone" in values:
            try:
                data["phone"] = check_phone(values["phone"])
            except DomainError as exc:
                row.reject_error(exc)
        branch = branches.find(values.get("branch"))
        if isinstance(branch, str):
            row.reject("branch" if "branch" in row.cols else None, branch)
        else:
            data["branch_id"] = branch["pk"]
            data["branch_path"] = branch["path"]
        row.data = data

    def _check_against_roster(self, actor: Actor, rows: list[Row], today: datetime.date) -> None:
        """One query per batch: who already holds these ID numbers and member numbers."""
        # ID numbers are encrypted: they are matched by their keyed hash (Person.id_hash).
        hashes = {row.data["id_number"]: keyed_hash(row.data["id_number"]) for row in rows if row.data.get("id_number")}
        numbers_by_hash = {digest: number for number, digest in hashes.items()}
        existing: dict[str, dict[str, Any]] = {}
        fields = ["pk", "id_hash", "branch_id", "birth_date", *UPDATABLE]
        for chunk in _chunks(list(numbers_by_hash)):
            for person in Person.objects.filter(one_of("id_hash", chunk)).values(*fields):
                existing[numbers_by_hash[person.pop("id_hash")]] = person
        numbers = {row.data["league_number"]: row for row in rows if row.data.get("league_number")}
        holders: dict[str, str | None] = {}
        for chunk in _chunks(list(numbers)):
            query = Person.objects.filter(one_of("league_number", chunk)).values_list("league_number", "id_hash")
            holders.update((number, holder) for number, holder in query if number)
        other_branches = {p["branch_id"] for p in existing.values()}
        branches = {pk: (name, path) for pk, name, path in
                    Organization.objects.filter(pk__in=other_branches).values_list("pk", "name", "path")}  # fmt: skip
        for row in rows:
            data = row.data
            person = existing.get(data.get("id_number") or "")
            if person is not None and "branch_id" in data and person["branch_id"] != data["branch_id"]:
                name, path = branches.get(person["branch_id"], (_("no organisation"), ""))
                # No oracle (issue 12, §2): the branch is named only to an importer who sees it anyway.
                message = (
                    _("This person is already registered in %(org)s: transfer them from there instead of importing "
                      "them again.") % {"org": name}
                    if path and sees_path(actor, path) else taken_elsewhere()
                )  # fmt: skip
                row.reject("id_number", message, remedy="transfer")
            number = data.get("league_number")
            own_hash = hashes.get(data.get("id_number") or "")
            if number and holders.get(number, own_hash) != own_hash:
                row.reject("league_number", _("This league member number is already in use."))
            if row.rejected:
                continue
            self._check_merged(row, person, today)

    def _check_merged(self, row: Row, person: dict[str, Any] | None, today: datetime.date) -> None:
        """The rules that need the whole record: the file's values over what is on record."""
        data = row.data
        merged = {key: data[key] for key in UPDATABLE if data.get(key) not in (None, "")}
        record = {**DEFAULTS, **(person or {}), **merged}
        birth = data["birth_date"]
        try:
            check_league_join(birth, record.get("league_join_date"), record.get("league_number") or None, today=today)
        except DomainError as exc:
            row.reject_error(exc)
        # The join dates' window and the party join at 18 or older, as the forms and the API check them.
        dates = membership_date_errors(birth, record.get("league_join_date"), record.get("party_join_date"))
        row.reject_error(DomainError(errors={key: value for key, value in dates.items() if not row.has_issue(key)}))
        if row.rejected:
            return
        if person is None:
            row.status = NEW
            row.data = {**record, "id_number": data["id_number"], "branch_id": data["branch_id"],
                        "branch_path": data["branch_path"]}  # fmt: skip
            return
        changed = {key: value for key, value in merged.items() if person.get(key) != value}
        row.target = person["pk"]
        row.data = changed
        row.status = UPDATED if changed else UNCHANGED
        row.changes = [(_field_label(k), _shown(k, person.get(k)), _shown(k, v)) for k, v in changed.items()]

    def write(self, actor: Actor, rows: list[Row], options: dict[str, Any]) -> None:
        services.import_people(
            actor,
            new=[row.data for row in rows if row.status == NEW],
            updates=[(row.target, row.data) for row in rows if row.status == UPDATED],
        )


def _refuse_own_membership(actor: Actor, rows: list[Row]) -> None:
    """Four eyes: a row updating the importer's own record may not change her membership fields (the
    rule of ``services.update_person``, told at the check, row by row)."""
    own = getattr(actor, "person_id", None)
    if own is None:
        return
    for row in rows:
        if row.status == UPDATED and row.target == own and not row.rejected:
            try:
                services.check_not_own_membership(actor, Person(pk=own), row.data)
            except DomainError as exc:
                row.reject_error(exc)
