"""The "waiting for me" inbox: pending work from the registry, one's own notifications, the navbar badge."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.accounts.models import User
from tongxin.accounts.notify import notify_users
from tongxin.core import context_processors, inbox
from tongxin.core.inbox import PendingItem, badge_key, pending_for, pending_total, register_pending, unregister_pending
from tongxin.core.models import Notification

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def only_our_providers(monkeypatch):
    """The feature apps' providers are left out: these tests register their own."""
    monkeypatch.setattr(inbox, "_providers", [])


def fake_provider(user) -> list[PendingItem]:
    if user.username != "secretary_a":
        return [PendingItem("Nothing here", 0, "/nowhere/")]
    return [PendingItem("Transfers to approve", 3, "/lifecycle/transfers/"), PendingItem("Empty", 0, "/x/")]


def badge(html: str) -> str | None:
    match = re.search(r"data-inbox-badge>(\d+\+?)", html)
    return match.group(1) if match else None


# --- the registry ----------------------------------------------------------------------------------------


def test_pending_registry_drops_empty_items(users):
    assert register_pending(fake_provider) is fake_provider
    register_pending(fake_provider)  # twice: once
    assert pending_for(users.secretary_a) == [PendingItem("Transfers to approve", 3, "/lifecycle/transfers/")]
    assert pending_total(users.secretary_a) == 3
    assert pending_for(users.secretary_b) == []
    unregister_pending(fake_provider)
    assert pending_for(users.secretary_a) == []


def test_anonymous_and_inactive_have_nothing_pending(users):
    from django.contrib.auth.models import AnonymousUser

    register_pending(lambda user: [PendingItem("x", 1, "/")])
    assert pending_for(AnonymousUser()) == []
    users.member.is_active = False
    assert pending_for(users.member) == []
    assert pending_total(users.viewer) == 1


# --- the inbox page --------------------------------------------------------------------------------------


def test_inbox_shows_pending_work_and_only_ones_own_notifications(users, client_for):
    register_pending(fake_provider)
    notify_users([users.secretary_a], text="For A", url="/people/")
    notify_users([users.secretary_b], text="For B", url="/people/")
    html = client_for(users.secretary_a).get("/inbox/").content.decode()
    assert "Transfers to approve" in html and 'href="/lifecycle/transfers/"' in html and "Empty" not in html
    assert "For A" in html and "For B" not in html
    assert "data-unread" in html and "Mark all as read" in html


