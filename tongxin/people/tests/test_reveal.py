"""Revealing a person's full ID number and phone: POST only, within one's scope, one AccessLog row each."""

from __future__ import annotations

import pytest

from tongxin.core.models import AccessLog

pytestmark = pytest.mark.usefixtures("english")


def test_reveal_shows_the_full_numbers_and_logs_the_access(tree, users, client_for):
    person = tree.people.a1

    response = client_for(users.secretary_a).post(f"/people/{person.pk}/reveal/")

    assert response.status_code == 200
    text = response.content.decode()
    assert person.id_number in text
    assert person.phone in text
    (entry,) = AccessLog.objects.all()
    assert entry.actor == users.secretary_a
    assert entry.action == AccessLog.Action.REVEAL
    assert (entry.object_id, entry.object_repr) == (str(person.pk), person.name)
    assert set(entry.fields.split(",")) == {"id_number", "phone"}
    assert entry.org_path == tree.branch_a.path


def test_each_reveal_is_logged(tree, users, client_for):
    client = client_for(users.viewer)
    for _ in range(3):
        assert client.post(f"/people/{tree.people.b1.pk}/reveal/").status_code == 200
    assert AccessLog.objects.filter(actor=users.viewer, object_id=str(tree.people.b1.pk)).count() == 3


def test_reveal_by_get_is_not_allowed(tree, users, client_for):
    person = tree.people.a1

    response = client_for(users.secretary_a).get(f"/people/{person.pk}/reveal/")

    assert response.status_code == 405
    assert person.id_number not in response.content.decode()
    assert AccessLog.objects.count() == 0


def test_reveal_outside_the_scope_is_404_and_not_logged(tree, users, client_for):
    person = tree.people.a1
    for user in (users.secretary_b, users.outsider, users.nobody):
        response = client_for(user).post(f"/people/{person.pk}/reveal/")
        assert response.status_code == 404, user
        assert person.id_number not in response.content.decode()
    assert client_for(users.member).post(f"/people/{tree.people.a1.pk}/reveal/").status_code == 404
    assert AccessLog.objects.count() == 0


def test_member_may_reveal_his_own_numbers(tree, users, client_for):
    own = tree.people.a2
    response = client_for(users.member).post(f"/people/{own.pk}/reveal/")
    assert response.status_code == 200
    assert own.id_number in response.content.decode()
    assert AccessLog.objects.filter(actor=users.member, object_id=str(own.pk)).count() == 1


def test_anonymous_reveal_is_sent_to_login(tree, client):
    response = client.post(f"/people/{tree.people.a1.pk}/reveal/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert AccessLog.objects.count() == 0


def test_htmx_reveal_replaces_only_the_masked_block(tree, users, client_for):
    person = tree.people.a1
    response = client_for(users.secretary_a).post(f"/people/{person.pk}/reveal/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert person.id_number in response.content.decode()
