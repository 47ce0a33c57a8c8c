"""Helpers shared by the people tests: payloads for the form and the API, and readers of the pages."""

from __future__ import annotations

import datetime
import html
import itertools
import re
from typing import Any

from django.db import models
from stdnum.cn import ric

from tongxin.core.models import AccessLog, ChangeLog
from tongxin.orgs.models import Organization, OrgStats
from tongxin.people.models import CadrePosition, Membership, Person
from tongxin.people.services import PERSON_FIELDS

_numbers = itertools.count(1)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def league_number(year: int) -> str:
    """A fresh league member number for someone who joined in ``year``."""
    return f"{year}{next(_numbers):08d}"


def id_number_ending_in_x(birth: datetime.date, *, male: bool = False, area: str = "530112") -> str:
    """A checksum-valid ID number whose check character is X."""
    for order in range(1 if male else 0, 1000, 2):
        body = f"{area}{birth:%Y%m%d}{order:03d}"
        if ric.calc_check_digit(body + "0") == "X":
            return body + "X"
    raise AssertionError("no ID number ending in X for this birth date")


def with_wrong_check_character(number: str) -> str:
    return number[:-1] + ("1" if number[-1] == "0" else "0")


def fullwidth(text: str) -> str:
    """ASCII digits and letters as their full-width forms (as typed with a Chinese input method)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def form_data(data: dict[str, Any]) -> dict[str, str]:
    """A person's data as the person form posts it."""
    posted: dict[str, str] = {"status": "active"}
    for key, value in data.items():
        if value is None:
            posted[key] = ""
        elif isinstance(value, models.Model):
            posted[key] = str(value.pk)
        elif isinstance(value, datetime.date):
            posted[key] = value.isoformat()
        else:
            posted[key] = str(value)
    return posted


def api_data(data: dict[str, Any]) -> dict[str, Any]:
    """A person's data as JSON for /api/people/."""
    payload: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, models.Model):
            payload[key] = value.pk
        elif isinstance(value, datetime.date):
            payload[key] = value.isoformat()
        else:
            payload[key] = value
    return payload


def current_data(person: Person) -> dict[str, Any]:
    """What the edit form shows for ``person`` (the fields a user can post back)."""
    person = Person.objects.get(pk=person.pk)
    return {key: getattr(person, key) for key in PERSON_FIELDS}


def stored(person: Person) -> dict[str, Any]:
    """Every stored column of ``person`` except the timestamps, to show that a refused edit changed nothing."""
    row: dict[str, Any] = dict(Person.objects.filter(pk=person.pk).values().get())
    del row["updated_at"]
    return row


def table_counts() -> dict[str, int]:
    tables = (Organization, OrgStats, Person, Membership, CadrePosition, ChangeLog, AccessLog)
    counts = {model.__name__: model.objects.count() for model in tables}
    # A lookup by ID number is recorded even when the save is refused (the hourly limit counts every guess).
    counts["AccessLog"] = AccessLog.objects.exclude(action=AccessLog.Action.LOOKUP).count()
    counts["members_total"] = sum(OrgStats.objects.values_list("members_total", flat=True))
    return counts


_FIELD_ERROR_RE = re.compile(
    r'<div class="invalid-feedback d-block" data-field="(?P<field>\w+)">(?P<message>.*?)</div>', re.S
)


def field_errors(response) -> dict[str, list[str]]:
    """The error messages the form page shows under each field."""
    errors: dict[str, list[str]] = {}
    for match in _FIELD_ERROR_RE.finditer(response.content.decode()):
        errors.setdefault(match["field"], []).append(html.unescape(match["message"]).strip())
    return errors


_ROSTER_ROW_RE = re.compile(r'<td data-label="[^"]*"><a href="/people/(\d+)/">')


def roster_pks(response) -> list[int]:
    """The ids of the people listed on a roster page, in order."""
    assert response.status_code == 200, response.status_code
    return [int(pk) for pk in _ROSTER_ROW_RE.findall(response.content.decode())]


_PAGER_RE = re.compile(r'<li class="page-item( disabled)?"><a class="page-link"(?: rel="\w+")? href="([^"]*)">')


def pager_links(response) -> dict[str, str | None]:
    """The pager's First, Previous, Next and Last links (None when disabled)."""
    found = _PAGER_RE.findall(response.content.decode())
    assert len(found) == 4, found
    return {
        name: None if disabled else html.unescape(href)
        for name, (disabled, href) in zip(("first", "previous", "next", "last"), found, strict=True)
    }


_TOTAL_RE = re.compile(r'data-testid="roster-total">\s*([\d,]+)')


def roster_total(response) -> int:
    """The "N people found" figure of a roster page."""
    match = _TOTAL_RE.search(response.content.decode())
    assert match, "no total on the roster page"
    return int(match[1].replace(",", ""))