def test_a_user_without_anything_gets_an_empty_inbox(users, client_for):
    response = client_for(users.nobody).get("/inbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing is waiting for you." in html and "No notifications yet." in html


def test_opening_marks_read_and_goes_to_the_page(users, client_for):
    (mine,) = notify_users([users.secretary_a], text="For A", url="/people/")
    response = client_for(users.secretary_a).post(f"/inbox/{mine.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/people/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_opening_someone_elses_is_404_and_leaves_it_unread(users, client_for):
    (theirs,) = notify_users([users.secretary_b], text="For B", url="/people/")
    client = client_for(users.secretary_a)
    assert client.post(f"/inbox/{theirs.pk}/open/").status_code == 404
    assert client.post("/inbox/999999/open/").status_code == 404
    assert client.get(f"/inbox/{theirs.pk}/open/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_never_leaves_the_site(users, client_for):
    (mine,) = notify_users([users.secretary_a], text="x", url="https://evil.example/")
    (bare,) = notify_users([users.secretary_a], text="y")
    client = client_for(users.secretary_a)
    assert client.post(f"/inbox/{mine.pk}/open/")["Location"] == "/inbox/"
    assert client.post(f"/inbox/{bare.pk}/open/")["Location"] == "/inbox/"


def test_mark_all_as_read(users, client_for):
    first = notify_users([users.secretary_a], text="one")[0]
    later = notify_users([users.secretary_a], text="arrived after the page was shown")[0]
    theirs = notify_users([users.secretary_b], text="B's")[0]
    client = client_for(users.secretary_a)

    response = client.post("/inbox/read-all/", {"upto": first.pk})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert set(Notification.objects.unread().values_list("pk", flat=True)) == {later.pk, theirs.pk}

    client.post("/inbox/read-all/")
    assert set(Notification.objects.unread().values_list("pk", flat=True)) == {theirs.pk}
    assert client.get("/inbox/read-all/").status_code == 405
    assert "data-unread" not in client.get("/inbox/").content.decode()


def test_notifications_are_paged_newest_first(users, client_for):
    for i in range(35):
        notify_users([users.member], text=f"message {i:02d}")
    client = client_for(users.member)
    html = client.get("/inbox/").content.decode()
    assert "message 34" in html and "message 05" in html and "message 04" not in html
    cursor = re.search(r'rel="next" href="\?&amp;cursor=([^"]+)"', html)
    assert cursor
    html = client.get(f"/inbox/?cursor={cursor.group(1)}").content.decode()
    assert "message 04" in html and "message 00" in html and "message 05" not in html


# --- the navbar badge -------------------------------------------------------------------------------------


def test_badge_counts_pending_work_and_unread_notifications(users, client_for):
    register_pending(fake_provider)
    notify_users([users.secretary_a], text="one")
    notify_users([users.secretary_a], text="two")
    read = notify_users([users.secretary_a], text="three")[0]
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify_users([users.secretary_b], text="not A's")

    assert badge(client_for(users.secretary_a).get("/people/").content.decode()) == "5"  # 3 pending + 2 unread
    html = client_for(users.nobody).get("/inbox/").content.decode()
    assert badge(html) is None and 'href="/inbox/"' in html  # the link is there for everyone, no badge


def test_badge_shows_99_plus(users, client_for):
    register_pending(lambda user: [PendingItem("lots", 250, "/")])
    assert badge(client_for(users.member).get("/inbox/").content.decode()) == "99+"


def _queries(client, url: str) -> int:
    """The queries of ``url`` with the badge counted afresh (it is cached between pages for a while)."""
    client.get(url)
    cache.delete_many([badge_key(pk) for pk in User.objects.values_list("pk", flat=True)])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("role", "added"), [("secretary_a", 1), ("district", 2)])
def test_the_navbar_adds_one_count_query_and_one_for_the_rules_link(role, added, users, client_for, monkeypatch):
    """The roster page pays one COUNT for the badge (plus one per pending provider: none here) and, for a
    root admin, one query to know whether to show the rules link."""
    client = client_for(getattr(users, role))
    with_navbar = _queries(client, "/people/")
    monkeypatch.setattr(context_processors, "inbox_badge", lambda user, items=None: lambda: 0)
    monkeypatch.setattr(context_processors, "may_edit_rules", lambda user: False)
    assert with_navbar - _queries(client, "/people/") == added


def test_each_provider_costs_what_it_queries(users, client_for):
    register_pending(lambda user: [PendingItem("n", Notification.objects.visible_to(user).count(), "/")])
    client = client_for(users.secretary_a)
    without = _queries(client, "/people/?status=all")
    register_pending(lambda user: [PendingItem("m", Notification.objects.visible_to(user).count(), "/")])
    assert _queries(client, "/people/?status=all") == without + 1


def test_htmx_partials_do_not_count(users, client_for):
    register_pending(lambda user: [PendingItem("n", Notification.objects.visible_to(user).count(), "/")])
    client = client_for(users.district)
    client.get("/people/?q=x", HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/people/?q=x", HTTP_HX_REQUEST="true")
    assert not [q for q in ctx.captured_queries if "core_notification" in q["sql"]]


# --- the API ------------------------------------------------------------------------------------------------


def test_api_lists_ones_own_newest_first_and_marks_read(users, api_for):
    old = notify_users([users.secretary_a], text="old")[0]
    new = notify_users([users.secretary_a], text="new", url="/people/")[0]
    theirs = notify_users([users.secretary_b], text="B's")[0]
    api = api_for(users.secretary_a)

    body = api.get("/api/notifications/").json()
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [new.pk, old.pk]
    assert body["results"][0] == {**body["results"][0], "text": "new", "url": "/people/", "is_read": False}

    response = api.post(f"/api/notifications/{old.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert [r["id"] for r in api.get("/api/notifications/?unread=1").json()["results"]] == [new.pk]

    assert api.get(f"/api/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api_for(None).get("/api/notifications/").status_code == 401


def test_api_pages_with_a_cursor(users, api_for):
    for i in range(55):
        notify_users([users.member], text=f"m{i}")
    api = api_for(users.member)
    first = api.get("/api/notifications/").json()
    assert first["count"] == 55 and len(first["results"]) == 50 and first["results"][0]["text"] == "m54"
    second = api.get(first["next"]).json()
    assert [r["text"] for r in second["results"]] == [f"m{i}" for i in range(4, -1, -1)]


def test_the_badge_is_cached_between_pages_and_a_new_notification_refreshes_it(users, client_for):
    client = client_for(users.secretary_a)
    assert badge(client.get("/people/").content.decode()) is None
    Notification.objects.create(recipient=users.secretary_a, text="behind the badge's back")
    assert badge(client.get("/people/").content.decode()) is None  # cached for a while
    notify_users([users.secretary_a], text="through the service")
    assert badge(client.get("/people/").content.decode()) == "2"
