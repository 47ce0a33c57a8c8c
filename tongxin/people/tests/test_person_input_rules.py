"""Bad personal data is refused with the field and the rule named, on the page and in the API, and
nothing is written: no person, no membership, no audit row, no change to the roll-up counts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from stdnum.cn import ric

from tongxin.core.testing import make_id_number, person_data, years_ago
from tongxin.people.models import Person
from tongxin.people.tests.helpers import (
    add_years,
    api_data,
    current_data,
    field_errors,
    form_data,
    league_number,
    stored,
    table_counts,
    with_wrong_check_character,
)

pytestmark = pytest.mark.usefixtures("english")

Case = Callable[[Any], tuple[dict[str, Any], str, str]]


def bad_checksum(tree):
    return (
        {"id_number": with_wrong_check_character(make_id_number(years_ago(20)))},
        "id_number",
        "check character is wrong (GB 11643 checksum)",
    )


def with_check_character(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def id_too_short(tree):
    return {"id_number": make_id_number(years_ago(20))[:-1]}, "id_number", "18 characters; this one has 17"


def id_with_unknown_region(tree):
    number = with_check_character(f"539999{years_ago(20):%Y%m%d}123")
    return {"id_number": number}, "id_number", "region code or birth date is not valid"


def id_with_impossible_birth_date(tree):
    return {"id_number": with_check_character("53011220050230123")}, "id_number", "region code or birth date"


def id_held_by_someone_else(tree):
    # The holder sits in branch B: the message names that organisation.
    return (
        {"id_number": tree.people.b1.id_number},
        "id_number",
        f"already registered to a person in {tree.branch_b.name}",
    )


def placed_in_a_committee(tree):
    return {"branch": tree.committee1}, "branch", "Only branches hold members"


def joined_at_13(tree):
    birth = years_ago(20)
    join = add_years(birth, 13) + datetime.timedelta(days=10)
    changes = {"id_number": make_id_number(birth), "league_join_date": join, "league_number": league_number(join.year)}
    return changes, "league_join_date", "open from age 14 to 28; this person was 13"


def joined_at_29(tree):
    birth = years_ago(35)
    join = add_years(birth, 29) + datetime.timedelta(days=10)
    changes = {"id_number": make_id_number(birth), "league_join_date": join, "league_number": league_number(join.year)}
    return changes, "league_join_date", "open from age 14 to 28; this person was 29"


def number_of_another_year(tree):
    birth = years_ago(20)
    join = add_years(birth, 16) + datetime.timedelta(days=10)
    changes = {
        "id_number": make_id_number(birth),
        "league_join_date": join,
        "league_number": league_number(join.year - 1),
    }
    return changes, "league_number", f"must start with the join year {join.year}"


def joined_since_2017_without_number(tree):
    birth = years_ago(20)
    join = add_years(birth, 16) + datetime.timedelta(days=10)
    assert join.year >= 2017
    changes = {"id_number": make_id_number(birth), "league_join_date": join, "league_number": ""}
    return changes, "league_number", "Members who joined from 2017 need a league member number"


def malformed_phone(tree):
    return {"phone": "139-1234"}, "phone", "phone number is malformed"


CASES: dict[str, Case] = {
    "invalid ID checksum": bad_checksum,
    "ID of 17 characters": id_too_short,
    "ID with an unknown region code": id_with_unknown_region,
    "ID with 30 February as birth date": id_with_impossible_birth_date,
    "ID held by someone else": id_held_by_someone_else,
    "placed in a committee": placed_in_a_committee,
    "joined younger than 14": joined_at_13,
    "joined older than 28": joined_at_29,
    "member number of another year": number_of_another_year,
    "joined from 2017 without a number": joined_since_2017_without_number,
    "malformed phone": malformed_phone,
}
case_param = pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())


def assert_only_error(errors: dict[str, list[str]], field: str, fragment: str) -> None:
    assert set(errors) == {field}, errors
    assert any(fragment in message for message in errors[field]), errors


@case_param
def test_new_person_page_refuses(case, tree, users, client_for):
    changes, field, fragment = case(tree)
    before = table_counts()
    data = form_data({**person_data(tree.branch_a, name="新来的"), **changes})

    response = client_for(users.committee_admin).post("/people/new/", data)

    assert response.status_code == 200
    assert_only_error(field_errors(response), field, fragment)
    assert 'value="新来的"' in response.content.decode()  # what was typed is kept
    assert table_counts() == before
    assert not Person.objects.filter(name="新来的").exists()


@case_param
def test_edit_page_refuses(case, tree, users, client_for):
    person = tree.people.a1
    changes, field, fragment = case(tree)
    before, row = table_counts(), stored(person)
    data = form_data({**current_data(person), **changes})

    response = client_for(users.committee_admin).post(f"/people/{person.pk}/edit/", data)

    assert response.status_code == 200
    assert_only_error(field_errors(response), field, fragment)
    assert table_counts() == before
    assert stored(person) == row


@case_param
def test_api_create_refuses(case, tree, users, api_for):
    changes, field, fragment = case(tree)
    before = table_counts()
    payload = api_data({**person_data(tree.branch_a, name="新来的"), **changes})

    response = api_for(users.committee_admin).post("/api/people/", payload, format="json")

    assert response.status_code == 400, response.content
    assert_only_error(response.json(), field, fragment)
    assert table_counts() == before


@case_param
def test_api_patch_refuses(case, tree, users, api_for):
    person = tree.people.a1
    changes, field, fragment = case(tree)
    before, row = table_counts(), stored(person)

    response = api_for(users.committee_admin).patch(f"/api/people/{person.pk}/", api_data(changes), format="json")

    assert response.status_code == 400, response.content
    assert_only_error(response.json(), field, fragment)
    assert table_counts() == before
    assert stored(person) == row


def test_the_same_data_without_the_fault_is_saved(tree, users, client_for, api_for):
    """The control for the refusals above: the payloads they start from are accepted."""
    before = table_counts()

    page = client_for(users.committee_admin).post("/people/new/", form_data(person_data(tree.branch_a, name="页面新")))
    api = api_for(users.committee_admin).post(
        "/api/people/", api_data(person_data(tree.branch_b, name="接口新")), format="json"
    )

    assert page.status_code == 302
    assert api.status_code == 201, api.content
    assert Person.objects.get(name="页面新").branch == tree.branch_a
    assert Person.objects.get(name="接口新").branch == tree.branch_b
    after = table_counts()
    assert after["Person"] == before["Person"] + 2
    assert after["Membership"] == before["Membership"] + 2
    assert after["ChangeLog"] == before["ChangeLog"] + 2
    assert after["members_total"] > before["members_total"]


@pytest.mark.parametrize(
    ("region", "birth"),
    [("530112", datetime.date(1975, 5, 4)), ("530114", datetime.date(1999, 5, 4))],
    ids=["born before Xishan's code of 1983", "born before Chenggong's code of 2011"],
)
def test_id_issued_under_a_region_code_newer_than_the_birth_is_accepted(region, birth, tree, users, api_for):
    """The region code is where the number was issued, often years after the birth."""
    number = with_check_character(f"{region}{birth:%Y%m%d}024")
    data = person_data(
        tree.party_branch, name="老党员", id_number=number, birth=birth, political_status="01", league_join_date=None
    )

    response = api_for(users.district).post("/api/people/", api_data(data), format="json")

    assert response.status_code == 201, response.content
    assert Person.objects.get(name="老党员").birth_date == birth
