"""The scope matrix: every route × every fixture role, what each may list, read and change, and what is 404.

It reuses the walk of ``scope_walk.py`` (its ``ROUTES`` table, URL filling and payloads) and adds the
positive side: where the walk proves that people outside committee 1 see nothing of it, this module says
for each of the six fixture roles what they do get. Anonymous callers are the walk's
``test_anonymous_is_sent_to_login_or_refused`` (pages redirect to the login page, the API answers 401).

Decisions (the expected outcome per role and the kind of object a route works on):

=================  ==============================  ===================================================
role               reaches (GET 200, writes reach   404 (every method), nothing written
                   the handler)
=================  ==============================  ===================================================
district           everything in the district       (rules pages: only they)
committee_admin    committee 1 and all under it     committee 2; the district's rules pages
secretary_a        branch A and what is in it       branch B, committee 1 itself, MANAGE pages of
                                                    branch A (``MANAGE_ROUTES``)
secretary_b        branch B (the mirror)            branch A, committee 1, MANAGE pages
member             their own person record (read)   everyone else's records; every write
                   and their own notifications
=================  ==============================  ===================================================

Object routes are tried on several targets (``VARIANTS``): the walk's object in branch A (committee 1 for
an organisation route), branch A itself for organisation routes, the mirror, and the member's own record
and notification. The mirror is, for every target kind of ``ROUTES``, the object of that kind in branch B
(``MIRRORS``, one factory per kind: branch B itself, person b1, b1's transfer, branch B's meeting, review,
checklist item, …; secretary B's own import and notification): secretary B reaches it as secretary A reaches
the walk's object, secretary A gets 404. Writes on it send the payloads built from the tree seen from branch B
(``mirror_tree``), so they name branch B and its people. A kind without a twin (or a reason in ``NO_MIRROR``)
fails ``test_every_object_kind_has_a_branch_b_twin``.

Lists (routes without an object) answer every role holder with 200 and show only what their scope holds
(names and ID numbers of the rest absent; API rows exactly the expected ids); the member's lists show only
themself or nothing. Writes by a role that may not make them (a payload for branch A from secretary B or the member)
change nothing: every row of every Tongxin table is compared before and after.

A route in ``ROUTES`` that this module cannot classify fails ``test_every_route_is_in_the_matrix``; the
OpenAPI schema is walked as a second source: every operation it documents must be a route and method of
the table.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import Resolver404, resolve, reverse

from tongxin.core.testing import figures
from tongxin.core.tests import scope_walk as walk
from tongxin.core.tests.scope_walk import (
    OBJECT_ROUTES,
    PUBLIC,
    ROUTES,
    WALKED,
    Route,
    body_text,
    client_as,
    send,
    url_for,
)

ROLES = ("district", "committee_admin", "secretary_a", "secretary_b", "member")
LOGIN = "/accounts/login/"

# What a role gets on a route's target:
REACH = "reach"  # GET 200; a write gets past scoping and permissions (done, or refused by the object's state)
REFUSE = "refuse"  # the target is visible, the action is not the role's: 400, 403 or 404, nothing written
HIDDEN = "hidden"  # 404 for every method, nothing written

# Routes that need MANAGE (edit the tree, or the points rules): secretaries see their branch but get 403 (or 404).
MANAGE_ROUTES = {
    "orgs:edit",
    "orgs:create_child",
    "orgs:move",
    "points:rule_edit",
    "points:rule_scores",
    "points:rules_override",
    "point-rules-own",
    "point-rules-change-item",
    "point-rules-change-scores",
    "dashboard:index_weights",
    "dashboard:index_rankings",
    "dashboard:index_stars",
    "index-weights",
    "index-rankings",
}
# Steps that belong to the committee above the branch (or to the receiving side of a transfer): the
# sending branch's secretary sees the record but may not take them.
COMMITTEE_STEPS = {
    "lifecycle:transfer_accept",
    "lifecycle:transfer_reject",
    "transfer-accept-in",
    "transfer-reject",
    "recruitment-precheck",
    "recruitment-approve",
    "recommendation-approve",
    "recommendation-hand-over",
    "recommendation-record-outcome",
    "lifecycle:lapse_approve",
    "lifecycle:lapse_reject",
    "lapse-case-approve",
    "lapse-case-reject",
}
# What the member may do with their own record (self-service): read it, reveal their own ID number, see
# whether they are due to age out or have lapsed, ask for their own transfer.
SELF_SERVICE = {
    ("people:detail", "GET"),
    ("person-detail", "GET"),
    ("people:reveal", "POST"),
    ("age-out-detail", "GET"),
    ("lapse-detail", "GET"),
    ("lifecycle:transfer_start_out", "GET"),
    ("lifecycle:transfer_start_out", "POST"),
    ("privacy:access_export", "GET"),  # the right of access: their own data as a file
    ("privacy:consent_withdraw", "POST"),
    ("community:person_register", "GET"),  # a serving party member registers with a community himself
    ("community:person_register", "POST"),
}
# Routes only some roles reach at all, whatever the target: everyone else gets 404.
ONLY = {
    "privacy:anonymise": {"district"},  # erasure is the district admin's
}
# A study note (微心得) is its branch's to read: the member of branch A reads a1's note, its image, and comments on
# it; every other step on it is refused to him (he sees it), and branch B's notes are 404 to him.
BRANCH_READ_KINDS = walk.BRANCH_READ_KINDS
BRANCH_READERS = {
    ("study:note", "GET"),
    ("study:note_image", "GET"),
    ("study:note_comment", "POST"),
    ("study-note-detail", "GET"),
    ("study-note-comment", "POST"),
}
# Collection writes the member makes for himself: he shares his own study note with his branch.
MEMBER_POSTS = {"study:notes", "study-note-list"}
# Collection writes whose payload also names branch B (secretary B acts on their part of it only).
PAYLOAD_ALSO_IN_BRANCH_B = {"accounts:bulk_reset"}
# Collection writes no role can reach with the table's payload: the download needs the signed handout the
# page just showed (404 without it, for everyone).
NEEDS_A_HANDOUT = {"accounts:bulk_reset_download"}
# Targets no one but their owner reaches: a notification is its recipient's, an import its uploader's, a rule
# the district admin's.
OWNER_OF_TARGET = {
    "notification": "committee_admin",
    "import": "committee_admin",
    "rule": "district",
    "study_checkin": "member",  # his own study log (学习打卡): no role holder reads it
}
# Lists only the district admin opens (the rules of the whole district); 404 to everyone else.
DISTRICT_ONLY_LISTS = {"core:rules", "orglife:requirements"}

# Where each target kind's walk object lies, and who may act there.
COMMITTEE1, BRANCH_A, BRANCH_B = "committee1", "branch_a", "branch_b"
AREA_ROLES = {
    COMMITTEE1: {"district", "committee_admin"},
    BRANCH_A: {"district", "committee_admin", "secretary_a"},
    BRANCH_B: {"district", "committee_admin", "secretary_b"},
}
# Target kinds whose walk object lies in branch A (an "org" target is committee 1).
BRANCH_A_KINDS = {
    "person",
    "branch",
    "cadre",
    "transfer",
    "recruitment",
    "recommendation",
    "lapse_case",
    "dues_payment",
    "review",
    "graduation_batch",
    "meeting",
    "meeting_attachment",
    "checklist_item",
    "checklist_attachment",
    "duty",
    "lesson_turn",
    "venue",
    "venue_photo",
    "booking",
    "skipped_booking",
    "honour",
    "deputy",
    "deputy_request",
    "donation_drive",
    "donation",
    "disbursement",
    "disbursement_evidence",
    "community_registration",
    "community_need",
    "community_report",
    "community_report_photo",
    "activity",
    "registration",
    "certificate",
    "wish",
    "hours_correction",
    "study_campaign",
    "study_question",
    "study_period",
    "study_attempt",
    "study_participation",
    "study_note",
    "point_claim",
    "point_cycle",
    "point_entry",
    "point_objection",
    "wall_display",
}


@dataclass(frozen=True)
class Variant:
    """One target of an object route: which object (``pk`` from the tree) and the area it lies in."""

    name: str
    kinds: tuple[str, ...]  # the ROUTES targets this variant applies to ("" : all)
    area: str
    pk: Any = None  # (tree, users) -> pk; None: the walk's own object (url_for)
    owner: str | None = None  # an owner-only target (a notification, an import): the one role that reaches it
    mirrored: bool = False  # built on, and sent the payloads of, the mirror tree (``mirror_tree``)


# --- the mirror: each object kind's twin in branch B -------------------------------------------------------------


def mirror_tree(tree) -> SimpleNamespace:
    """The fixture tree seen from branch B: branch A and branch B swapped, people a1, a2 swapped with b1 and a
    second member b2 of branch B (made here). The walk's own factories (``_meeting_of_branch_a`` …) called on it
    make the branch-B twin of their object in the same way, and the walk's payloads built from it name branch B
    and its people, so secretary B's writes on the twin are the exact mirror of secretary A's on the walk's
    object. Committees, the other branches and the district stay where they are."""
    from tongxin.core.testing import person_data
    from tongxin.people.services import create_person

    b2 = create_person(None, person_data(tree.branch_b, name="周乙二"))
    people = SimpleNamespace(**{**vars(tree.people), "a1": tree.people.b1, "a2": b2, "b1": tree.people.a1})
    return SimpleNamespace(**{**vars(tree), "branch_a": tree.branch_b, "branch_b": tree.branch_a, "people": people})


def _import_of_secretary_b(mirror, users) -> int:
    """A checked roster import by secretary B, of rows for branch B (an import is its uploader's alone)."""
    from tongxin.core.imports import create_job, run_check

    job = create_job(users.secretary_b, kind="roster", file_name="名册.csv", content=walk._import_file(mirror),
                     options={}, org_path=mirror.branch_a.path)  # fmt: skip
    run_check(job)
    return job.pk


def _notification_of_secretary_b(mirror, users) -> int:
    from tongxin.core.models import Notification

    return Notification.objects.create(recipient=users.secretary_b, text="乙团支部 王乙一", url="/people/").pk


@dataclass(frozen=True)
class Twin:
    """How to make the branch-B object of a target kind: ``make(mirror, users)`` gets the mirror tree (its
    ``branch_a`` is branch B, its ``people.a1`` is b1) and returns the object's pk."""

    make: Callable[[Any, Any], Any]
    owner: str | None = None  # the kind is its owner's alone: this role reaches the twin, everyone else gets 404


# Every target kind of ROUTES, and its twin in branch B: secretary B reaches it (pages and API alike, reads and
# writes, minus the committee's steps and MANAGE pages), district and committee 1 admins too, secretary A and the
# member get 404. ``test_every_object_kind_has_a_branch_b_twin`` fails for a kind missing here.
MIRRORS: dict[str, Twin] = {
    "org": Twin(lambda mirror, users: mirror.branch_a.pk),  # branch B's own pages (the walk's object: committee 1)
    "branch": Twin(lambda mirror, users: mirror.branch_a.pk),
    "person": Twin(lambda mirror, users: mirror.people.a1.pk),  # b1: age-out, lapse, consent, access routes too
    "cadre": Twin(lambda mirror, users: walk._cadre_in_branch_a(mirror).pk),
    "transfer": Twin(lambda mirror, users: walk._transfer_of_a1(mirror).pk),  # b1 leaving branch B
    "recruitment": Twin(lambda mirror, users: walk._recruitment_in_a(mirror).pk),
    "recommendation": Twin(lambda mirror, users: walk._recommendation_of_a1(mirror).pk),
    "lapse_case": Twin(lambda mirror, users: walk._lapse_case_of_a1(mirror).pk),  # b1 proposed by branch B
    "dues_payment": Twin(lambda mirror, users: walk._dues_payment_of_a1(mirror).pk),
    "review": Twin(lambda mirror, users: walk._review_of_branch_a(mirror).pk),
    "graduation_batch": Twin(lambda mirror, users: walk._graduation_batch_of_branch_a(mirror).pk),
    "meeting": Twin(lambda mirror, users: walk._meeting_of_branch_a(mirror).pk),
    "meeting_attachment": Twin(lambda mirror, users: walk._attachment_of_branch_a(mirror).pk),
    "checklist_item": Twin(lambda mirror, users: walk._checklist_item_of_branch_a(mirror).pk),
    "checklist_attachment": Twin(lambda mirror, users: walk._checklist_attachment_of_branch_a(mirror).pk),
    "duty": Twin(lambda mirror, users: walk._duty_of_branch_a(mirror).pk),
    "lesson_turn": Twin(lambda mirror, users: walk._lesson_turn_of_branch_a(mirror).pk),  # b1's turn in branch B
    "venue": Twin(lambda mirror, users: walk._venue_of_branch_a(mirror).pk),
    "venue_photo": Twin(lambda mirror, users: walk._venue_photo_of_branch_a(mirror).pk),
    "booking": Twin(lambda mirror, users: walk._booking_of_branch_a(mirror).pk),
    "skipped_booking": Twin(lambda mirror, users: walk._skipped_booking_of_branch_a(mirror).pk),
    "honour": Twin(lambda mirror, users: walk._honour_of_branch_a(mirror).pk),
    "deputy": Twin(lambda mirror, users: walk._deputy_of_branch_a(mirror).pk),  # b1, deputy to the same congress
    "deputy_request": Twin(lambda mirror, users: walk._deputy_request_of_branch_a(mirror).pk),
    "donation_drive": Twin(lambda mirror, users: walk._donation_drive_of_branch_a(mirror).pk),
    "donation": Twin(lambda mirror, users: walk._donation_of_branch_a(mirror).pk),
    "disbursement": Twin(lambda mirror, users: walk._disbursement_of_branch_a(mirror).pk),
    "disbursement_evidence": Twin(lambda mirror, users: walk._disbursement_evidence_of_branch_a(mirror).pk),
    # b1 registered with branch B as his community, branch B's need, b1's report
    "community_registration": Twin(lambda mirror, users: walk._community_registration_of_a1(mirror).pk),
    "community_need": Twin(lambda mirror, users: walk._community_need_of_branch_a(mirror).pk),
    "community_report": Twin(lambda mirror, users: walk._community_report_of_a1(mirror).pk),
    "community_report_photo": Twin(lambda mirror, users: walk._community_report_photo_of_a1(mirror).pk),
    "activity": Twin(lambda mirror, users: walk._activity_of_branch_a(mirror).pk),
    "registration": Twin(lambda mirror, users: walk._registration_of_a1(mirror).pk),
    "certificate": Twin(lambda mirror, users: walk._certificate_of_a1(mirror).pk),
    "wish": Twin(lambda mirror, users: walk._wish_of_branch_a(mirror).pk),
    "hours_correction": Twin(lambda mirror, users: walk._hours_correction_of_a1(mirror).pk),  # b1's request
    "study_campaign": Twin(lambda mirror, users: walk._study_period_of_branch_a(mirror).campaign_id),
    "study_question": Twin(lambda mirror, users: walk._study_question_of_branch_a(mirror).pk),
    "study_period": Twin(lambda mirror, users: walk._study_period_of_branch_a(mirror).pk),
    "study_attempt": Twin(lambda mirror, users: walk._study_attempt_of_a1(mirror).pk),
    "study_participation": Twin(lambda mirror, users: walk._study_participation_of_a1(mirror).pk),
    "study_note": Twin(lambda mirror, users: walk._study_note_of_a1(mirror).pk),  # b1's note in branch B
    "point_claim": Twin(lambda mirror, users: walk._point_claim_of_a1(mirror).pk),
    "point_cycle": Twin(lambda mirror, users: walk._point_cycle_of_branch_a(mirror).pk),
    "point_entry": Twin(lambda mirror, users: walk._point_entry_of_a1(mirror).pk),
    "point_objection": Twin(lambda mirror, users: walk._point_objection_of_a1(mirror).pk),
    "wall_display": Twin(lambda mirror, users: walk._wall_display_of_branch_a(mirror).pk),
    "import": Twin(_import_of_secretary_b, owner="secretary_b"),
    "notification": Twin(_notification_of_secretary_b, owner="secretary_b"),
}
# Target kinds that have no object in a branch, and why.
NO_MIRROR = {
    "rule": "a rule is the district's, not a branch's: only the district admin edits one",
    "study_checkin": "a study check-in is its member's alone, in no branch: no role holder of any branch reaches one",
}


def missing_twins(routes: dict[str, Route]) -> list[str]:
    """The target kinds of ``routes`` that have neither a twin in ``MIRRORS`` nor a reason in ``NO_MIRROR``."""
    kinds = {route.target for route in routes.values() if route.target}
    return sorted(kinds - set(MIRRORS) - set(NO_MIRROR))


def missing_twins_message(kinds: list[str]) -> str:
    return (
        f"target kinds {kinds} have no branch-B twin: add to MIRRORS in {__name__} a Twin whose factory makes the "
        "object of that kind in branch B (call the walk's factory on the mirror tree, whose branch_a is branch B), "
        "so the matrix checks that secretary B reaches it and secretary A gets 404; or say in NO_MIRROR why the "
        "kind has no object in a branch"
    )


VARIANTS = (
    Variant("walk", (), ""),  # every object route, on the walk's object
    Variant("own_branch", ("org",), BRANCH_A, lambda tree, users: tree.branch_a.pk),
    *(
        Variant("mirror", (kind,), BRANCH_B, twin.make, owner=twin.owner, mirrored=True)
        for kind, twin in MIRRORS.items()
    ),
    Variant("self", ("person",), "self", lambda tree, users: tree.people.a2.pk),
    Variant("self", ("notification",), "self", lambda tree, users: _notification_of(users.member)),
)


def _notification_of(user) -> int:
    from tongxin.core.models import Notification

    notification = Notification.objects.filter(recipient=user).first()
    if notification is None:
        notification = Notification.objects.create(recipient=user, text="您的团员信息已更新", url="/")
    return notification.pk


def expected(role: str, route_name: str, kind: str, variant: Variant, method: str) -> str:
    """The decision: what ``role`` gets for ``method`` on this route's target."""
    if route_name in ONLY and role not in ONLY[route_name]:
        return HIDDEN
    if variant.owner is not None:
        return REACH if role == variant.owner else HIDDEN
    if variant.name == "walk":
        if kind in OWNER_OF_TARGET:
            return REACH if role == OWNER_OF_TARGET[kind] else HIDDEN
        area = COMMITTEE1 if kind == "org" else BRANCH_A
    else:
        area = variant.area
    if area == "self":
        if kind == "notification":
            return REACH if role == "member" else HIDDEN
        area = BRANCH_A  # person a2 is in branch A
        if role == "member":
            return REACH if (route_name, method) in SELF_SERVICE else REFUSE
    if role == "member" and kind in BRANCH_READ_KINDS and area == BRANCH_A:
        return REACH if (route_name, method) in BRANCH_READERS else REFUSE
    if role not in AREA_ROLES[area]:
        return HIDDEN
    if role.startswith("secretary") and (route_name in MANAGE_ROUTES or route_name in COMMITTEE_STEPS):
        return REFUSE
    return REACH


def object_cases():
    for found in OBJECT_ROUTES:
        if "format" not in found.params:  # the .json twin of an API route: the walk covers it
            yield pytest.param(found, id=found.name)


def collection_cases():
    for found in WALKED:
        if not ROUTES[found.name].target and "format" not in found.params:
            yield pytest.param(found, id=found.name)


# --- each role in a savepoint, the whole database compared ---------------------------------------------------


@contextmanager
def rolled_back():
    """Run a role's requests in a savepoint rolled back afterwards, so each role meets the same objects
    (one role's approval or deletion does not change what the next one sees). Caches are emptied too."""
    from django.core.cache import cache

    from tongxin.core import rules

    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()
    rules.clear_cache()


# Columns a request may change without writing anything of the user's data: logging in sets last_login.
VOLATILE = {"last_login"}


def _state_queries() -> list[tuple[str, str]]:
    queries = []
    quote = connection.ops.quote_name
    for model in apps.get_models():
        if model.__module__.startswith("tongxin.") and not model._meta.proxy:
            columns = ", ".join(quote(str(f.column)) for f in model._meta.concrete_fields if f.attname not in VOLATILE)
            table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
            # Table and column names come from the models, never from input.
            queries.append((model._meta.label, f"SELECT {columns} FROM {table} ORDER BY {pk}"))
    return queries


def database_state() -> dict[str, list[tuple]]:
    """Every row of every Tongxin table (the accounts app included), in primary-key order, as stored (raw
    SQL: encrypted columns are compared as their ciphertext, without decrypting)."""
    with connection.cursor() as cursor:
        state = {}
        for label, sql in _state_queries():
            cursor.execute(sql)
            state[label] = cursor.fetchall()
    return state


def written(before: dict[str, list[tuple]]) -> list[str]:
    after = database_state()
    return [label for label in before if before[label] != after[label]]


def reached(response) -> bool:
    """The request got past scoping: a page or an action's answer, not a 404, a refusal or a login."""
    if response.status_code in (401, 403, 404) or response.status_code >= 500:
        return False
    return not (response.status_code == 302 and response["Location"].startswith(LOGIN))


class Failures(list):
    """Every disagreement of one route, each naming route, target, role, method, URL and status."""

    def check(self, ok: bool, *context: Any) -> None:
        figures.add("routes × roles × methods checked")
        if not ok:
            self.append(" ".join(str(part) for part in context))


# --- the matrix of object routes ------------------------------------------------------------------------------


def object_url(found, variant: Variant, tree, users) -> str:
    if variant.pk is None:
        return url_for(found, tree)
    # prepared on the mirror too: the payload names it
    if variant.mirrored and ROUTES[found.name].prepare in ("closure", "activity_link", "community_registration"):
        walk.prepare(ROUTES[found.name], tree)
    kwargs: dict[str, Any] = {"pk": variant.pk(tree, users)}
    if "month" in found.params:
        kwargs["month"] = "2025-01"
    return reverse(found.name, kwargs=kwargs)


@pytest.mark.parametrize("found", list(object_cases()))
def test_object_route(tree, users, api_for, found):
    """Each role, on each target of the route (``VARIANTS``), with each method the route takes."""
    route = ROUTES[found.name]
    variants = [v for v in VARIANTS if v.name == "walk" or route.target in v.kinds]
    mirror = mirror_tree(tree) if any(v.mirrored for v in variants) else tree
    trees = [mirror if variant.mirrored else tree for variant in variants]
    urls = [object_url(found, variant, on, users) for variant, on in zip(variants, trees, strict=True)]
    clients = {role: client_as(getattr(users, role), route, api_for) for role in ROLES}  # logged in once
    before = database_state()
    failures = Failures()
    for (variant, on, url), role in itertools.product(zip(variants, trees, urls, strict=True), ROLES):
        with rolled_back():
            client = clients[role]
            refused, wrote = [], False
            for method in route.methods:
                outcome = expected(role, found.name, route.target or "", variant, method)
                response = send(client, method, url, route, on)
                status = response.status_code
                context = (found.name, variant.name, role, method, url, f"got {status}, expected {outcome}")
                if outcome == REACH:
                    failures.check(reached(response) and (method != "GET" or status == 200), *context)
                    wrote = wrote or method != "GET"
                else:
                    allowed = (404,) if outcome == HIDDEN else (400, 403, 404)
                    failures.check(status in allowed, *context)
                    refused.append(method)
            if refused and not wrote:  # refused (or only read): nothing may have changed
                changed = written(before)
                failures.check(not changed, found.name, variant.name, role, refused, url, "wrote to", changed)
    assert not failures, "\n".join(failures)


# --- the matrix of lists -----------------------------------------------------------------------------------------

# What each role's lists may show (people and organisations by fixture name).
SEES_PEOPLE = {
    "district": {"a1", "a2", "b1", "c1", "d1"},
    "committee_admin": {"a1", "a2", "b1"},
    "secretary_a": {"a1", "a2"},
    "secretary_b": {"b1"},
    "member": {"a2"},
}
SEES_ORGS = {
    "district": {"root", "committee1", "committee2", "branch_a", "branch_b", "branch_c", "branch_d"},
    "committee_admin": {"committee1", "branch_a", "branch_b"},
    "secretary_a": {"branch_a"},
    "secretary_b": {"branch_b"},
    "member": set(),
}
ALL_PEOPLE = {"a1", "a2", "b1", "c1", "d1"}
BRANCHES = {"branch_a", "branch_b", "branch_c", "branch_d"}
# API lists checked row by row: rows are people, or organisations.
PERSON_LISTS = {"person-list"}
ORG_LISTS = {"org-list"}


def hidden_marks(tree, role: str) -> list[str]:
    """Names and ID numbers a list shown to ``role`` must not contain."""
    marks = []
    for key in sorted(ALL_PEOPLE - SEES_PEOPLE[role]):
        person = getattr(tree.people, key)
        marks += [person.name, person.id_number, person.masked_id_number]
    own_branch = {"member": {"branch_a"}}.get(role, set())
    marks += [getattr(tree, key).name for key in sorted(BRANCHES - SEES_ORGS[role] - own_branch)]
    if role != "district":
        marks.append(tree.committee2.name)
    return marks


def list_failures(found, role, response, tree) -> list[str]:
    """What a list shows ``role`` that it should not, or (API) rows that are not exactly the expected ones."""
    problems = []
    body = body_text(response)
    leaked = [mark for mark in hidden_marks(tree, role) if mark in body]
    if leaked:
        problems.append(f"shows {leaked}")
    if found.name in PERSON_LISTS | ORG_LISTS and response.status_code == 200:
        keys = SEES_PEOPLE[role] if found.name in PERSON_LISTS else SEES_ORGS[role]
        pool = tree.people if found.name in PERSON_LISTS else tree
        ids = {getattr(pool, key).pk for key in keys}
        got = {row["id"] for row in response.json()["results"]} - {tree.party_branch.pk}
        if not (got <= ids if role == "member" else got == ids):  # the member: themself, or nothing
            problems.append(f"rows {sorted(got)}, expected {sorted(ids)}")
    return problems


@pytest.mark.parametrize("found", list(collection_cases()))
def test_collection_route(tree, users, api_for, found):
    route = ROUTES[found.name]
    url = url_for(found, tree)
    before = database_state()
    failures = Failures()
    for role in ROLES:
        with rolled_back():
            client = client_as(getattr(users, role), route, api_for)
            district_only = found.name in DISTRICT_ONLY_LISTS and role != "district"
            if "GET" in route.methods:
                response = client.get(url, follow=not route.api)
                status = response.status_code
                context = (found.name, role, "GET", url, f"got {status}")
                if district_only:
                    failures.check(status == 404, *context, "expected 404")
                elif role == "member":
                    failures.check(status in (200, 404), *context, "expected 200 or 404")
                else:
                    failures.check(status == 200, *context, "expected 200")
                problems = list_failures(found, role, response, tree)
                failures.check(not problems, *context, *problems)
            for method in route.methods:
                if method == "GET":
                    continue
                # The payloads write into branch A (or committee 1): reached by those who may change it there.
                may = role in AREA_ROLES[BRANCH_A] and not district_only and found.name not in NEEDS_A_HANDOUT
                may = may or (found.name in PAYLOAD_ALSO_IN_BRANCH_B and role in AREA_ROLES[BRANCH_B])
                may = may or (found.name in MEMBER_POSTS and role == "member")
                response = send(client, method, url, route, tree)
                status = response.status_code
                context = (found.name, role, method, url, f"got {status}")
                if may:
                    failures.check(reached(response), *context, "expected to reach the handler")
                else:
                    refused = status in (400, 403, 404) or (not route.api and status in (200, 302))
                    failures.check(refused, *context, "expected a refusal")
                    if not (route.post_redirects and status == 302):  # the upload keeps the file, writes no row
                        changed = written(before)
                        failures.check(not changed, *context, "wrote to", changed)
    assert not failures, "\n".join(failures)


# --- the matrix is complete ---------------------------------------------------------------------------------------


def test_every_route_is_in_the_matrix():
    """Every table entry is classified: its target kind has an area (or an owner) and its name is known."""
    kinds = {ROUTES[f.name].target or "" for f in OBJECT_ROUTES}
    unknown = sorted(kinds - set(OWNER_OF_TARGET) - {"org"} - BRANCH_A_KINDS)
    assert not unknown, f"target kinds {unknown}: say in {__name__} which area they lie in and who reaches them"
    named = MANAGE_ROUTES | COMMITTEE_STEPS | DISTRICT_ONLY_LISTS | {name for name, _method in SELF_SERVICE}
    named |= set(ONLY) | PAYLOAD_ALSO_IN_BRANCH_B | NEEDS_A_HANDOUT | MEMBER_POSTS
    named |= {name for name, _method in BRANCH_READERS}
    assert named <= set(ROUTES), f"stale names: {sorted(named - set(ROUTES))}"


def test_every_object_kind_has_a_branch_b_twin():
    """Each target kind of the table has its mirror case: a twin in branch B (or a reason it has none)."""
    missing = missing_twins(ROUTES)
    assert not missing, missing_twins_message(missing)
    kinds = {route.target for route in ROUTES.values() if route.target}
    stale = sorted((set(MIRRORS) | set(NO_MIRROR)) - kinds)
    assert not stale, f"MIRRORS or NO_MIRROR name target kinds no route of ROUTES has: {stale}"


def test_a_new_kind_without_a_twin_is_named():
    """The check above is not vacuous: a route with a new kind of target and no twin is found and named."""
    routes = {**ROUTES, "badges:detail": Route("badge"), "badge-detail": Route("badge", api=True)}
    assert missing_twins(routes) == ["badge"]
    message = missing_twins_message(["badge"])
    assert "['badge']" in message and "MIRRORS" in message and "branch B" in message


def _schema_operations() -> list[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method.upper()) for path, item in schema["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete")]  # fmt: skip


