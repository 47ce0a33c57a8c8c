"""Logging in with a password lands each user where their role puts them."""

from __future__ import annotations

from tongxin.core.testing import PASSWORD


def login(client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password}, follow=True)


def test_an_admin_lands_on_her_workbench(client, tree, users):
    response = login(client, "committee_admin")
    assert response.redirect_chain[-1][0] == "/"  # issue 13: the workbench (工作台), not a tree of one node
    body = response.content.decode()
    assert 'data-home="secretary"' in body
    assert f"/orglife/orgs/{tree.committee1.pk}/meetings/" in body
    assert f"/orglife/orgs/{tree.committee2.pk}/" not in body


def test_a_member_lands_on_his_own_page(client, tree, users):
    response = login(client, "member")
    assert response.redirect_chain[-1][0] == "/"  # 我的: his cards, his profile one of them
    body = response.content.decode()
    assert 'data-home="member"' in body and 'data-home="secretary"' not in body
    assert f'href="/people/{tree.people.a2.pk}/"' in body


def test_a_user_without_a_role_is_told_so(client, tree, users):
    response = login(client, "nobody")
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    body = response.content.decode()
    assert "alert-info" in body
    assert tree.root.name not in body


def test_a_wrong_password_does_not_log_in(client, tree, users):
    response = login(client, "district", "wrong-password")
    assert response.status_code == 200
    assert not response.redirect_chain
    assert "alert-danger" in response.content.decode()
    assert client.get("/orgs/").status_code == 302


def test_login_returns_to_the_page_asked_for(client, tree, users):
    target = f"/orgs/{tree.branch_a.pk}/"
    first = client.get(target)
    assert first.status_code == 302
    response = client.post(first["Location"], {"username": "secretary_a", "password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200


def test_logout_ends_the_session(client, tree, users):
    login(client, "district")
    assert client.get("/orgs/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/orgs/").status_code == 302
