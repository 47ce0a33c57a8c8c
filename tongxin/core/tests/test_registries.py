"""The registries the apps fill in their ``AppConfig.ready()`` (core.registry): the navbar each role sees,
home cards, demo-seed steps, page context, identity copies and lookup hashes."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.template.loader import render_to_string
from django.test import RequestFactory

from tongxin.core import registry
from tongxin.core.context_processors import navigation
from tongxin.core.crypto import EncryptedCharField
from tongxin.core.registry import (
    HAS_ROLE,
    home_cards,
    register_home_card,
    register_nav,
    unregister_home_card,
)

pytestmark = pytest.mark.usefixtures("english")

ORGANISATION = [("Organisation tree", "/orgs/"), ("Compliance board", "/orglife/board/"), ("Audit log", "/audit/")]
RULES = [("Rules", "/rules/")]
TEAM_VIEW = [
    ("Roster", "/people/"),
    ("Transfers", "/lifecycle/transfers/"),
    ("Dues", "/lifecycle/dues/"),
    ("Age-out", "/lifecycle/age-out/"),
    ("Annual review", "/lifecycle/reviews/"),
    ("Recruitment", "/lifecycle/recruitment/"),
    ("Party recommendation", "/lifecycle/recommendations/"),
    ("Members who may have lapsed", "/orglife/lapse/"),
    ("Minors without consent", "/privacy/minors/"),
]
TEAM_CHANGE = [
    TEAM_VIEW[0],
    ("Imports", "/imports/"),
    ("One-time login codes", "/accounts/login-codes/"),
    *TEAM_VIEW[1:],
]


def with_points(team, org=None, branch=None, mine=False):
    """The points app's team entries (issue 17), placed after Transfers: his own points, the month of her own
    branch, the months of her own subtree."""
    entries = [("My points", "/points/")] if mine else []
    if branch is not None:
        entries.append(("Points of the month", f"/points/orgs/{branch.pk}/"))
    if org is not None:
        entries.append(("Points in the subtree", f"/points/orgs/{org.pk}/subtree/"))
    at = next((i + 1 for i, (label, _url) in enumerate(team) if label == "Transfers"), 0)
    return [*team[:at], *entries, *team[at:]]


def nav_for(user) -> list[tuple[str, str, list[tuple[str, str]]]]:
    request = RequestFactory().get("/")
    request.user = user
    return [
        (key, str(label), [(str(a), url) for a, url in items]) for key, label, items in navigation(request)["nav_areas"]
    ]


# The positions area (venues): the role holders' pages, and the public directory for everyone.
DIRECTORY = [("Youth venues", "/venues/directory/")]
POSITIONS = [("Dashboard", "/dashboard/"),  # the statistics (issue 18) sit with the positions (五带五同: 阵地)
             ("Venues", "/venues/"), ("Find a free venue", "/venues/search/"), ("Bookings", "/venues/bookings/"),
             ("Deputies' studios", "/deputies/"),  # the deputies app, beside the venues
             ("Venue usage", "/venues/usage/"), ("Honours", "/venues/honours/"), *DIRECTORY]  # fmt: skip


# Activities (issue 15): for everyone with a role or a member record; the community app's (双报到双报告) too.
ACTIVITIES_OWN = [
    ("Activities", "/activities/"),
    ("My activities and hours", "/activities/mine/"),
    ("Micro-wishes", "/activities/wishes/"),
]
COMMUNITY = [("Community reporting", "/community/"), ("My community reports", "/community/mine/")]
ACTIVITIES = [*ACTIVITIES_OWN, *COMMUNITY]
# Role holders also get the hours report and the donation drives (issue 15).
ACTIVITIES_ROLE = [
    *ACTIVITIES_OWN,
    ("Volunteer hours by organisation", "/activities/hours/"),
    *COMMUNITY,
    ("Donation drives", "/donations/"),
]


# The study app's entries (issue 14): its campaigns for role holders, his study and check-ins for a member.
# Study notes (微心得): for a role holder and a member alike, after the other study entries.
STUDY_ROLE = [("Study campaigns", "/study/"), ("Study notes by branch", "/study/notes/counts/"),
              ("Study notes", "/study/notes/")]  # fmt: skip
STUDY_PERSON = [("My study", "/study/mine/"), ("My check-ins", "/study/checkins/"), ("Study notes", "/study/notes/")]
# Organisational life's lessons in turn (轮流讲党课/团课): the member's own turns, beside his study.
STUDY_PERSON += [("My lessons to give", "/orglife/lessons/mine/")]


def areas(organisation, team, thought=(), activities=None):
    """The five areas; one that exists for other roles but holds nothing for this user is left out (issue 13:
    not "coming in a later release"). A role holder (one with an organisation area) sees the donation drives."""
    if activities is None:
        activities = ACTIVITIES_ROLE if organisation else ACTIVITIES
    return [
        row
        for row in [
            ("organisation", "Organisation", organisation),
            ("thought", "Thought", list(thought)),
            ("team", "Team", team),
            ("activities", "Activities", activities),
            ("positions", "Positions", POSITIONS if organisation else DIRECTORY),
        ]
        if row[2] or row[0] not in ("organisation", "team", "thought", "activities")
    ]


def own_org(org):
    """The menu entries of the user's own organisation (issue 13: not only buttons on its page)."""
    return [
        ("Meetings", f"/orglife/orgs/{org.pk}/meetings/"),
        ("Lessons in turn", f"/orglife/orgs/{org.pk}/lessons/"),
        ("Four lists", f"/orglife/orgs/{org.pk}/checklists/"),
        ("Duties", f"/orglife/orgs/{org.pk}/duties/"),
    ]