def test_every_operation_of_the_openapi_schema_is_in_the_matrix():
    """The schema is the API's second description: each documented operation must be a route of the table
    with that method, so the matrix and the walk cover it."""
    missing = []
    for path, method in _schema_operations():
        concrete = path.replace("{id}", "1").replace("{key}", "k").replace("{month}", "2025-01")
        try:
            match = resolve(concrete)
        except Resolver404:
            missing.append(f"{method} {path}: no URL pattern")
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)
        if name in PUBLIC:
            continue
        route = ROUTES.get(name)
        if route is None or not route.api or method not in route.methods:
            missing.append(f"{method} {path} ({name})")
        figures.add("OpenAPI operations matched to the matrix")
    assert not missing, f"operations the scope matrix does not know: {missing}"


def test_the_schema_documents_every_api_route():
    """And the other way round: every API route of the table is in the schema (none hidden from it)."""
    documented = set()
    for path, method in _schema_operations():
        concrete = path.replace("{id}", "1")
        match = resolve(concrete)
        documented.add((match.url_name, method))
    for name, route in ROUTES.items():
        if not route.api or name == "api-root":
            continue
        for method in route.methods:
            assert (name, method) in documented, f"{method} {name} is not in the OpenAPI schema"


# --- the self column: nobody takes a step of her own case (four eyes, issue 12) --------------------------------
#
# For each workflow step route (pages and API), the record is brought to the state the step leaves from, about a
# person who is herself a role holder with the step's role (``selves``: a secretary of branch A, or an admin of
# committee 1, linked to the record's person). The same request by the fixture's holder of that role
# (secretary_a or committee_admin) is the control: it must write, so the case is real. The subject's request must
# be refused with nothing written, except for the steps a person may take on her own case (``self_service``:
# withdraw, ask for closing, submit her branch's review …), where she gets exactly what the control got.

