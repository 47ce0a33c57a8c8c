"""Rules that keep every person's record findable and plausible."""

import datetime

import pytest
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import make_id_number, person_data
from tongxin.orgs.services import update_organization
from tongxin.people.models import Person
from tongxin.people.services import _save_unique, create_person, update_person

pytestmark = pytest.mark.usefixtures("english")


def test_a_person_cannot_be_left_without_a_branch_through_the_api(tree, users, api_for):
    person = tree.people.a1
    response = api_for(users.secretary_a).patch(
        f"/api/people/{person.pk}/", {"status": "left", "branch": None}, format="json"
    )
    assert response.status_code == 400
    assert "branch" in response.json()
    person.refresh_from_db()
    assert person.branch == tree.branch_a and person.status == "active"
    assert api_for(users.district).get(f"/api/people/{person.pk}/").status_code == 200


def test_an_id_number_with_a_birth_date_in_the_future_is_refused(tree):
    future = timezone.localdate() + datetime.timedelta(days=400)
    with pytest.raises(DomainError) as raised:
        create_person(None, person_data(tree.branch_a, id_number=make_id_number(future), league_join_date=None))
    assert "birth date" in raised.value.errors["id_number"][0]
    assert not Person.objects.filter(birth_date=future).exists()


def test_a_number_taken_by_a_concurrent_request_is_a_field_error_not_a_crash(tree):
    twin = Person.objects.get(pk=tree.people.a1.pk)
    twin.pk = None
    with pytest.raises(DomainError) as raised:
        _save_unique(twin)
    assert set(raised.value.errors) <= {"id_number", "league_number"} and raised.value.errors


def test_a_phone_change_with_the_same_mask_is_still_audited(tree, users):
    person = tree.people.a1
    update_person(users.secretary_a, person, {"phone": "13900001234"})
    logs = ChangeLog.objects.count()
    update_person(users.secretary_a, person, {"phone": "13911111234"})  # same mask: 139****1234
    assert ChangeLog.objects.count() == logs + 1
    row = ChangeLog.objects.order_by("-id").first()
    assert row is not None
    assert row.before == {"phone": "139****1234"} and row.after == {"phone": "139****1234"}


def test_a_former_member_of_a_dissolved_branch_can_still_be_corrected_on_the_page(tree, users, client_for):
    person = tree.people.b1
    update_person(None, person, {"status": "left"})
    update_organization(None, tree.branch_b, status="dissolved")
    client = client_for(users.committee_admin)
    form = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert f'value="{tree.branch_b.pk}" selected' in form
    data = {
        "name": "王乙壹", "branch": tree.branch_b.pk, "status": "left", "political_status": "03",
        "ethnicity": "01", "education": "20", "occupation": "student",
        "league_join_date": person.league_join_date.isoformat(), "league_number": person.league_number,
    }  # fmt: skip
    response = client.post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.name == "王乙壹"


def test_latin_letters_in_a_name_are_found_by_search(tree, users, api_for):
    create_person(None, person_data(tree.branch_a, name="Anna"))
    response = api_for(users.district).post("/api/people/search/", {"q": "ann"}, format="json")
    names = [p["name"] for p in response.json()["results"]]
    assert names == ["Anna"]


def test_a_former_member_is_listed_only_on_request_but_always_reachable_by_id(tree, users, api_for):
    person = tree.people.a1
    update_person(None, person, {"status": "left"})
    api = api_for(users.secretary_a)
    assert person.pk not in [p["id"] for p in api.get("/api/people/").json()["results"]]
    assert person.pk in [p["id"] for p in api.get("/api/people/?status=all").json()["results"]]
    response = api.get(f"/api/people/{person.pk}/")
    assert response.status_code == 200 and response.json()["status"] == "left"
