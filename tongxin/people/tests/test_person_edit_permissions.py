"""Who may see and edit a person: the branch secretary edits (and leaves an audit row), the secretary
of another branch does not even see the person, a viewer sees but cannot edit, a member sees only
his own profile."""

from __future__ import annotations

import pytest

from tongxin.core.models import ChangeLog
from tongxin.core.testing import person_data
from tongxin.people.models import Person
from tongxin.people.tests.helpers import api_data, current_data, form_data, stored, table_counts

pytestmark = pytest.mark.usefixtures("english")


def updates_of(person: Person):
    return ChangeLog.objects.filter(object_id=str(person.pk), action=ChangeLog.Action.UPDATE)


def test_secretary_edits_a_person_of_her_branch_on_the_page(tree, users, client_for):
    person = tree.people.a1
    old_phone = person.phone
    client = client_for(users.secretary_a)

    assert client.get(f"/people/{person.pk}/edit/").status_code == 200
    response = client.post(
        f"/people/{person.pk}/edit/", form_data({**current_data(person), "phone": "13800138000", "education": "30"})
    )

    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    person.refresh_from_db()
    assert (person.phone, person.education) == ("13800138000", "30")
    (entry,) = updates_of(person)
    assert entry.actor == users.secretary_a
    assert entry.org_path == tree.branch_a.path
    # Only what changed is logged, and the phone numbers are masked.
    assert set(entry.before) == set(entry.after) == {"phone", "education"}
    assert entry.after["education"] == "30"
    assert entry.after["phone"] == "138****8000"
    assert old_phone not in str(entry.before) and "13800138000" not in str(entry.after)


def test_secretary_edits_a_person_of_her_branch_through_the_api(tree, users, api_for):
    person = tree.people.a2

    response = api_for(users.secretary_a).patch(f"/api/people/{person.pk}/", {"occupation": "farmer"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["occupation"] == "farmer"
    person.refresh_from_db()
    assert person.occupation == "farmer"
    (entry,) = updates_of(person)
    assert entry.actor == users.secretary_a
    assert entry.before == {"occupation": "student"} and entry.after == {"occupation": "farmer"}


def test_secretary_may_not_move_a_person_out_of_her_scope(tree, users, api_for):
    person = tree.people.a1
    before, row = table_counts(), stored(person)

    response = api_for(users.secretary_a).patch(
        f"/api/people/{person.pk}/", {"branch": tree.branch_b.pk}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"branch"}
    assert stored(person) == row and table_counts() == before


def test_secretary_of_another_branch_gets_404(tree, users, client_for, api_for):
    person = tree.people.a1
    before, row = table_counts(), stored(person)
    client = client_for(users.secretary_b)
    api = api_for(users.secretary_b)

    assert client.get(f"/people/{person.pk}/").status_code == 404
    assert client.get(f"/people/{person.pk}/edit/").status_code == 404
    posted = client.post(f"/people/{person.pk}/edit/", form_data({**current_data(person), "phone": "13800138000"}))
    assert posted.status_code == 404
    assert api.get(f"/api/people/{person.pk}/").status_code == 404
    assert api.patch(f"/api/people/{person.pk}/", {"phone": "13800138000"}, format="json").status_code == 404
    assert stored(person) == row and table_counts() == before
    # Her own branch is hers to edit.
    assert client.get(f"/people/{tree.people.b1.pk}/edit/").status_code == 200


def test_outsider_committee_admin_sees_nothing_of_committee1(tree, users, client_for, api_for):
    person = tree.people.a1
    assert client_for(users.outsider).get(f"/people/{person.pk}/").status_code == 404
    assert api_for(users.outsider).get(f"/api/people/{person.pk}/").status_code == 404


def test_viewer_sees_but_cannot_edit(tree, users, client_for, api_for):
    person = tree.people.a1
    before, row = table_counts(), stored(person)
    client = client_for(users.viewer)
    api = api_for(users.viewer)

    detail = client.get(f"/people/{person.pk}/")
    assert detail.status_code == 200
    assert person.name in detail.content.decode()
    assert f"/people/{person.pk}/edit/" not in detail.content.decode()  # no Edit button
    assert api.get(f"/api/people/{person.pk}/").status_code == 200

    # Visible, so not 404; not changeable, so 403 (and nothing saved).
    assert client.get(f"/people/{person.pk}/edit/").status_code == 403
    posted = client.post(f"/people/{person.pk}/edit/", form_data({**current_data(person), "phone": "13800138000"}))
    assert posted.status_code == 403
    assert api.patch(f"/api/people/{person.pk}/", {"phone": "13800138000"}, format="json").status_code == 403
    assert client.get("/people/new/").status_code == 404
    assert stored(person) == row and table_counts() == before


def test_viewer_cannot_create_through_the_api(tree, users, api_for):
    before = table_counts()

    response = api_for(users.viewer).post(
        "/api/people/", api_data(person_data(tree.branch_a, name="不该有")), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"branch": ["No such branch in your scope."]}
    assert table_counts() == before


def test_member_sees_only_his_own_profile(tree, users, client_for, api_for):
    own, other = tree.people.a2, tree.people.a1
    client = client_for(users.member)

    own_page = client.get(f"/people/{own.pk}/")
    assert own_page.status_code == 200
    assert own.name in own_page.content.decode()
    assert client.get(f"/people/{other.pk}/").status_code == 404
    assert client.get(f"/people/{tree.people.c1.pk}/").status_code == 404
    assert client.get("/people/").status_code == 404
    assert client.get("/people/new/").status_code == 404
    assert client.get(f"/people/{own.pk}/edit/").status_code == 403  # his own page, but not his to edit

    api = api_for(users.member)
    listed = api.get("/api/people/").json()
    assert [row["id"] for row in listed["results"]] == [own.pk]
    assert listed["count"] == 1
    assert api.get(f"/api/people/{other.pk}/").status_code == 404


def test_user_without_role_or_person_sees_no_one(tree, users, client_for, api_for):
    client = client_for(users.nobody)
    assert client.get("/people/").status_code == 404
    assert client.get(f"/people/{tree.people.a1.pk}/").status_code == 404
    assert api_for(users.nobody).get("/api/people/").json()["count"] == 0


def test_anonymous_is_sent_to_login_and_refused_by_the_api(tree, client, api_for):
    response = client.get(f"/people/{tree.people.a1.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api_for(None).get("/api/people/").status_code == 401