SECRETARY, COMMITTEE = "secretary", "committee"
TODAY = "today"


def _link(user, person) -> None:
    """Make ``person`` the user's own record (a person has one user: whoever had her lets go)."""
    from tongxin.accounts.models import User

    User.objects.filter(person=person).exclude(pk=user.pk).update(person=None)
    user.person = person
    user.save(update_fields=["person"])


def _pending_out(tree, users):
    """a1 asks to move from branch A to committee 1: waiting for the sending side's approval."""
    from tongxin.lifecycle.models import TransferReason, TransferSide
    from tongxin.lifecycle.services.transfers import start_transfer

    transfer = start_transfer(None, person=tree.people.a1, to_org=tree.committee1, side=TransferSide.MEMBER,
                              reason=TransferReason.OTHER)  # fmt: skip
    return transfer.pk, tree.people.a1


def _pending_in(tree, users):
    """a1's transfer approved out by branch A: waiting for committee 1 to accept (and assign branch B)."""
    return walk._transfer_of_a1(tree).pk, tree.people.a1


def _recommendation(status: str):
    """a1's party recommendation brought to ``status`` by the system (the rights are not what is tested)."""

    def make(tree, users):
        from django.utils import timezone

        from tongxin.core.testing import advance
        from tongxin.lifecycle.models import RecommendationStatus
        from tongxin.lifecycle.services import recommendation as services

        today = timezone.localdate()
        steps = [
            (RecommendationStatus.VOTED, lambda r: services.record_vote(None, r, on=today, voters_expected=5,
                                                                         votes_for=5, votes_against=0)),
            (RecommendationStatus.APPROVED, lambda r: services.approve(None, r, on=today)),
            (RecommendationStatus.HANDED_OVER, lambda r: services.hand_over(None, r, on=today)),
        ]  # fmt: skip
        return advance(walk._recommendation_of_a1(tree), steps, status, "status").pk, tree.people.a1

    return make


