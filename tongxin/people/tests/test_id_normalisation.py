"""ID numbers (and phones, member numbers) typed with full-width digits, spaces or a lowercase x are
accepted and stored normalised; the birth date and sex come from the ID number, not from the user."""

from __future__ import annotations

import datetime

import pytest

from tongxin.core.testing import make_id_number, person_data, years_ago
from tongxin.people.models import Person
from tongxin.people.tests.helpers import (
    add_years,
    api_data,
    current_data,
    field_errors,
    form_data,
    fullwidth,
    id_number_ending_in_x,
    league_number,
    table_counts,
)

pytestmark = pytest.mark.usefixtures("english")

BIRTH = datetime.date(2004, 2, 29)


def messy(number: str) -> str:
    """``number`` as a person might type it: full-width digits, spaces between the parts, lowercase x."""
    return f" {fullwidth(number[:6])} {fullwidth(number[6:14])}  {fullwidth(number[14:17])}{number[17].lower()} "


def test_new_person_page_accepts_a_messy_id_number(tree, users, client_for):
    number = id_number_ending_in_x(BIRTH, male=False)
    data = person_data(tree.branch_a, name="周晓", id_number=messy(number), birth=BIRTH)
    assert messy(number) != number and len(messy(number)) > 18

    client = client_for(users.secretary_a)
    response = client.post("/people/new/", form_data(data))

    assert response.status_code == 302, field_errors(response)
    person = Person.objects.get(name="周晓")
    assert person.id_number == number
    assert person.id_number.endswith("X")
    assert person.birth_date == BIRTH
    assert person.sex == "2"  # the 17th digit is even
    page = client.get(response["Location"]).content.decode()
    assert "2004-02-29" in page
    assert "Female" in page


def test_api_accepts_a_messy_id_number_and_derives_birth_and_sex(tree, users, api_for):
    birth = datetime.date(1999, 12, 31)
    number = id_number_ending_in_x(birth, male=True)
    data = person_data(tree.branch_a, name="吴凡", birth=birth, id_number=messy(number))

    response = api_for(users.secretary_a).post("/api/people/", api_data(data), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["birth_date"] == "1999-12-31"
    assert body["sex"] == "1"
    assert body["id_number_masked"].endswith(number[-4:])
    person = Person.objects.get(pk=body["id"])
    assert (person.id_number, person.birth_date, person.sex) == (number, birth, "1")


def test_birth_date_and_sex_typed_by_the_client_are_ignored(tree, users, api_for):
    number = make_id_number(datetime.date(2003, 6, 1), male=True)
    data = {**person_data(tree.branch_a, name="郑直", birth=datetime.date(2003, 6, 1), id_number=number)}
    data.update(birth_date="1990-01-01", sex="2")

    response = api_for(users.secretary_a).post("/api/people/", api_data(data), format="json")

    assert response.status_code == 201, response.content
    person = Person.objects.get(name="郑直")
    assert (person.birth_date, person.sex) == (datetime.date(2003, 6, 1), "1")


def test_changing_the_id_number_rederives_birth_and_sex(tree, users, client_for):
    person = tree.people.a1
    birth = years_ago(22)
    number = make_id_number(birth, male=False)

    response = client_for(users.secretary_a).post(
        f"/people/{person.pk}/edit/", form_data({**current_data(person), "id_number": messy(number)})
    )

    assert response.status_code == 302, field_errors(response)
    person.refresh_from_db()
    assert (person.id_number, person.birth_date, person.sex) == (number, birth, "2")
    assert person.id_tail == number[-4:]


def test_resaving_a_person_with_their_own_id_retyped_is_not_a_duplicate(tree, users, client_for):
    person = tree.people.a1
    data = form_data({**current_data(person), "id_number": messy(person.id_number), "occupation": "employed"})

    response = client_for(users.secretary_a).post(f"/people/{person.pk}/edit/", data)

    assert response.status_code == 302, field_errors(response)
    person.refresh_from_db()
    assert person.occupation == "employed"


def test_a_messy_copy_of_an_existing_id_is_still_a_duplicate(tree, users, client_for):
    holder = tree.people.b1
    before = table_counts()
    data = person_data(tree.branch_a, name="重复者", id_number=messy(holder.id_number))

    response = client_for(users.committee_admin).post("/people/new/", form_data(data))

    assert response.status_code == 200
    assert field_errors(response) == {
        "id_number": [f"This ID number is already registered to a person in {tree.branch_b.name}."]
    }
    assert table_counts() == before


def test_phone_and_member_number_are_normalised(tree, users, api_for):
    birth = years_ago(19)
    join = add_years(birth, 15)  # not birth.replace(): a birth on 29 February (some days in April) has no match
    number = league_number(join.year)
    data = person_data(
        tree.branch_a,
        name="钱多",
        birth=birth,
        league_join_date=join,
        league_number=" " + fullwidth(number),
        phone="+86 １３９ 1234 5678",
    )

    response = api_for(users.secretary_a).post("/api/people/", api_data(data), format="json")

    assert response.status_code == 201, response.content
    person = Person.objects.get(name="钱多")
    assert person.phone == "13912345678"
    assert person.phone_tail == "5678"
    assert person.league_number == number
