"""Walk every URL pattern as people who must not see committee 1 (ARCHITECTURE.md, "One way to scope").

The walk enumerates every pattern of the root URLconf, through every include (API router routes and
their ``.json`` format-suffix twins included), and fills path parameters from
the ``ROUTES`` table (in ``scope_walk.py``).
A pattern the table does not know makes ``test_every_route_is_in_the_table`` fail, so a new page or API
route cannot be added without saying here how it is filled and which methods it takes.

What each caller must get (decisions, checked below):

* Routes with an object parameter (``pk``): org routes get committee 1, people routes get person a1 of
  branch A. ``outsider`` (admin of committee 2), ``nobody`` (no role), ``member`` (only his own record,
  a2) and ``secretary_b`` (the sibling branch) get **404 for every method the route takes** — pages and
  API alike — and nothing is written. A POST-only route (``people:reveal``) answers GET with 405 to
  everybody, in scope or not, so it shows nothing either way. A control request by ``committee_admin``
  gets 200, which proves the filled object exists and the 404 comes from scoping.
* Routes without a parameter list the caller's own subtree: the outsider gets 200 with committee 2 only;
  ``nobody`` gets 404 or the "no role yet" page (pages) or an empty list (API). The page text and API
  rows hold no name, id or ID number from committee 1, also when asked with ``?org=<committee 1>``.
  Write requests there that target committee 1 (a new person in branch A, a new organisation under
  committee 1) create nothing: the page re-renders its form (200) or 404s, the API answers 400 with a
  field error (the parent or branch is "not in your scope"), never 201.
* Anonymous: pages redirect to the login page; the API answers 401.
* Public routes (``PUBLIC``) answer anonymous without a login redirect.

``test_scope_matrix`` adds the positive side over the same table: what each fixture role may list, read and
change.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.core.testing import figures
from tongxin.core.tests.scope_walk import (
    BRANCH_READ_KINDS,
    COLLECTION_ROUTES,
    DEBUG_PUBLIC,
    FILLABLE_PARAMS,
    FOUND,
    OBJECT_PARAMS,
    OBJECT_ROUTES,
    PERSON_ROW_ROUTES,
    PUBLIC,
    ROUTES,
    WALKED,
    body_text,
    client_as,
    committee1_ids,
    committee1_marks,
    send,
    snapshot_of_targets,
    url_for,
    walk,
)

# --- the table matches the URLconf ---------------------------------------------------------------------


def test_every_route_is_in_the_table():
    unknown = sorted({f.id for f in FOUND if f.name not in ROUTES and f.name not in PUBLIC})
    assert not unknown, (
        f"New URL patterns {unknown}: add them to ROUTES in tongxin/core/tests/scope_walk.py with how to fill their "
        "parameters "
        "and which methods they take, so the scope walk covers them."
    )


def test_the_table_has_no_stale_entries():
    names = {f.name for f in FOUND}
    assert not (set(ROUTES) - names), "ROUTES lists routes the URLconf no longer has"
    assert not (PUBLIC - names), "PUBLIC lists routes the URLconf no longer has"


def test_every_router_route_is_walked():
    from tongxin.api_urls import router
    from tongxin.core.tests.test_api_base import route_names

    router_names = route_names(router.urls)
    assert len(router_names) > 150  # every viewset's list, detail and actions (grouped under their prefixes)
    assert router_names - PUBLIC <= {f.name for f in WALKED}  # a public API route is checked as anonymous
    for _prefix, _viewset, basename in router.registry:
        assert f"{basename}-list" in ROUTES and f"{basename}-detail" in ROUTES


def test_the_walk_sees_nested_includes_and_unnamed_patterns():
    """The enumeration itself: namespaces, nested includes, parameters, skipped prefixes, unnamed routes."""
    from django.http import HttpResponse
    from django.urls import include, path, re_path

    def view(request, **kwargs):
        return HttpResponse()

    inner = ([path("x/<int:pk>/", view, name="x"), re_path(r"^y/(?P<slug>[a-z]+)/$", view)], "inner")
    patterns = [path("a/<int:year>/", include(inner)), path("admin/", view, name="skipped"), path("", view, name="top")]
    assert {f.id for f in walk(patterns)} == {
        "inner:x[year,pk]",
        "<unnamed a/<int:year>/y/(?P<slug>[a-z]+)/$>[year,slug]",
        "top",
    }


@pytest.mark.parametrize("found", WALKED, ids=lambda f: f.id)
def test_parameters_can_be_filled(found):
    route = ROUTES[found.name]
    unknown = set(found.params) - FILLABLE_PARAMS
    assert not unknown, f"{found.id}: the walk cannot fill {unknown}; teach url_for how"
    assert bool(OBJECT_PARAMS & set(found.params)) == bool(route.target), f"{found.id}: target and parameter disagree"
    actions = getattr(found.callback, "actions", None)
    if actions:  # a DRF viewset route: the table must list exactly the methods it serves
        served = {m.upper() for m in actions} - {"HEAD", "OPTIONS"}
        assert served == set(route.methods), f"{found.id} serves {sorted(served)}; update ROUTES"
    for method in route.methods:
        assert method == "GET" or route.payload, f"{found.id}: {method} needs a payload"


# --- object routes: 404 for everyone outside --------------------------------------------------------------

OUTSIDERS = ["outsider", "nobody", "member", "secretary_b"]


@pytest.mark.parametrize("found", OBJECT_ROUTES, ids=lambda f: f.id)
def test_object_routes_are_404_outside_the_scope(tree, users, api_for, row_counts, found):
    route = ROUTES[found.name]
    url = url_for(found, tree)
    rows, targets = row_counts(), snapshot_of_targets(tree)
    for who in OUTSIDERS:
        if who == route.insider:  # a member's own record (his study log): he is the one inside
            continue
        if who == "member" and route.target in BRANCH_READ_KINDS:
            continue  # his branch's to read: the scope matrix checks him there, and in branch B
        client = client_as(getattr(users, who), route, api_for)
        for method in route.methods:
            response = send(client, method, url, route, tree)
            assert response.status_code == 404, (who, method, url, response.status_code)
            figures.add("routes × roles × methods checked")
        if "GET" not in route.methods:
            response = client.get(url)
            assert response.status_code == 405, (who, "GET", url, response.status_code)
            assert tree.people.a1.id_number not in response.content.decode()
    assert row_counts() == rows
    assert snapshot_of_targets(tree) == targets

    # Control: someone in scope reaches the same URL, so the 404s above come from scoping.
    insider = client_as(getattr(users, route.insider), route, api_for)
    method = "GET" if "GET" in route.methods else route.methods[0]
    response = send(insider, method, url, route, tree)
    if method == "POST" and response.status_code == 302:  # a form action sends the user back to its page
        assert not response["Location"].startswith(reverse("accounts:login")), response["Location"]
    elif method == "POST" and route.api:  # reached: done, or refused by the object's state (a transition)
        assert response.status_code in (200, 400), (method, url, response.status_code)
    else:
        assert response.status_code == 200, (method, url, response.status_code)


@pytest.mark.parametrize("found", COLLECTION_ROUTES, ids=lambda f: f.id)
def test_collection_routes_show_nothing_of_committee1(tree, users, api_for, row_counts, found):
    route = ROUTES[found.name]
    url = url_for(found, tree)
    marks = committee1_marks(tree)
    org_ids, person_ids = committee1_ids(tree)
    for who in ("outsider", "nobody"):
        client = client_as(getattr(users, who), route, api_for)
        for query in ("", f"?org={tree.committee1.pk}"):
            response = client.get(url + query, follow=True)
            answers = (200, 404) if "GET" in route.methods else (405,)  # a POST-only action shows nothing
            assert response.status_code in answers, (who, url + query, response.status_code)
            figures.add("routes × roles × methods checked")
            body = body_text(response)
            leaked = [m for m in marks if m in body]
            assert not leaked, (who, url + query, leaked)
            if route.api and response.status_code == 200 and "results" in response.json():
                rows = response.json()["results"]
                got = {r["id"] for r in rows}
                assert not got & (person_ids if found.name.startswith(PERSON_ROW_ROUTES) else org_ids)
                if who == "nobody":
                    assert rows == [] and response.json()["count"] == 0

        rows_before, targets = row_counts(), snapshot_of_targets(tree)
        for method in route.methods:
            if method == "GET":
                continue
            response = send(client, method, url, route, tree)
            # A page form re-renders (200) or 404s; the upload page stores the outsider's own file and sends
            # them to its check (302), which refuses the rows for branch A (nothing written: row_counts).
            expected = (400,) if route.api else (200, 302, 404) if route.post_redirects else (200, 404)
            assert response.status_code in expected, (who, method, url, response.status_code)
            figures.add("routes × roles × methods checked")
        assert row_counts() == rows_before
        assert snapshot_of_targets(tree) == targets


def test_outsider_lists_show_their_own_subtree(tree, users, client_for, api_for):
    """The collection checks above are not vacuous: the outsider does get committee 2's data."""
    client = client_for(users.outsider)
    assert tree.committee2.name in client.get("/orgs/").content.decode()
    assert tree.people.c1.name in client.get("/people/").content.decode()
    api = api_for(users.outsider)
    assert tree.committee2.pk in {r["id"] for r in api.get("/api/orgs/").json()["results"]}
    assert tree.people.c1.pk in {r["id"] for r in api.get("/api/people/").json()["results"]}


