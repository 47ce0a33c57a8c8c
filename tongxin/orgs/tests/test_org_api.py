"""/api/orgs/: paginated, scoped to the caller, writes through the services with field errors."""

from __future__ import annotations

import pytest

from tongxin.core.models import ChangeLog
from tongxin.orgs.models import Organization, OrgKind, OrgStats
from tongxin.orgs.services import create_organization

URL = "/api/orgs/"


def _create_branch(api, parent, name: str, code: str):
    """POST a new branch under ``parent`` through the API."""
    return api.post(URL, {"parent": parent.pk, "kind": "branch", "name": name, "code": code}, format="json")


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_list_is_paginated_with_a_count(tree, users, api_for):
    for i in range(55):
        create_organization(None, parent=tree.committee2, kind=OrgKind.BRANCH, name=f"加支部{i:02d}", code=f"P{i:02d}")
    api = api_for(users.district)

    first = api.get(URL)

    assert first.status_code == 200
    body = first.json()
    assert body["count"] == 8 + 55
    assert len(body["results"]) == 50
    assert body["previous"] is None and body["next"]
    second = api.get(body["next"])
    assert second.status_code == 200
    assert len(second.json()["results"]) == 13
    assert second.json()["next"] is None
    assert ids(first).isdisjoint(ids(second))
    assert len(ids(first) | ids(second)) == 63


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("district", {"root", "committee1", "committee2", "branch_a", "branch_b", "branch_c", "branch_d",
                      "party_branch"}),
        ("committee_admin", {"committee1", "branch_a", "branch_b"}),
        ("viewer", {"committee1", "branch_a", "branch_b"}),
        ("secretary_a", {"branch_a"}),
        ("outsider", {"committee2", "branch_c", "branch_d"}),
        ("member", set()),
        ("nobody", set()),
    ],
)  # fmt: skip
def test_list_is_scoped(tree, users, api_for, user, expected):
    response = api_for(getattr(users, user)).get(URL)
    assert response.status_code == 200
    assert ids(response) == {getattr(tree, name).pk for name in expected}
    assert response.json()["count"] == len(expected)


def test_list_rows_carry_the_rollups(tree, users, api_for):
    rows = {row["id"]: row for row in api_for(users.committee_admin).get(URL).json()["results"]}
    c1 = rows[tree.committee1.pk]
    assert (c1["members_direct"], c1["members_total"], c1["children_count"]) == (0, 3, 2)
    assert c1["path"] == tree.committee1.path and c1["parent"] == tree.root.pk
    assert rows[tree.branch_a.pk]["members_direct"] == 2


def test_org_filter_gives_that_subtree(tree, users, api_for):
    api = api_for(users.district)
    assert ids(api.get(URL, {"org": tree.committee1.pk})) == {tree.committee1.pk, tree.branch_a.pk, tree.branch_b.pk}
    assert ids(api.get(URL, {"org": tree.branch_c.pk})) == {tree.branch_c.pk}
    assert ids(api.get(URL, {"org": 987654})) == set()


def test_org_filter_cannot_widen_the_scope(tree, users, api_for):
    api = api_for(users.committee_admin)
    assert ids(api.get(URL, {"org": tree.committee2.pk})) == set()
    assert ids(api.get(URL, {"org": tree.root.pk})) == {tree.committee1.pk, tree.branch_a.pk, tree.branch_b.pk}


def test_detail_in_scope_and_out_of_scope(tree, users, api_for):
    api = api_for(users.committee_admin)
    inside = api.get(f"{URL}{tree.branch_a.pk}/")
    assert inside.status_code == 200
    assert inside.json()["name"] == tree.branch_a.name
    for org in (tree.committee2, tree.branch_c, tree.root):
        assert api.get(f"{URL}{org.pk}/").status_code == 404
    assert api.get(f"{URL}99999999/").status_code == 404


def test_create_under_a_branch_is_a_field_error(tree, users, api_for, row_counts):
    before = row_counts()
    response = _create_branch(api_for(users.committee_admin), tree.branch_a, "支部下支部", "N1")
    assert response.status_code == 400
    assert list(response.json()) == ["parent"]
    assert row_counts() == before


def test_create_with_a_taken_code_names_the_holder(tree, users, api_for, row_counts):
    before = row_counts()
    response = _create_branch(api_for(users.committee_admin), tree.committee1, "新支部", "T1B")
    assert response.status_code == 400
    assert tree.branch_b.name in response.json()["code"][0]
    assert row_counts() == before


def test_create_in_scope(tree, users, api_for):
    response = _create_branch(api_for(users.committee_admin), tree.committee1, "新建团支部", "N2")
    assert response.status_code == 201, response.content
    org = Organization.objects.get(code="N2")
    assert response.json()["id"] == org.pk
    assert org.path.startswith(tree.committee1.path) and org.depth == 2
    assert OrgStats.objects.get(pk=tree.committee1.pk).children_count == 3
    entry = ChangeLog.objects.get(object_id=str(org.pk), action=ChangeLog.Action.CREATE)
    assert entry.actor == users.committee_admin


def test_create_under_an_out_of_scope_parent_is_refused(tree, users, api_for, row_counts):
    before = row_counts()
    response = _create_branch(api_for(users.outsider), tree.committee1, "越权支部", "N3")
    assert response.status_code == 400
    assert "parent" in response.json()
    assert row_counts() == before


def test_create_without_manage_rights_is_forbidden(tree, users, api_for, row_counts):
    before = row_counts()
    response = _create_branch(api_for(users.secretary_a), tree.branch_a, "越权", "N4")
    assert response.status_code == 403
    response = _create_branch(api_for(users.viewer), tree.committee1, "越权", "N4")
    assert response.status_code == 403
    assert row_counts() == before


def test_create_without_a_parent_is_refused_not_a_server_error(tree, users, api_for, row_counts):
    before = row_counts()
    response = api_for(users.district).post(URL, {"kind": "committee", "name": "无上级", "code": "N5"}, format="json")
    assert response.status_code == 403
    assert row_counts() == before


def test_update_and_move_through_the_api(tree, users, api_for):
    api = api_for(users.district)
    response = api.patch(f"{URL}{tree.branch_a.pk}/", {"name": "甲团支部（改）", "parent": tree.committee2.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "甲团支部（改）"
    assert body["path"].startswith(tree.committee2.path)
    assert OrgStats.objects.get(pk=tree.committee2.pk).members_total == 4


def test_update_needs_manage_rights(tree, users, api_for):
    response = api_for(users.secretary_a).patch(f"{URL}{tree.branch_a.pk}/", {"name": "改名"})
    assert response.status_code == 403
    tree.branch_a.refresh_from_db()
    assert tree.branch_a.name == "甲团支部"


def test_moving_outside_the_callers_scope_is_refused(tree, users, api_for):
    response = api_for(users.committee_admin).patch(f"{URL}{tree.branch_a.pk}/", {"parent": tree.committee2.pk})
    assert response.status_code == 400
    assert "parent" in response.json()
    tree.branch_a.refresh_from_db()
    assert tree.branch_a.parent_id == tree.committee1.pk


def test_anonymous_is_refused(tree, api_for):
    assert api_for(None).get(URL).status_code == 401
