"""Tree pages and the organisation API cost the same number of queries however many children there are."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.accounts.models import Role, RoleAssignment
from tongxin.core.testing import person_data
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization
from tongxin.people.models import CadreTitle
from tongxin.people.services import appoint_cadre, create_person

# Ceilings: the real guard is "small tree == bigger tree"; these catch a constant that balloons. The
# organisation page's 11: session, user, scope, the organisation, its children, its ancestors, the rule admin's
# roots, the menus' own-branch lookup (one for every app's menu), the minors badge, the cadres and, since
# positions landed, its honours (one query however many).
MAX_PAGE_QUERIES = 11
MAX_API_QUERIES = 6


def grow(tree, users, n: int) -> None:
    """Add ``n`` branches under committee 1, each with a member and a secretary; give the viewer each one."""
    codes = iter(range(100, 999))
    for i in range(n):
        kind = OrgKind.GENERAL_BRANCH if i % 3 == 0 else OrgKind.BRANCH
        org = create_organization(
            None, parent=tree.committee1, kind=kind, name=f"增支部{i:02d}", code=f"G{next(codes)}"
        )
        if kind == OrgKind.GENERAL_BRANCH:
            org = create_organization(
                None, parent=org, kind=OrgKind.BRANCH, name=f"下支部{i:02d}", code=f"G{next(codes)}"
            )
        person = create_person(None, person_data(org, name=f"增成员{i:02d}"))
        appoint_cadre(
            None, person=person, organization=org, title=CadreTitle.SECRETARY, start=datetime.date(2024, 1, 1)
        )
        RoleAssignment.objects.create(user=users.viewer, organization=org, role=Role.VIEWER)
    appoint_cadre(
        None, person=tree.people.b1, organization=tree.committee1, title=CadreTitle.SECRETARY,
        start=datetime.date(2024, 1, 1),
    )  # fmt: skip


def count_queries(client, url: str) -> int:
    """The queries of ``url`` as a user moving between pages pays them: with the navbar badge cached (its
    cost is measured in core/tests/test_inbox.py)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def measure(tree, users, client_for, api_for) -> dict[str, int]:
    """Queries of each page for a user whose scope has many top organisations and one with many children."""
    district = client_for(users.district)
    counts = {
        "organisation page": count_queries(district, f"/orgs/{tree.committee1.pk}/"),
        "children fragment": count_queries(district, f"/orgs/{tree.committee1.pk}/children/"),
        "tree page (district)": count_queries(district, "/orgs/"),
        "api list": count_queries(api_for(users.district), "/api/orgs/"),
        "api subtree": count_queries(api_for(users.district), f"/api/orgs/?org={tree.committee1.pk}"),
    }
    # The viewer's scope is committee 1 plus every added branch: normalised to one top, then the tree page.
    counts["tree page (viewer)"] = count_queries(client_for(users.viewer), "/orgs/")
    return counts


@pytest.fixture
def small(tree, users, client_for, api_for):
    grow(tree, users, 2)
    return measure(tree, users, client_for, api_for)


def test_query_counts_do_not_grow_with_children(tree, users, client_for, api_for, small):
    grow_more = 12
    codes_offset = 500
    for i in range(grow_more):
        org = create_organization(
            None, parent=tree.committee1, kind=OrgKind.BRANCH, name=f"大支部{i:02d}", code=f"H{codes_offset + i}"
        )
        person = create_person(None, person_data(org, name=f"大成员{i:02d}"))
        appoint_cadre(None, person=person, organization=org, title=CadreTitle.MEMBER, start=datetime.date(2024, 1, 1))
        appoint_cadre(
            None, person=person, organization=tree.committee1, title=CadreTitle.MEMBER, start=datetime.date(2024, 1, 1)
        )
    big = measure(tree, users, client_for, api_for)
    assert big == small
    for name, n in big.items():
        limit = MAX_API_QUERIES if name.startswith("api") else MAX_PAGE_QUERIES
        assert n <= limit, (name, n)


def test_tree_page_with_many_top_organisations(tree, users, client_for):
    """A secretary of several unrelated branches sees each as a top: still a constant number of queries."""
    user = users.secretary_b
    client = client_for(user)
    few = count_queries(client, "/orgs/")
    for i in range(8):
        org = create_organization(None, parent=tree.committee2, kind=OrgKind.BRANCH, name=f"兼任支部{i}", code=f"J{i}")
        create_person(None, person_data(org))
        RoleAssignment.objects.create(user=user, organization=org, role=Role.SECRETARY)
    many_response = client.get("/orgs/")
    assert "兼任支部7" in many_response.content.decode()
    assert count_queries(client, "/orgs/") == few