def _review(status: str, a1_grade: str = "qualified"):
    """Branch A's review (a1 graded ``a1_grade``, a2 qualified) brought to ``status`` by the system."""

    def make(tree, users):
        from django.utils import timezone

        from tongxin.core.testing import advance
        from tongxin.lifecycle.models import ReviewStatus
        from tongxin.lifecycle.services import review as services

        review = walk._review_of_branch_a(tree)
        if status == "draft":
            return review.pk, tree.people.a1
        services.grade(None, review, {tree.people.a1.pk: a1_grade, tree.people.a2.pk: "qualified"})
        if status == "graded":
            return review.pk, tree.people.a1
        today = timezone.localdate()
        steps = [
            (ReviewStatus.SUBMITTED, lambda r: services.submit(None, r, meeting_on=today, members_present=2)),
            (ReviewStatus.APPROVED, lambda r: services.approve(None, r)),
        ]
        return advance(review, steps, status, "status").pk, tree.people.a1

    return make


def _lapse_case(tree, users):
    """a1 (on the lapse list) proposed for lapse by branch A: waiting for committee 1's decision."""
    return walk._lapse_case_of_a1(tree).pk, tree.people.a1


def _approved_recruitment(tree, users):
    """An applicant approved by committee 1: from now on she has a person record (the oath is left)."""
    from tongxin.lifecycle.models import RecruitmentStage
    from tongxin.lifecycle.tests.recruitment_helpers import to_stage

    recruitment = to_stage(tree, users, RecruitmentStage.APPROVED)
    return recruitment.pk, recruitment.person


