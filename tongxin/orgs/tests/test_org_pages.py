"""Organisation pages: the tree starts at the user's own organisations; edits go through the services."""

from __future__ import annotations

from tongxin.orgs.models import Organization, OrgKind, OrgStatus


def test_tree_page_starts_at_the_users_own_organisations(tree, users, client_for):
    body = client_for(users.secretary_a).get("/orgs/").content.decode()
    assert tree.branch_a.name in body
    assert tree.committee1.name not in body and tree.root.name not in body
    body = client_for(users.district).get("/orgs/").content.decode()
    assert tree.root.name in body


def test_tree_page_without_a_role_is_404(tree, users, client_for):
    assert client_for(users.member).get("/orgs/").status_code == 404
    assert client_for(users.nobody).get("/orgs/").status_code == 404


def test_children_fragment_lists_active_children(tree, users, client_for):
    body = client_for(users.district).get(f"/orgs/{tree.root.pk}/children/").content.decode()
    for child in (tree.committee1, tree.committee2, tree.party_branch):
        assert child.name in body
    assert tree.branch_a.name not in body  # a grandchild loads when its parent opens


def test_organisation_page_shows_rollups_and_breadcrumbs_within_scope(tree, users, client_for):
    response = client_for(users.committee_admin).get(f"/orgs/{tree.committee1.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="members-total">3<' in body
    assert 'data-testid="members-direct">0<' in body
    assert tree.branch_a.name in body and tree.branch_b.name in body
    assert tree.root.name not in body  # the district is above this admin's scope
    assert f"/orgs/{tree.committee1.pk}/edit/" in body


def test_a_secretary_sees_no_edit_link_and_cannot_edit(tree, users, client_for):
    client = client_for(users.secretary_a)
    body = client.get(f"/orgs/{tree.branch_a.pk}/").content.decode()
    assert f"/orgs/{tree.branch_a.pk}/edit/" not in body
    assert client.get(f"/orgs/{tree.branch_a.pk}/edit/").status_code == 403
    response = client.post(f"/orgs/{tree.branch_a.pk}/edit/", {"kind": "branch", "name": "改名", "code": "T1A"})
    assert response.status_code == 403
    assert Organization.objects.get(pk=tree.branch_a.pk).name == "甲团支部"


def form_data(org: Organization, **changes) -> dict:
    data = {
        "kind": org.kind, "name": org.name, "short_name": org.short_name, "code": org.code,
        "category": org.category, "level": org.level, "division_code": org.division_code,
        "status": org.status, "established": "", "term_start": "", "term_end": "", "dissolved_on": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_editing_through_the_page(tree, users, client_for):
    response = client_for(users.committee_admin).post(
        f"/orgs/{tree.branch_a.pk}/edit/", form_data(tree.branch_a, name="甲团支部（新）")
    )
    assert response.status_code == 302
    assert Organization.objects.get(pk=tree.branch_a.pk).name == "甲团支部（新）"


def test_the_edit_form_shows_the_services_error_on_the_field(tree, users, client_for, row_counts):
    before = row_counts()
    response = client_for(users.committee_admin).post(
        f"/orgs/{tree.branch_a.pk}/edit/", form_data(tree.branch_a, status=OrgStatus.DISSOLVED)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    assert row_counts() == before


def test_creating_a_child_through_the_page(tree, users, client_for):
    client = client_for(users.committee_admin)
    response = client.post(
        f"/orgs/{tree.committee1.pk}/new/",
        {"kind": OrgKind.BRANCH, "name": "丙团支部二", "code": "T1C", "category": "school", "status": "active"},
    )
    assert response.status_code == 302
    org = Organization.objects.get(code="T1C")
    assert response["Location"] == f"/orgs/{org.pk}/"
    assert org.parent_id == tree.committee1.pk


def test_creating_a_child_under_a_branch_shows_an_error_and_writes_nothing(tree, users, client_for, row_counts):
    before = row_counts()
    response = client_for(users.committee_admin).post(
        f"/orgs/{tree.branch_a.pk}/new/",
        {"kind": OrgKind.BRANCH, "name": "支部下支部", "code": "T1X", "category": "other", "status": "active"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()  # "parent" is not a form field: shown above the form
    assert row_counts() == before