def test_the_navbar_of_each_role_is_what_the_central_list_showed(tree, users, django_user_model):
    """The entries each app registers add up, for every role, to the navbar the central list in core used to
    build (captured before the registry replaced it), with the pages of the user's own organisation."""

    def organisation(org):
        return [ORGANISATION[0], *own_org(org), *ORGANISATION[1:]]

    superuser = django_user_model.objects.create(username="root", is_superuser=True)
    assert nav_for(users.district) == areas(
        organisation(tree.root) + RULES, with_points(TEAM_CHANGE, tree.root), STUDY_ROLE
    )
    assert nav_for(superuser) == areas(ORGANISATION + RULES, TEAM_CHANGE, STUDY_ROLE)
    for name, org in (
        ("committee_admin", tree.committee1),
        ("secretary_a", tree.branch_a),
        ("outsider", tree.committee2),
    ):
        branch = org if org == tree.branch_a else None
        team = with_points(TEAM_CHANGE, org, branch)
        assert nav_for(getattr(users, name)) == areas(organisation(org), team, STUDY_ROLE), name
    viewer_team = with_points(TEAM_VIEW, tree.committee1)
    assert nav_for(users.viewer) == areas(organisation(tree.committee1), viewer_team, STUDY_ROLE)
    profile = ("My profile", f"/people/{users.member.person_id}/")
    assert nav_for(users.member) == areas([], with_points([profile], mine=True), STUDY_PERSON, ACTIVITIES)
    assert nav_for(users.nobody) == areas([], [], [], [])
    secretary = users.secretary_a
    secretary.person = tree.people.a1
    secretary.save()
    secretary = django_user_model.objects.get(pk=secretary.pk)
    assert nav_for(secretary) == areas(
        organisation(tree.branch_a),
        with_points(
            [*TEAM_CHANGE, ("My profile", f"/people/{tree.people.a1.pk}/")], tree.branch_a, tree.branch_a, True
        ),
        STUDY_ROLE[:-1] + STUDY_PERSON,  # the notes' entry once, at the end
    )


def test_the_rendered_navbar_shows_a_registered_entry(tree, users, client_for):
    entry = register_nav("thought", "Study campaigns", "core:inbox", order=10, when=HAS_ROLE)
    try:
        html = client_for(users.secretary_a).get("/inbox/").content.decode()
        assert "Study campaigns" in html
        assert "Study campaigns" not in client_for(users.member).get("/inbox/").content.decode()
    finally:
        registry._nav.pop(entry.url_name)


def test_an_unknown_area_or_audience_is_refused():
    with pytest.raises(ValueError, match="unknown navigation area"):
        register_nav("sports", "x", "core:inbox", order=1)
    with pytest.raises(ValueError, match="unknown home audience"):
        register_home_card("visitor", "x", "x", "core:inbox", order=1)


