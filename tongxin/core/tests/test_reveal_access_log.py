"""Personal data is masked on pages; showing it in full is a POST that leaves an AccessLog row."""

from __future__ import annotations

from tongxin.core.models import AccessLog
from tongxin.people.models import Person


def reveal_url(person) -> str:
    return f"/people/{person.pk}/reveal/"


def test_the_person_page_shows_the_id_number_masked(tree, users, client_for):
    person = Person.objects.get(pk=tree.people.a1.pk)
    body = client_for(users.secretary_a).get(f"/people/{person.pk}/").content.decode()
    assert person.masked_id_number in body
    assert person.id_number not in body
    assert person.phone not in body


def test_reveal_shows_the_full_id_and_is_logged(tree, users, client_for):
    person = Person.objects.get(pk=tree.people.a1.pk)
    response = client_for(users.secretary_a).post(reveal_url(person))
    assert response.status_code == 200
    body = response.content.decode()
    assert person.id_number in body
    assert person.phone in body
    entry = AccessLog.objects.get()
    assert entry.action == AccessLog.Action.REVEAL
    assert entry.actor == users.secretary_a
    assert entry.object_id == str(person.pk)
    assert entry.object_repr == person.name
    assert entry.org_path == tree.branch_a.path
    assert "id_number" in entry.fields


def test_each_reveal_is_logged(tree, users, client_for):
    client = client_for(users.committee_admin)
    for _ in range(3):
        assert client.post(reveal_url(tree.people.b1)).status_code == 200
    assert AccessLog.objects.filter(actor=users.committee_admin, object_id=str(tree.people.b1.pk)).count() == 3


def test_a_member_may_reveal_their_own_record(tree, users, client_for):
    own = Person.objects.get(pk=tree.people.a2.pk)
    response = client_for(users.member).post(reveal_url(own))
    assert response.status_code == 200
    assert own.id_number in response.content.decode()
    assert AccessLog.objects.filter(actor=users.member).count() == 1


def test_reveal_outside_the_scope_is_404_and_not_logged(tree, users, client_for):
    person = Person.objects.get(pk=tree.people.a1.pk)
    for user in (users.outsider, users.secretary_b, users.member, users.nobody):
        response = client_for(user).post(reveal_url(person))
        assert response.status_code == 404
        assert person.id_number not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_reveal_by_get_is_refused_and_not_logged(tree, users, client_for):
    response = client_for(users.secretary_a).get(reveal_url(tree.people.a1))
    assert response.status_code == 405
    assert not AccessLog.objects.exists()


def test_the_api_returns_personal_data_masked(tree, users, api_for):
    person = Person.objects.get(pk=tree.people.a1.pk)
    response = api_for(users.secretary_a).get(f"/api/people/{person.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert response.json()["id_number_masked"] == person.masked_id_number
    assert person.id_number not in body
    assert person.phone not in body
