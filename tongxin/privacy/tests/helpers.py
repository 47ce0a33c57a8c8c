"""Shared helpers of the privacy tests: minors of a given age, consents, former members."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tongxin.core.testing import person_data, years_ago
from tongxin.people.models import Membership, Person
from tongxin.people.services import create_person, update_person
from tongxin.people.tests.helpers import add_years
from tongxin.privacy.services import record_consent


def minor(branch, age: int, name: str = "小明", days: int = 40) -> Person:
    """An active person of ``age`` (and ``days``) in ``branch``: a league member from 14, else none."""
    birth = years_ago(age, days)
    if age >= 15:
        join = add_years(birth, 14) + datetime.timedelta(days=10)  # a 29 February birth has no 29th in most years
        return create_person(None, person_data(branch, name=name, birth=birth, league_join_date=join))
    return create_person(
        None, person_data(branch, name=name, birth=birth, league_join_date=None, league_number=None,
                          political_status="13"),
    )  # fmt: skip


def consent(actor, person: Person, **overrides):
    data: dict[str, Any] = {
        "given_by": "guardian",
        "guardian_name": "王监护",
        "guardian_relationship": "mother",
        "given_on": timezone.localdate(),
        "purpose": "团籍管理",
        "notice_version": "2026-1",
        "method": "paper",
    }
    data.update(overrides)
    return record_consent(actor, person, **data)


def former_member(person: Person, *, years_ago_left: int, status: str = "left") -> Person:
    """``person`` with their membership ended ``years_ago_left`` years ago (plus a week)."""
    person = update_person(None, person, {"status": status})
    left = timezone.localdate() - datetime.timedelta(days=365 * years_ago_left + 7)
    Membership.objects.filter(person=person).update(end=left)
    return Person.objects.get(pk=person.pk)
