"""Issue 12 §3: the absurd person values the probe got written, now refused on the page, the API and the import,
each naming the field and the rule, with nothing written."""

from __future__ import annotations

import datetime

import pytest

from tongxin.core.testing import make_id_number, person_data, years_ago
from tongxin.core.tests.scope_walk import _form_values
from tongxin.people.models import Person
from tongxin.people.tests.import_helpers import check, member, messages, table, xlsx_file

BIRTH = years_ago(30)


def _person(tree, **overrides):
    return _form_values(person_data(tree.branch_a, name=overrides.pop("name", "新团员"), birth=BIRTH, **overrides))


def _page(client_for, users, data):
    return client_for(users.committee_admin).post("/people/new/", {**data, "status": "active"})


def _api(api_for, users, data):
    return api_for(users.committee_admin).post(
        "/api/people/", {k: v for k, v in data.items() if v != ""}, format="json"
    )


ABSURD = [
    pytest.param({"party_join_date": "9999-12-31"}, "party_join_date", "Enter a date between", id="party-join-9999"),
    pytest.param(
        {"party_join_date": (BIRTH + datetime.timedelta(days=1)).isoformat()},
        "party_join_date",
        "joins the Party at 18 or older",
        id="party-join-a-day-after-birth",
    ),
    pytest.param({"name": "12345"}, "name", "A name is written in letters", id="name-a-number"),
    pytest.param({"name": "张\u202e三"}, "name", "direction control", id="name-with-rlo"),
    pytest.param(
        {"id_number": make_id_number(datetime.date(1900, 3, 1))}, "id_number", "would make the person", id="born-1900"
    ),
]


@pytest.mark.parametrize(("changes", "field", "rule"), ABSURD)
def test_an_absurd_person_value_is_refused_on_the_page_naming_the_rule(
    tree, users, client_for, english, changes, field, rule
):
    people = Person.objects.count()
    response = _page(client_for, users, {**_person(tree), **changes})
    assert response.status_code == 200  # the form again, with the error
    assert rule in response.content.decode()
    assert Person.objects.count() == people


@pytest.mark.parametrize(("changes", "field", "rule"), ABSURD)
def test_an_absurd_person_value_is_refused_by_the_api_naming_the_field(
    tree, users, api_for, english, changes, field, rule
):
    people = Person.objects.count()
    response = _api(api_for, users, {**_person(tree), **changes})
    assert response.status_code == 400, response.content
    assert any(rule in message for message in response.json()[field]), response.json()
    assert Person.objects.count() == people


def test_a_party_join_at_18_is_accepted(tree, users, api_for):
    joined = BIRTH.replace(year=BIRTH.year + 18) + datetime.timedelta(days=1)
    response = _api(api_for, users, {**_person(tree), "party_join_date": joined.isoformat()})
    assert response.status_code == 201, response.content


def test_a_name_with_the_middle_dot_is_a_name(tree, users, api_for):
    response = _api(api_for, users, {**_person(tree), "name": "阿依古丽·买买提"})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("name", ["张\x00三", "张\u202e三", "12345"])
def test_an_imported_name_with_a_nul_an_override_or_only_digits_is_refused_at_its_cell(tree, users, english, name):
    """The NUL once failed the whole import on PostgreSQL; now the row is refused, the others checked."""
    people = Person.objects.count()
    job = check(users.committee_admin, xlsx_file(table([member(tree.branch_a, name), member(tree.branch_a, "王五")])))
    assert job.report is not None, job.error
    assert job.report["counts"]["rejected"] == 1 and job.report["counts"]["new"] == 1
    assert messages(job, 2, "name"), job.report["issues"]
    assert Person.objects.count() == people