def test_home_cards_by_audience_in_order_with_their_values(tree, users):
    secretary = [card.card.key for card in home_cards("secretary", users.secretary_a)]
    assert secretary[:2] == ["meetings", "roster"] and {"board", "transfers", "dues", "minors"} <= set(secretary)
    member = home_cards("member", users.member)
    assert [card.card.key for card in member] == [
        "inbox", "profile", "branch", "dues", "activities", "points", "hours", "community", "venues", "data"
    ]  # fmt: skip
    assert member[0].value == 0 and member[1].url == f"/people/{users.member.person_id}/"
    # A member without a role sees none of the secretary's cards (the workbench lists the waiting work).
    assert [card.card.key for card in home_cards("secretary", users.member)] == []

    register_home_card("member", "zz-hidden", "Hidden", "core:inbox", order=1, value=lambda user: None)
    register_home_card("member", "aa-count", "Counted", "core:inbox", order=1, value=lambda user: 7)
    try:
        shown = home_cards("member", users.member)
        assert [card.card.key for card in shown][:2] == ["aa-count", "inbox"]  # order, then key; None hides
        html = render_to_string(shown[0].template, {"card": shown[0]})
        assert "Counted" in html and "7" in html and 'href="/inbox/"' in html
    finally:
        unregister_home_card("member", "zz-hidden")
        unregister_home_card("member", "aa-count")


def test_demo_steps_run_in_declared_order():
    steps = registry.demo_steps()
    names = [step.name for step in steps]
    assert names.index("people") < names.index("accounts")
    assert all(callable(getattr(__import__(s.module, fromlist=["seed"]), "seed", None)) for s in steps)


def test_the_organisation_page_gets_its_cadres_from_the_people_app(tree, users):
    context = registry.page_context("orgs:detail", RequestFactory().get("/"), tree.branch_a)
    assert set(context) == {"cadres", "honours", "page_parts"}  # the venues app's honours of the holder


def test_every_model_with_lookup_hashes_is_registered_for_rehashing():
    """A model that stores keyed hashes (it has ``set_lookup_fields``) must be registered, or
    ``rehash_personal_data`` would leave its hashes stale after a lookup-key change."""
    with_hashes = {m._meta.label for m in apps.get_models() if callable(getattr(m, "set_lookup_fields", None))}
    assert with_hashes == {r.model._meta.label for r in registry.lookup_hashes()}
    assert {"people.Person", "lifecycle.Recruitment"} <= with_hashes


def test_models_holding_a_persons_identity_besides_person_are_registered_for_anonymisation():
    """A model pointing at a person and keeping its own ID number (an application made before joining) is
    an identity copy that anonymisation must blank."""
    holding = {
        m._meta.label
        for m in apps.get_models()
        if m._meta.label != "people.Person"
        and any(isinstance(f, EncryptedCharField) and f.name == "id_number" for f in m._meta.concrete_fields)
        and any(getattr(f, "related_model", None) is apps.get_model("people", "Person") for f in m._meta.fields)
    }
    assert holding == {copy.model._meta.label for copy in registry.identity_copies()} == {"lifecycle.Recruitment"}


def test_the_apps_above_put_their_parts_into_the_organisation_and_person_pages(tree, users):
    parts = registry.page_context("orgs:detail", RequestFactory().get("/"), tree.branch_a)["page_parts"]
    assert parts == {
        "actions": [
            "people/_org_actions.html",
            "privacy/_org_actions.html",
            "lifecycle/_org_actions.html",
            "orglife/_org_actions.html",
        ],
        "more_actions": ["people/_org_more_actions.html", "lifecycle/_org_more_actions.html"],
        "sidebar": ["people/_org_cadres.html", "venues/_honours.html"],
    }
    parts = registry.page_context("people:detail", RequestFactory().get("/"), tree.people.a1)["page_parts"]
    assert parts == {"actions": ["lifecycle/_person_actions.html"],
                     "panels": ["privacy/_person_panels.html", "venues/_honours.html"]}  # fmt: skip


def test_orgs_and_people_templates_name_no_url_of_an_app_above_them():
    """The organisation and person pages get the feature apps' buttons and panels as registered parts: their
    own templates name only their layer's URLs and those below (the import pages are the people app's)."""
    from pathlib import Path

    from django.conf import settings

    above = {"orgs": ("people", "imports", "accounts", "lifecycle", "orglife", "privacy"),
             "people": ("accounts", "lifecycle", "orglife", "privacy")}  # fmt: skip
    templates = Path(settings.BASE_DIR) / "tongxin" / "templates"
    for app, names in above.items():
        for path in (templates / app).glob("*.html"):
            text = path.read_text()
            assert not [n for n in names if f"'{n}:" in text or f"load {n}" in text or f" {n} %}}" in text], path
