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


def test_the_district_account_enters_applicants_within_its_id_lookups(tree, users, settings):
    """At 100× the district account entered 297 applicants, each a lookup by ID number, and the 61st was refused
    (the hourly limit): the seed failed after 30 minutes. It now enters at most half of what it has left."""
    from tongxin.core.audit import id_lookups_left, record_id_lookup
    from tongxin.lifecycle.demo import applicants_elsewhere

    settings.TONGXIN_ID_LOOKUPS_PER_HOUR = 60
    assert applicants_elsewhere(1, 500, users.district) == 0
    assert applicants_elsewhere(10, 500, users.district) == 27  # three per further 1×, as before
    assert applicants_elsewhere(10, 20, users.district) == 20  # a branch each at most
    assert applicants_elsewhere(100, 5000, users.district) == 30  # half of the 60 lookups of the hour
    for i in range(10):
        record_id_lookup(users.district, f"11010120000101{i:03d}X", purpose="person")
    assert id_lookups_left(users.district) == 50
    assert applicants_elsewhere(100, 5000, users.district) == 25
    assert id_lookups_left(users.secretary_a) == 60  # counted per account
    assert id_lookups_left(None) == 60  # the system is not counted