# --- anonymous and public --------------------------------------------------------------------------------


@pytest.mark.parametrize("found", WALKED, ids=lambda f: f.id)
def test_anonymous_is_sent_to_login_or_refused(tree, api_for, row_counts, found):
    route = ROUTES[found.name]
    url = url_for(found, tree)
    client = client_as(None, route, api_for)
    rows = row_counts()
    login = reverse("accounts:login")
    for method in dict.fromkeys(("GET", *route.methods)):
        response = send(client, method, url, route, tree)
        figures.add("routes × roles × methods checked")
        if route.api:
            assert response.status_code in (401, 403), (method, url, response.status_code)
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith(login), response["Location"]
    assert row_counts() == rows


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_routes_answer_anonymous(db, settings, request, name):
    client = Client()
    if name == "activities:verify":  # a certificate's page, by the key its QR code carries
        from tongxin.core.tests.scope_walk import _certificate_of_a1

        url = reverse(name, args=[_certificate_of_a1(request.getfixturevalue("tree")).verify_key])
    elif name == "certificate-verify":  # the API's answer of the same page, by the same key
        from tongxin.core.tests.scope_walk import _certificate_of_a1

        url = reverse(name) + "?key=" + _certificate_of_a1(request.getfixturevalue("tree")).verify_key
    elif name == "venues:directory_photo":  # a photo of an open venue, shown in the public directory
        from tongxin.core.tests.scope_walk import _venue_photo_of_branch_a

        url = reverse(name, args=[_venue_photo_of_branch_a(request.getfixturevalue("tree")).pk])
    elif name == "dashboard:wall_display_figures":  # the screen's figures: a display link's token in a header
        from tongxin.core.tests.scope_walk import _wall_display_of_branch_a
        from tongxin.dashboard.display.services import create_display

        url = reverse(name)
        assert client.get(url).status_code == 401  # no token, no figures (tongxin/dashboard/tests/test_wall_display.py)
        _display, token = create_display(None, _wall_display_of_branch_a(request.getfixturevalue("tree")).organization,
                                         label="大屏")  # fmt: skip
        client.defaults["HTTP_AUTHORIZATION"] = f"Display {token}"
    else:
        url = reverse(name)
    if name in DEBUG_PUBLIC:  # the API's description: behind login in production, open in development
        assert client.get(url).status_code in (302, 401), url
        settings.DEBUG = True
    if name == "accounts:logout":  # Django's LogoutView takes POST only
        response = client.post(url)
        assert response.status_code == 302
    else:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