def _checklist_item(status: str):
    """A project item of branch A owned by a1, brought to ``status`` by the system."""

    def make(tree, users):
        import datetime

        from tongxin.orglife.services.checklists import add_item, request_closing

        item = add_item(None, organization=tree.branch_a, kind="project", content="甲支部项目", owner=tree.people.a1,
                        deadline=datetime.date(2025, 1, 1))  # fmt: skip
        if status == "awaiting":
            item = request_closing(None, item)
        return item.pk, tree.people.a1

    return make


def _person_honour(status: str = "valid"):
    """Person a1's honour (优秀团员), under review when ``status`` says so: the committee reviews or revokes it."""

    def make(tree, users):
        from tongxin.venues.services import award_honour, review_honour

        honour = award_honour(None, person=tree.people.a1, kind="outstanding_member", level="district", year=2024,
                              awarding_body="团区委")  # fmt: skip
        if status == "under_review":
            honour = review_honour(None, honour)
        return honour.pk, tree.people.a1

    return make


def _registration(confirmed: bool, hours: str = ""):
    """a1's registration for branch A's activity, awaiting confirmation or confirmed (with supplementary ``hours``),
    by the system."""

    def make(tree, users):
        from tongxin.activities.services import confirm, set_supplementary_hours

        registration = walk._registration_of_a1(tree)
        if confirmed:
            registration = confirm(None, registration)
        if hours:
            registration = set_supplementary_hours(None, registration, hours, "补录")
        return registration.pk, tree.people.a1

    return make


