"""The formats and cross-field rules of an organisation's values (issue 12 §3), shared by the model fields
(so forms and serializers carry them), the services and the spreadsheet import."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from tongxin.core.fields import date_refusal, length_refusal, text_refusal, wording_refusal

# An organisation's code: letters and digits, with - _ . inside (not first): "XS-0001", "530112000001".
ORG_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
DIVISION_CODE_LENGTHS = (6, 9, 12)  # GB/T 2260 county; township (9) or village (12) codes


def org_code_refusal(value: str) -> str | None:
    if not value or ORG_CODE_RE.match(value):
        return None
    return _("A code is letters and digits (with - _ . between them), starting with a letter or digit.")


def division_code_refusal(value: str) -> str | None:
    if not value or (value.isascii() and value.isdigit() and len(value) in DIVISION_CODE_LENGTHS):
        return None
    return _("A division code is 6 digits (GB/T 2260), or 9 or 12 digits for a township or village.")


@deconstructible
class OrgCode:
    def __call__(self, value: Any) -> None:
        message = org_code_refusal(value) if isinstance(value, str) else None
        if message:
            raise ValidationError(message, code="org_code")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OrgCode)


@deconstructible
class DivisionCode:
    def __call__(self, value: Any) -> None:
        message = division_code_refusal(value) if isinstance(value, str) else None
        if message:
            raise ValidationError(message, code="division_code")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DivisionCode)


TEXT_LIMITS = {"name": 200, "short_name": 100}  # the columns' max_length
# The window of each date of an organisation (core.bounds): what happened is history; a current term may
# end in the years ahead.
DATE_WINDOWS = {"established": "history", "term_start": "history", "term_end": "any", "dissolved_on": "history"}


def org_value_errors(record: dict[str, Any]) -> dict[str, list[str]]:
    """Every rule the organisation ``record`` (field -> value, the values it will have) breaks, by field:
    the codes' formats, each date in its window, the term ending after it starts, a dissolution date only for
    a dissolved organisation and not before it was established."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str | None) -> None:
        if message:
            errors.setdefault(field, []).append(message)

    for field, limit in TEXT_LIMITS.items():
        text = record.get(field) or ""
        refuse(field, text_refusal(text) or length_refusal(text, limit) or wording_refusal(text))
    refuse("code", org_code_refusal(record.get("code") or ""))
    refuse("division_code", division_code_refusal(record.get("division_code") or ""))
    for field, window in DATE_WINDOWS.items():
        refuse(field, date_refusal(record.get(field), window))
    start, end = record.get("term_start"), record.get("term_end")
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end <= start:
        refuse("term_end", _("The current term must end after it starts."))
    dissolved_on, established = record.get("dissolved_on"), record.get("established")
    if dissolved_on and record.get("status", "active") != "dissolved":
        refuse("dissolved_on", _("Only a dissolved organisation has a dissolution date: set the status first."))
    elif (
        isinstance(dissolved_on, datetime.date)
        and isinstance(established, datetime.date)
        and (dissolved_on < established)
    ):
        refuse("dissolved_on", _("An organisation cannot be dissolved before it was established."))
    return errors
