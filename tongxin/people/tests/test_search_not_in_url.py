"""No personal data in URLs: a roster search (a name, an ID number, a phone) is POSTed, kept in the session
and named in the URL by a random key (tongxin.core.search_terms); the redirect, the pagination and the
export link carry only that key."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from tongxin.people import views

LINK = re.compile(r'(?:href|action|hx-get|hx-post)="([^"]*)"')


def links(body: str) -> list[str]:
    return [unquote(value.replace("&amp;", "&")) for value in LINK.findall(body)]


def digit_runs(text: str, length: int = 6) -> set[str]:
    return set(re.findall(rf"\d{{{length},}}", text))


@pytest.mark.parametrize("term", ["id_number", "phone", "name"])
def test_a_search_redirects_to_a_key_not_the_term(term, tree, users, client_for):
    person = tree.people.b1
    value = getattr(person, term)
    client = client_for(users.district)

    response = client.post(reverse("people:roster"), {"q": value, "status": "active", "sort": "org"})

    assert response.status_code == 302
    location = unquote(response["Location"])
    assert value not in location
    assert not digit_runs(location)  # not even part of an ID number or phone
    assert re.search(r"[?&]s=[\w-]+", location)
    assert "status=active" in location  # the other filters stay in the URL

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert all(value not in link for link in links(body))
    if term == "name":  # the search still finds the person
        assert person.name in body.split('data-testid="roster-total"')[1]


def test_pagination_and_export_links_carry_the_key_only(tree, users, client_for, monkeypatch):
    monkeypatch.setattr(views, "ROSTER_PAGE_SIZE", 2)
    client = client_for(users.district)
    response = client.post(reverse("people:roster"), {"q": "一"})  # 张甲一, 王乙一, 赵丙一, 孙丁一
    first = client.get(response["Location"]).content.decode()
    pager = [link for link in links(first) if "cursor=" in link]
    assert pager, "the search fills more than one page"
    found = re.search(r"[?&]s=([\w-]+)", response["Location"])
    assert found is not None
    key = found.group(1)
    assert all(f"s={key}" in link and "q=" not in link and "一" not in link for link in pager)

    next_page = next(link for link in pager if link.split("cursor=")[1])
    second = client.get(reverse("people:roster") + next_page)
    assert second.status_code == 200
    export = next(link for link in links(first) if link.startswith(reverse("people:export")))
    assert f"s={key}" in export and "q=" not in export

    from tongxin.core.tests.scope_walk import body_text

    exported = body_text(client.get(export))
    assert "王乙一" in exported and "李甲二" not in exported  # the export applies the kept search


def test_a_hand_typed_query_is_honoured_but_not_repeated_in_links(tree, users, client_for, monkeypatch):
    monkeypatch.setattr(views, "ROSTER_PAGE_SIZE", 2)
    number = tree.people.a1.id_number
    body = client_for(users.district).get(f"{reverse('people:roster')}?q=一&id={number}").content.decode()
    assert all("q=" not in link and "一" not in link and number not in link for link in links(body))


def test_an_unknown_key_says_the_search_expired(tree, users, client_for):
    response = client_for(users.district).get(f"{reverse('people:roster')}?s=nosuchkey")
    assert response.status_code == 200
    assert 'data-testid="search-expired"' in response.content.decode()


def test_a_key_is_worthless_in_another_session(tree, users, client_for, client):
    response = client_for(users.district).post(reverse("people:roster"), {"q": tree.people.b1.name})
    location = response["Location"]
    client.logout()
    client.force_login(users.district)  # a new session of the same user
    body = client.get(location).content.decode()
    assert 'data-testid="search-expired"' in body


def test_going_back_to_a_search_restores_the_whole_page(tree, users, client_for):
    """htmx asks for the pushed ?s= address again when its history cache lost the page: the answer is the
    whole page, not the table alone."""
    client = client_for(users.district)
    location = client.post(reverse("people:roster"), {"q": tree.people.b1.name})["Location"]
    table = client.get(location, HTTP_HX_REQUEST="true").content.decode()
    restored = client.get(location, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" not in table
    assert "<html" in restored.content.decode() and tree.people.b1.name in restored.content.decode()


@pytest.mark.parametrize("sort", ["name", "oldest", "org"])
def test_a_page_cursor_does_not_carry_the_boundary_person(sort, tree, users, client_for, monkeypatch):
    # A cursor holds the sort keys of the page's last row (a name's pinyin, a birth date): it is encrypted.
    monkeypatch.setattr(views, "ROSTER_PAGE_SIZE", 2)
    client = client_for(users.district)

    body = client.get(reverse("people:roster"), {"sort": sort}).content.decode()

    cursors = [found.group(1) for link in links(body) if (found := re.search(r"cursor=([^&#]+)", link))]
    assert cursors, "the roster fills more than one page"
    people = list(tree.people.__dict__.values())
    for cursor in cursors:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        for person in people:
            assert person.name_pinyin.encode() not in raw
            assert person.birth_date.isoformat().encode() not in raw
            assert person.org_path.encode() not in raw
    next_page = client.get(reverse("people:roster"), {"sort": sort, "cursor": cursors[-1]})
    assert next_page.status_code == 200
    shown = [p.name for p in people if p.name in next_page.content.decode().split('data-testid="roster-total"')[1]]
    assert shown, "the cursor still leads to the next page"
