"""A taken code is refused without naming an organisation the user may not see."""

import pytest

from tongxin.orgs.models import Organization

pytestmark = pytest.mark.usefixtures("english")


def _create_branch_with_code(api, tree, code: str):
    """POST a new branch 新团支部 under committee 1 with ``code``."""
    return api.post(
        "/api/orgs/", {"parent": tree.committee1.pk, "kind": "branch", "name": "新团支部", "code": code}, format="json"
    )


def test_a_code_taken_outside_the_scope_is_refused_without_the_holders_name(tree, users, api_for):
    response = _create_branch_with_code(api_for(users.committee_admin), tree, tree.branch_c.code)
    assert response.status_code == 400
    message = " ".join(response.json()["code"])
    assert "already used by another organisation" in message
    assert tree.branch_c.name not in message
    assert not Organization.objects.filter(name="新团支部").exists()


def test_a_code_taken_inside_the_scope_names_the_holder(tree, users, api_for):
    response = _create_branch_with_code(api_for(users.committee_admin), tree, tree.branch_b.code)
    assert response.status_code == 400
    assert tree.branch_b.name in " ".join(response.json()["code"])


def test_an_organisation_outside_the_scope_is_answered_like_a_missing_one(tree, users, api_for):
    api = api_for(users.committee_admin)
    outside = api.post("/api/orgs/", {"parent": tree.committee2.pk, "kind": "branch", "name": "x", "code": "X1"})
    missing = api.post("/api/orgs/", {"parent": 987654, "kind": "branch", "name": "x", "code": "X2"})
    assert outside.status_code == missing.status_code == 400
    assert outside.json()["parent"] == missing.json()["parent"]
