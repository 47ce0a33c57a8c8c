"""The demo's applicants are never people already on the roster: at 100× (1.3 million people born in the same
years) a drawn ID number was someone's, the recruitment service refused it ("nobody to recruit") and the whole
seed failed in its lifecycle step after an hour."""

from __future__ import annotations

import datetime

import pytest

from tongxin.core.testing import person_data
from tongxin.lifecycle.demo import _Applicants
from tongxin.people.models import Person
from tongxin.people.services import create_person

pytestmark = pytest.mark.django_db


def test_an_applicant_drawn_with_a_number_on_the_roster_gets_another(tree):
    today = datetime.date(2026, 12, 7)
    _name, first, _phone = _Applicants(2026, today).next()
    birth = datetime.datetime.strptime(first[6:14], "%Y%m%d").date()
    create_person(None, person_data(tree.branch_c, birth=birth, id_number=first, league_join_date=None,
                                    political_status="13"))  # fmt: skip
    _name, drawn, _phone = _Applicants(2026, today).next()  # the same draws as the first
    assert drawn != first
    assert not Person.objects.with_id_number(drawn).exists()