def _fulfilled_wish(tree, users):
    """Branch A's wish published, claimed and fulfilled by a1 (the system acting for her)."""
    from tongxin.activities.models import Wish
    from tongxin.activities.services import screen_wish

    wish = screen_wish(None, walk._wish_of_branch_a(tree), publish=True)
    Wish.objects.filter(pk=wish.pk).update(status="fulfilled", claimed_by=tree.people.a1, fulfilment="陪同就医")
    return wish.pk, tree.people.a1


def _hours_correction(tree, users):
    """a1's request to correct his hours, awaiting the organiser's decision."""
    return walk._hours_correction_of_a1(tree).pk, tree.people.a1


def _point_claim(tree, users):
    return walk._point_claim_of_a1(tree).pk, tree.people.a1


def _point_objection(tree, users):
    return walk._point_objection_of_a1(tree).pk, tree.people.a1


def _study_note(status: str):
    """a1's study note, brought to ``status`` by the system."""

    def make(tree, users):
        from tongxin.study import services as study

        note = walk._study_note_of_a1(tree)
        if status == "featured":
            note = study.feature_note(None, note)
        if status == "hidden":
            note = study.hide_note(None, note, reason="含有他人手机号")
        return note.pk, tree.people.a1

    return make


def _dues_payment(tree, users):
    return walk._dues_payment_of_a1(tree).pk, tree.people.a1


def _community_report(status: str):
    """a1's report to branch A (his community), submitted, or sent back by the system to be completed."""

    def make(tree, users):
        from tongxin.community.services import send_back_report

        report = walk._community_report_of_a1(tree)
        if status == "returned":
            report = send_back_report(None, report, reason="请补充服务人数")
        return report.pk, tree.people.a1

    return make


