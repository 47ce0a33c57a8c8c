"""Display links of the wall display (issue 18): a committee's screen shows its figures without a session.

The token is shown once at creation and stored only as a keyed hash; the figures answer exactly the wall's
figures of the link's organisation for ``Authorization: Display <token>``, and 401 (nothing else) for a revoked,
expired or unknown token; wrong tokens are limited per address. Only those who may change the organisation make
and revoke its links, each audited."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tongxin.core.crypto import keyed_hash
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.dashboard import queries
from tongxin.dashboard.display import services, views
from tongxin.dashboard.models import WallDisplay
from tongxin.orgs.models import OrgKind, OrgStatus
from tongxin.orgs.services import create_organization, update_organization


def figures_client(token: str | None) -> Client:
    """A browser without a session (the screen), sending ``token`` as the display page's script does."""
    client = Client()
    if token is not None:
        client.defaults["HTTP_AUTHORIZATION"] = f"Display {token}"
    return client


def figures(token: str | None):
    return figures_client(token).get(reverse("dashboard:wall_display_figures"))


def make(org, label="会议室大屏", **kwargs):
    return services.create_display(None, org, label=label, **kwargs)


def new_link(client, org) -> str:
    """Make a link on the page as the logged-in ``client``: the token the page showed, in the link's fragment."""
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    page = client.post(reverse("dashboard:wall_links", args=[org.pk]), {"label": "会议室大屏", "expires_on": expires})
    assert page.status_code == 200, page.content.decode()[:500]
    html = page.content.decode()
    (link,) = re.findall(r'value="([^"]+)" aria-label="[^"]*" data-display-link', html)
    assert link.startswith("http://testserver/dashboard/wall/display/#")
    return link.partition("#")[2]


def test_the_page_shows_the_new_link_once_and_keeps_only_its_hash(client_for, tree, users):
    client = client_for(users.committee_admin)
    token = new_link(client, tree.committee1)
    assert len(token) >= 40 and "?" not in token
    form = client.get(reverse("dashboard:wall_links", args=[tree.committee1.pk])).content.decode()
    assert f'value="{services.default_expiry().isoformat()}"' in form  # a year, as <input type="date"> reads it
    again = client.get(reverse("dashboard:wall_links", args=[tree.committee1.pk])).content.decode()
    assert token not in again and "会议室大屏" in again and 'data-confirm="' in again  # listed, token gone
    display = WallDisplay.objects.get()
    assert (display.organization, display.org_path, display.created_by) == (
        tree.committee1, tree.committee1.path, users.committee_admin)  # fmt: skip
    assert display.token_hash == keyed_hash(token)
    row = WallDisplay.objects.filter(pk=display.pk).values().get()
    assert not any(token in str(value) for value in row.values())  # not in clear in any column
    # a year at most (the form asked for 30 days)
    assert timezone.localtime(display.expires_at).date() - timezone.localdate() == datetime.timedelta(days=31)
    log = ChangeLog.objects.get(content_type=ContentType.objects.get_for_model(WallDisplay))
    assert log.action == ChangeLog.Action.CREATE and log.actor == users.committee_admin
    assert token not in str(log.after) and display.token_hash not in str(log.after)
    assert log.after is not None and log.after["label"] == "会议室大屏"


def test_the_token_opens_exactly_the_wall_figures_without_a_session(client, tree, users, settings):
    settings.TONGXIN_WALL_REFRESH_SECONDS = 45
    _display, token = make(tree.committee1)
    response = figures(token)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    body = response.json()
    expected = queries.as_dict(queries.dashboard(tree.committee1))
    assert body == expected | {"refresh_seconds": 45, "label": "会议室大屏"}
    assert body["members"] == 3 and body["organization"]["id"] == tree.committee1.pk
    text = response.content.decode()
    assert not any(p.name in text for p in vars(tree.people).values())  # aggregates: nobody's name
    # the display page itself carries no figures and no script of its own (CSP): it fetches them
    page = Client().get(reverse("dashboard:wall_display")).content.decode()
    assert 'data-source="/dashboard/wall/display/figures/"' in page and tree.committee1.name not in page
    scripts = ("vendor/echarts/echarts.min.js", "tongxin/dashboard.js")
    assert re.findall(r"<script[^>]*>", page) == [f'<script src="/static/{name}">' for name in scripts]


