"""ID numbers and phones are masked wherever a list shows them: the roster page and the API."""

from __future__ import annotations

import json

import pytest

from tongxin.core.models import AccessLog
from tongxin.people.models import Person

pytestmark = pytest.mark.usefixtures("english")


def everyone():
    people = list(Person.objects.all())
    assert len(people) == 5
    return people


def assert_masked(text: str, people) -> None:
    for person in people:
        assert person.id_number not in text
        assert person.id_number[:-4] not in text  # not even the part before the shown tail
        assert person.phone not in text
        assert person.masked_id_number in text
        assert person.masked_phone in text


def test_roster_page_shows_masked_numbers_only(tree, users, client_for):
    people = everyone()
    response = client_for(users.district).get("/people/")

    assert response.status_code == 200
    assert_masked(response.content.decode(), people)
    a1 = tree.people.a1
    assert a1.masked_id_number == f"{a1.id_number[:3]}***********{a1.id_number[-4:]}"
    assert AccessLog.objects.count() == 0


def test_roster_partial_for_htmx_shows_masked_numbers_only(tree, users, client_for):
    response = client_for(users.district).get("/people/?q=一", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the table only
    assert_masked(response.content.decode(), [tree.people.a1, tree.people.b1, tree.people.c1, tree.people.d1])


def test_api_list_and_detail_show_masked_numbers_only(tree, users, api_for):
    people = everyone()
    api = api_for(users.district)

    listed = api.get("/api/people/")
    assert listed.status_code == 200
    text = json.dumps(listed.json(), ensure_ascii=False)
    assert_masked(text, people)
    row = next(r for r in listed.json()["results"] if r["id"] == tree.people.a1.pk)
    assert "id_number" not in row and "phone" not in row
    assert row["id_number_masked"] == tree.people.a1.masked_id_number
    assert row["phone_masked"] == tree.people.a1.masked_phone

    detail = api.get(f"/api/people/{tree.people.a1.pk}/")
    assert_masked(json.dumps(detail.json(), ensure_ascii=False), [tree.people.a1])


def test_writes_through_the_api_answer_with_masked_numbers(tree, users, api_for):
    person = tree.people.a1
    response = api_for(users.secretary_a).patch(f"/api/people/{person.pk}/", {"phone": "13800138000"}, format="json")

    assert response.status_code == 200
    assert "13800138000" not in response.content.decode()
    assert person.id_number not in response.content.decode()
    assert response.json()["phone_masked"] == "138****8000"


def test_person_page_shows_masked_numbers_until_revealed(tree, users, client_for):
    person = tree.people.a1
    response = client_for(users.secretary_a).get(f"/people/{person.pk}/")

    assert response.status_code == 200
    assert_masked(response.content.decode(), [person])