@dataclass(frozen=True)
class SelfCase:
    make: Callable[[Any, Any], tuple[int, Any]]  # (tree, users) -> (the record's pk, the person it is about)
    role: str  # whose step it is: the branch's secretary, or the committee above
    self_service: bool = False  # a step a person may take on her own case
    payload: Callable[[Any], dict[str, Any]] | None = None  # (tree) -> the body, instead of the route's payload


def _deferral(tree) -> dict[str, Any]:
    """Defer a1 (graded unqualified) by four months."""
    import datetime

    from django.utils import timezone

    from tongxin.lifecycle.models import ReviewEntry

    entry = ReviewEntry.objects.get(person=tree.people.a1)
    return {"entry": entry.pk, "until": (timezone.localdate() + datetime.timedelta(days=122)).isoformat()}


def _send_case(client, method: str, url: str, route: Route, tree, case: SelfCase):
    if case.payload is None:
        return send(client, method, url, route, tree)
    data = case.payload(tree)
    if route.api:
        return client.generic(method, url, data=json.dumps(data), content_type="application/json")
    return client.post(url, data)


SELF_CASES: dict[str, SelfCase] = {
    # transfers
    "lifecycle:transfer_approve": SelfCase(_pending_out, SECRETARY),
    "transfer-approve-out": SelfCase(_pending_out, SECRETARY),
    "lifecycle:transfer_reject": SelfCase(_pending_out, SECRETARY),
    "transfer-reject": SelfCase(_pending_out, SECRETARY),
    "lifecycle:transfer_accept": SelfCase(_pending_in, COMMITTEE),
    "transfer-accept-in": SelfCase(_pending_in, COMMITTEE),
    "lifecycle:transfer_cancel": SelfCase(_pending_out, SECRETARY, self_service=True),
    "transfer-cancel": SelfCase(_pending_out, SECRETARY, self_service=True),
    # party recommendation
    "lifecycle:recommendation_act": SelfCase(_recommendation("proposed"), SECRETARY),  # the ballot
    "recommendation-record-vote": SelfCase(_recommendation("proposed"), SECRETARY),
    "recommendation-approve": SelfCase(_recommendation("voted"), COMMITTEE),
    "recommendation-hand-over": SelfCase(_recommendation("approved"), COMMITTEE),
    "recommendation-record-outcome": SelfCase(_recommendation("handed_over"), COMMITTEE),
    "lifecycle:recommendation_withdraw": SelfCase(_recommendation("proposed"), SECRETARY, self_service=True),
    "recommendation-withdraw": SelfCase(_recommendation("proposed"), SECRETARY, self_service=True),
    # lapse (自行脱团): nobody decides on his own lapse
    "lifecycle:lapse_approve": SelfCase(_lapse_case, COMMITTEE),
    "lapse-case-approve": SelfCase(_lapse_case, COMMITTEE),
    "lifecycle:lapse_reject": SelfCase(_lapse_case, COMMITTEE),
    "lapse-case-reject": SelfCase(_lapse_case, COMMITTEE),
    # recruitment: the applicant is a person from the approval on
    "recruitment-record-oath": SelfCase(_approved_recruitment, SECRETARY),
    # annual review: grading one's own entry, the committee's approval of a review one is graded in
    "lifecycle:review_grade": SelfCase(_review("draft"), SECRETARY),
    "review-grade": SelfCase(_review("draft"), SECRETARY),
    "lifecycle:review_approve": SelfCase(_review("submitted"), COMMITTEE),
    "review-approve": SelfCase(_review("submitted"), COMMITTEE),
    "lifecycle:review_return": SelfCase(_review("submitted"), COMMITTEE),
    "review-return-for-changes": SelfCase(_review("submitted"), COMMITTEE),
    "lifecycle:review_submit": SelfCase(_review("graded"), SECRETARY, self_service=True),
    "review-submit": SelfCase(_review("graded"), SECRETARY, self_service=True),
    "lifecycle:review_register": SelfCase(_review("approved"), SECRETARY, self_service=True),
    "review-register": SelfCase(_review("approved"), SECRETARY, self_service=True),
    "lifecycle:review_defer": SelfCase(_review("approved", "unqualified"), SECRETARY, True, _deferral),
    "review-defer": SelfCase(_review("approved", "unqualified"), SECRETARY, True, _deferral),
    # checklist items: the owner works on hers and asks for closing; someone else verifies or reopens
    "checklist-item-verify": SelfCase(_checklist_item("awaiting"), SECRETARY),
    "checklist-item-reopen": SelfCase(_checklist_item("awaiting"), SECRETARY),
    "orglife:checklist_act": SelfCase(_checklist_item("open"), SECRETARY, self_service=True),  # request closing
    "checklist-item-request-closing": SelfCase(_checklist_item("open"), SECRETARY, self_service=True),
    "orglife:checklist_note": SelfCase(_checklist_item("open"), SECRETARY, self_service=True),
    "checklist-item-note": SelfCase(_checklist_item("open"), SECRETARY, self_service=True),
    # activities: the organiser confirms, declines or adds hours to another's registration; she cancels her own
    "activities:registration_confirm": SelfCase(_registration(False), SECRETARY),
    "registration-confirm": SelfCase(_registration(False), SECRETARY),
    "activities:registration_decline": SelfCase(_registration(False), SECRETARY),
    "registration-decline": SelfCase(_registration(False), SECRETARY),
    "activities:registration_hours": SelfCase(_registration(True), SECRETARY),
    "registration-supplementary-hours": SelfCase(_registration(True), SECRETARY),
    "activities:registration_cancel": SelfCase(_registration(False), SECRETARY, self_service=True),
    # a certificate of one's own hours is issued by someone else
    "activities:registration_certificate": SelfCase(_registration(True, "1.5"), SECRETARY),
    # micro-wishes: the community confirms a fulfilment, never the member who fulfilled it
    "activities:wish_close": SelfCase(_fulfilled_wish, SECRETARY),
    "wish-close": SelfCase(_fulfilled_wish, SECRETARY),
    "registration-cancel": SelfCase(_registration(False), SECRETARY, self_service=True),
    # corrections of hours: an organiser decides a1's request, never a1 himself
    "activities:correction_decide": SelfCase(_hours_correction, SECRETARY),
    "hours-correction-decide": SelfCase(_hours_correction, SECRETARY),
    # dues: removing one's own payment
    "dues-payment-detail": SelfCase(_dues_payment, SECRETARY),
    # honours: nobody reviews, confirms or revokes an honour of her own
    "venues:honour_act": SelfCase(_person_honour(), SECRETARY),  # opens the review
    "honour-review": SelfCase(_person_honour(), SECRETARY),
    "honour-confirm": SelfCase(_person_honour("under_review"), SECRETARY),
    "honour-revoke": SelfCase(_person_honour(), SECRETARY),
    # points: nobody reviews his own claim or answers his own objection; he may withdraw his claim
    "points:claim_review": SelfCase(_point_claim, SECRETARY),
    "points:claim_withdraw": SelfCase(_point_claim, SECRETARY, self_service=True),
    "points:objection_answer": SelfCase(_point_objection, SECRETARY),
    "point-claim-review": SelfCase(_point_claim, SECRETARY),
    "point-claim-withdraw": SelfCase(_point_claim, SECRETARY, self_service=True),
    "point-objection-answer": SelfCase(_point_objection, SECRETARY),
    # community reports: the community acknowledges or sends back a report, never its reporter; he completes it
    "community:report_acknowledge": SelfCase(_community_report("submitted"), SECRETARY),
    "service-report-acknowledge": SelfCase(_community_report("submitted"), SECRETARY),
    "community:report_send_back": SelfCase(_community_report("submitted"), SECRETARY),
    "service-report-send-back": SelfCase(_community_report("submitted"), SECRETARY),
    "community:report_resubmit": SelfCase(_community_report("returned"), SECRETARY, self_service=True),
    "service-report-resubmit": SelfCase(_community_report("returned"), SECRETARY, self_service=True),
    # study notes: nobody features or hides her own note
    "study:note_feature": SelfCase(_study_note("shown"), SECRETARY),
    "study-note-feature": SelfCase(_study_note("shown"), SECRETARY),
    "study:note_unfeature": SelfCase(_study_note("featured"), SECRETARY),
    "study-note-unfeature": SelfCase(_study_note("featured"), SECRETARY),
    "study:note_hide": SelfCase(_study_note("shown"), SECRETARY),
    "study-note-hide": SelfCase(_study_note("shown"), SECRETARY),
    "study:note_restore": SelfCase(_study_note("hidden"), SECRETARY),
    "study-note-restore": SelfCase(_study_note("hidden"), SECRETARY),
}
# Step routes of workflows with no self column, and why.
NO_SELF = {
    **{
        name: "before the approval an applicant has no person record, so no user can be her"
        for name in (
            "lifecycle:recruitment_act", "lifecycle:recruitment_withdraw", "recruitment-name-activist",
            "recruitment-record-training", "recruitment-choose-candidate", "recruitment-precheck",
            "recruitment-record-vote", "recruitment-approve", "recruitment-withdraw",
        )
    },
    **{
        name: "a meeting is about an organisation, not a person (its Workflow declares no subject)"
        for name in ("orglife:meeting_record", "orglife:meeting_cancel", "orglife:meeting_upload", "meeting-record")
    },
    **{
        name: "before a claim a wish is about no member (its resident has no record)"
        for name in ("activities:wish_screen", "wish-screen")
    },
    **{
        name: "a member claims a published wish for herself: before it the wish is about no member"
        for name in ("activities:wish_claim", "wish-claim")
    },
    **{
        name: "only the member who claimed the wish records its fulfilment: no one else's step"
        for name in ("activities:wish_fulfil", "wish-fulfil")
    },
    **{
        name: "only the volunteer himself asks for a correction of his hours (the service refuses anyone else): no "
        "one else's step to take on his case"
        for name in ("activities:correction_request", "registration-request-correction")
    },
    **{
        name: "a branch's points month is the branch's (its Workflow declares no subject); its claims have the column"
        for name in ("point-month-publish", "point-month-reopen", "point-month-confirm")
    },
    **{
        name: "a comment is anyone's word on a note he reads, not a decision about its author"
        for name in ("study:note_comment", "study-note-comment")
    },
    **{
        name: "only its author deletes a note: no one else's step to refuse him"
        for name in ("study:note_delete", "study-note-delete-note")
    },
}  # fmt: skip
# The target kinds whose records are workflow steps (or decisions) about people.
STEP_KINDS = {"transfer", "recruitment", "recommendation", "review", "checklist_item", "meeting", "dues_payment",
              "lapse_case", "honour", "registration", "wish", "point_claim", "point_cycle", "point_objection",
              "community_report", "study_note", "hours_correction"}  # fmt: skip