def test_last_used_is_written_at_most_once_a_minute(tree):
    display, token = make(tree.committee1)
    assert figures(token).status_code == 200
    display.refresh_from_db()
    first = display.last_used_at
    assert first is not None and timezone.now() - first < datetime.timedelta(seconds=30)
    with CaptureQueriesContext(connection) as run:
        assert figures(token).status_code == 200
    assert not [q for q in run.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    WallDisplay.objects.filter(pk=display.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    assert figures(token).status_code == 200
    display.refresh_from_db()
    assert display.last_used_at > first


@pytest.mark.parametrize(
    ("case", "reason"),
    [("revoked", "revoked"), ("expired", "expired"), ("garbage", "unknown"), ("none", "unknown"),
     ("other scheme", "unknown"), ("hash as token", "unknown"), ("too long", "unknown")],
)  # fmt: skip
def test_a_refused_token_gets_401_and_nothing_else(tree, users, case, reason):
    display, token = make(tree.committee1)
    if case == "revoked":
        services.revoke_display(users.committee_admin, display)
    if case == "expired":
        WallDisplay.objects.filter(pk=display.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    sent = {"garbage": "not-a-token", "none": None, "hash as token": display.token_hash,
            "too long": token + "x" * 200}.get(case, token)  # fmt: skip
    client = figures_client(sent)
    if case == "other scheme":
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    response = client.get(reverse("dashboard:wall_display_figures"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Display")
    body = response.json()
    assert set(body) == {"detail", "reason"} and body["reason"] == reason
    assert tree.committee1.name not in response.content.decode()
    display.refresh_from_db()
    assert display.last_used_at is None


def test_the_screen_tells_why_its_link_ended(tree, users):
    """The page carries the three messages the script shows (revoked, expired, not valid), in Chinese."""
    page = Client().get(reverse("dashboard:wall_display")).content.decode()
    for reason, words in (("revoked", "已被撤销"), ("expired", "已过期"), ("unknown", "无效")):
        (message,) = re.findall(rf'data-wall-ended="{reason}" role="alert" hidden>([^<]+)<', page)
        assert words in message and "团委" in message


def test_wrong_tokens_are_limited_per_address_and_good_ones_never_count(tree):
    _display, token = make(tree.committee1)
    for _ in range(30):  # a screen refreshing all day: never limited
        assert figures(token).status_code == 200
    limit = int(views.FAILURES_RATE.split("/")[0])
    answers = [figures(f"guess-{n}").status_code for n in range(limit + 1)]
    assert answers == [401] * limit + [429]
    # past the limit the address learns nothing more: a good token is refused too (no oracle), and the others'
    # addresses are not concerned
    assert figures(token).status_code == 429
    other = figures_client(token)
    other.defaults["REMOTE_ADDR"] = "10.1.2.3"
    assert other.get(reverse("dashboard:wall_display_figures")).status_code == 200


def test_an_organisation_out_of_scope_is_refused_at_creation(client_for, api_for, tree, users):
    client = client_for(users.committee_admin)
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    url = reverse("dashboard:wall_links", args=[tree.committee2.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"label": "大屏", "expires_on": expires}).status_code == 404
    api = api_for(users.committee_admin)
    response = api.post(reverse("wall-display-list"), {"organization": tree.committee2.pk, "label": "大屏"})
    assert response.status_code == 400 and "organization" in response.json()
    with pytest.raises(PermissionDenied):
        services.create_display(users.committee_admin, tree.committee2, label="大屏")
    assert not WallDisplay.objects.exists()


def test_without_change_no_one_manages_links(client_for, api_for, tree, users):
    """A viewer of committee 1 (VIEW) and a member: the page and the revoke are 404, the API refuses (400 for an
    organisation not theirs to change, 403 for a link they see); nothing written. Secretary A manages branch A's."""
    display, _token = make(tree.committee1)
    expires = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    for user in (users.viewer, users.member):
        client = client_for(user)
        assert client.get(reverse("dashboard:wall_links", args=[tree.committee1.pk])).status_code == 404
        posted = client.post(reverse("dashboard:wall_links", args=[tree.committee1.pk]),
                             {"label": "大屏", "expires_on": expires})  # fmt: skip
        assert posted.status_code == 404
        assert client.post(reverse("dashboard:wall_link_revoke", args=[display.pk])).status_code == 404
    api = api_for(users.viewer)
    assert api.post(reverse("wall-display-list"), {"organization": tree.committee1.pk, "label": "x"}).status_code == 400
    assert api.post(reverse("wall-display-revoke", args=[display.pk])).status_code == 403
    assert WallDisplay.objects.count() == 1 and WallDisplay.objects.get().revoked_at is None
    with pytest.raises(PermissionDenied):
        services.revoke_display(users.viewer, display)
    # the wall page links to the display links only for those who may make one
    wall, links = (
        reverse("dashboard:wall") + f"?org={tree.committee1.pk}",
        reverse("dashboard:wall_links", args=[tree.committee1.pk]),
    )
    assert links not in client_for(users.viewer).get(wall).content.decode()
    assert links in client_for(users.committee_admin).get(wall).content.decode()
    # secretary A (CHANGE on branch A) makes branch A's link, not committee 1's
    token = new_link(client_for(users.secretary_a), tree.branch_a)
    assert figures(token).json()["organization"]["id"] == tree.branch_a.pk


def test_revoking_ends_the_screen_at_once_and_is_audited(client_for, tree, users):
    display, token = make(tree.committee1)
    assert figures(token).status_code == 200
    client = client_for(users.committee_admin)
    page = client.post(reverse("dashboard:wall_link_revoke", args=[display.pk]), {"_confirmed": "1"}, follow=True)
    assert "撤销" in page.content.decode()
    display.refresh_from_db()
    assert display.revoked_at is not None and display.revoked_by == users.committee_admin
    assert figures(token).json()["reason"] == "revoked"
    log = ChangeLog.objects.filter(action=ChangeLog.Action.UPDATE, object_id=str(display.pk)).get()
    assert log.before is not None and log.after is not None and log.actor == users.committee_admin
    assert log.before["revoked_at"] is None and log.after["revoked_at"]
    with pytest.raises(DomainError):
        services.revoke_display(users.committee_admin, display)  # once


def test_a_link_lasts_a_year_at_most(tree, users):
    display, _token = make(tree.committee1)
    today = timezone.localdate()
    assert timezone.localtime(display.expires_at).date() == today + datetime.timedelta(days=366)  # through a year on
    for day in (today + datetime.timedelta(days=366), today - datetime.timedelta(days=1)):
        with pytest.raises(DomainError, match="一年"):
            make(tree.committee1, expires_on=day)
    with pytest.raises(DomainError):
        make(tree.committee1, label="  ")


def test_the_api_makes_lists_and_revokes_links(api_for, tree, users):
    api = api_for(users.committee_admin)
    made = api.post(reverse("wall-display-list"), {"organization": tree.branch_a.pk, "label": "活动室大屏"})
    assert made.status_code == 201, made.json()
    body = made.json()
    token = body["token"]
    assert body["link"].endswith("/dashboard/wall/display/#" + token) and made["Cache-Control"] == "no-store"
    assert figures(token).json()["organization"]["id"] == tree.branch_a.pk
    listed = api.get(reverse("wall-display-list"), {"organization": tree.branch_a.pk}).json()["results"]
    assert [row["label"] for row in listed] == ["活动室大屏"]
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert token not in str(api.get(reverse("wall-display-detail", args=[body["id"]])).json())
    revoked = api.post(reverse("wall-display-revoke", args=[body["id"]]))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert figures(token).status_code == 401
    assert api_for(users.secretary_b).get(reverse("wall-display-detail", args=[body["id"]])).status_code == 404


def test_a_dissolved_organisations_screen_stops(tree, users):
    empty = create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name="丙团支部", code="E1")
    _display, token = make(empty)
    assert figures(token).status_code == 200
    update_organization(users.district, empty, status=OrgStatus.DISSOLVED)
    refused = figures(token)
    assert refused.status_code == 401 and refused.json()["reason"] == "dissolved"
    assert "解散" in refused.json()["detail"] and "organization" not in refused.json()


def test_behind_a_proxy_the_limit_counts_the_address_the_proxy_gives(tree, settings):
    """With TONGXIN_BEHIND_PROXY every request comes from the proxy: the guesser's own address is counted (the
    proxy's X-Real-IP), so the other screens behind the same proxy keep working."""
    settings.RATELIMIT_IP_META_KEY = "tongxin.core.client_address.behind_proxy"
    _display, token = make(tree.committee1)
    guesser, screen = figures_client("guess"), figures_client(token)
    for client, address in ((guesser, "203.0.113.7"), (screen, "198.51.100.20")):
        client.defaults.update(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP=address)  # both through the proxy
    url = reverse("dashboard:wall_display_figures")
    limit = int(views.FAILURES_RATE.split("/")[0])
    assert [guesser.get(url).status_code for _ in range(limit + 1)] == [401] * limit + [429]
    assert screen.get(url).status_code == 200
    screen.defaults["HTTP_X_REAL_IP"] = "not an address"  # garbled: the connection's address (the proxy's) counts
    assert screen.get(url).status_code == 200
    guesser.defaults["HTTP_X_REAL_IP"] = "203.0.113.7"
    assert guesser.get(url).status_code == 429
    # no proxy declared: X-Real-IP is anybody's to write, so it is ignored (a new one per guess changes nothing)
    del settings.RATELIMIT_IP_META_KEY
    direct = figures_client("guess")
    answers = [direct.get(url, REMOTE_ADDR="10.9.9.9", HTTP_X_REAL_IP=f"192.0.2.{n}").status_code
               for n in range(limit + 1)]  # fmt: skip
    assert answers == [401] * limit + [429]