def step_routes() -> list[str]:
    return sorted(
        name
        for name, route in ROUTES.items()
        if route.target in STEP_KINDS and set(route.methods) - {"GET"} and "format" not in name
    )


def test_every_step_route_has_a_self_case():
    """The self column is complete: each step route is a case, or says why it has none."""
    missing = [name for name in step_routes() if name not in SELF_CASES and name not in NO_SELF]
    assert not missing, f"step routes without a self case: add them to SELF_CASES or NO_SELF: {missing}"
    stale = sorted((set(SELF_CASES) | set(NO_SELF)) - set(step_routes()))
    assert not stale, f"SELF_CASES or NO_SELF name routes that are not step routes: {stale}"


@pytest.mark.parametrize("name", sorted(SELF_CASES))
def test_self_column(tree, users, selves, api_for, name):
    """The step's own subject is refused, nothing written; another holder of the same role takes it."""
    route = ROUTES[name]
    case = SELF_CASES[name]
    pk, subject = case.make(tree, users)
    actor = selves.secretary if case.role == SECRETARY else selves.committee_admin
    _link(actor, subject)
    control = users.secretary_a if case.role == SECRETARY else users.committee_admin
    url = reverse(name, kwargs={"pk": pk})
    method = next(m for m in route.methods if m != "GET")
    before = database_state()
    with rolled_back():
        answer = _send_case(client_as(control, route, api_for), method, url, route, tree, case)
        control_wrote = written(before)
    assert control_wrote, (
        f"{name}: the control ({control}) got {answer.status_code} and wrote nothing: the case does not reach "
        "the step, so its refusal below would prove nothing"
    )
    with rolled_back():
        response = _send_case(client_as(actor, route, api_for), method, url, route, tree, case)
        wrote = written(before)
    figures.add("self-column steps checked")
    if case.self_service:
        assert (response.status_code, bool(wrote)) == (answer.status_code, bool(control_wrote)), (
            f"{name}: a step of her own case she may take: got {response.status_code} writing {wrote}, the "
            f"control got {answer.status_code} writing {control_wrote}"
        )
    else:
        assert not wrote, f"{name}: the subject's own step wrote to {wrote}"
        assert response.status_code in ((400, 403) if route.api else (200, 302, 400, 403)), response.status_code
