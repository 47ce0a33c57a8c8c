"""The organisation tree refuses shapes the League's rules forbid, names the field, and writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tongxin.core.exceptions import DomainError
from tongxin.core.testing import person_data
from tongxin.orgs.models import Organization, OrgKind, OrgStats, OrgStatus
from tongxin.orgs.services import create_organization, update_organization
from tongxin.people.models import Person
from tongxin.people.services import create_person, update_person


@pytest.fixture
def refused(row_counts, rollups):
    """``refused(call, field)``: ``call`` must raise a DomainError on ``field`` and leave every table as it was."""

    def check(call, field: str) -> DomainError:
        rows, stats = row_counts(), rollups()
        with pytest.raises(DomainError) as caught:
            call()
        assert field in caught.value.errors, caught.value.errors
        assert all(caught.value.errors[field]), "the error on the field carries a message"
        assert row_counts() == rows
        assert rollups() == stats
        return caught.value

    return check


def test_a_person_cannot_be_placed_in_a_committee(tree, users, refused):
    error = refused(
        lambda: create_person(users.committee_admin, person_data(tree.committee1, name="错放委员")), "branch"
    )
    assert tree.committee1.name in error.errors["branch"][0]
    assert not Person.objects.filter(name="错放委员").exists()


def test_a_person_cannot_be_moved_into_a_committee(tree, users, refused):
    person = tree.people.a1
    refused(lambda: update_person(users.committee_admin, person, {"branch": tree.committee1}), "branch")
    person.refresh_from_db()
    assert person.branch_id == tree.branch_a.pk


def test_people_can_be_placed_in_a_party_branch(tree):
    person = create_person(None, person_data(tree.party_branch, political_status="01"))
    assert person.org_path == tree.party_branch.path


def test_a_branch_cannot_get_child_organisations(tree, users, refused):
    for kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE):
        refused(
            lambda kind=kind: create_organization(
                users.committee_admin, parent=tree.branch_a, kind=kind, name="支部下的组织", code="BAD1"
            ),
            "parent",
        )
    assert not Organization.objects.filter(code="BAD1").exists()


def test_a_branch_with_members_cannot_become_a_committee(tree, users, refused):
    refused(lambda: update_organization(users.committee_admin, tree.branch_a, kind=OrgKind.GENERAL_BRANCH), "kind")
    tree.branch_a.refresh_from_db()
    assert tree.branch_a.kind == OrgKind.BRANCH


def test_a_committee_with_children_cannot_become_a_branch(tree, users, refused):
    refused(lambda: update_organization(users.district, tree.committee1, kind=OrgKind.BRANCH), "kind")


@pytest.mark.parametrize("parent_name", ["root", "committee1"])
def test_a_working_committee_sits_under_a_committee_or_local_committee(tree, parent_name):
    parent = getattr(tree, parent_name)
    wc = create_organization(None, parent=parent, kind=OrgKind.WORKING_COMMITTEE, name="园区团工委", code="WC1")
    assert wc.parent_id == parent.pk
    assert wc.path.startswith(parent.path)


def test_a_working_committee_is_refused_elsewhere(tree, users, refused):
    general = create_organization(None, parent=tree.committee1, kind=OrgKind.GENERAL_BRANCH, name="总支", code="G1")
    wc = create_organization(None, parent=tree.root, kind=OrgKind.WORKING_COMMITTEE, name="团工委", code="WC0")
    for parent in (general, wc, tree.party_branch, None):
        refused(
            lambda parent=parent: create_organization(
                None, parent=parent, kind=OrgKind.WORKING_COMMITTEE, name="错放团工委", code="WC2"
            ),
            "parent",
        )


def test_league_committee_cannot_sit_under_a_party_branch_or_general_branch(tree, refused):
    general = create_organization(None, parent=tree.committee1, kind=OrgKind.GENERAL_BRANCH, name="总支", code="G1")
    for parent in (general, tree.party_branch):
        refused(
            lambda parent=parent: create_organization(
                None, parent=parent, kind=OrgKind.COMMITTEE, name="错放团委", code="C9"
            ),
            "parent",
        )


def test_a_duplicate_code_is_refused_naming_the_holder(tree, users, refused):
    error = refused(
        lambda: create_organization(
            users.district, parent=tree.committee2, kind=OrgKind.BRANCH, name="新支部", code=" T1 "
        ),
        "code",
    )
    assert tree.committee1.name in error.errors["code"][0]
    assert "T1" in error.errors["code"][0]


def test_renaming_to_a_taken_code_is_refused_naming_the_holder(tree, users, refused):
    error = refused(lambda: update_organization(users.committee_admin, tree.branch_a, code="T1B"), "code")
    assert tree.branch_b.name in error.errors["code"][0]
    tree.branch_a.refresh_from_db()
    assert tree.branch_a.code == "T1A"


def test_an_organisation_keeps_its_own_code_on_update(tree, users):
    org = update_organization(users.committee_admin, tree.branch_a, code="T1A", name="甲团支部（新）")
    assert (org.code, org.name) == ("T1A", "甲团支部（新）")


def test_name_and_code_are_required(tree, refused):
    refused(
        lambda: create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name="  ", code="X1"), "name"
    )
    refused(
        lambda: create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name="丙", code="  "), "code"
    )


@pytest.mark.parametrize("org_name", ["branch_a", "committee1"])
def test_an_organisation_with_members_cannot_be_dissolved(tree, users, org_name, refused):
    org = getattr(tree, org_name)
    refused(lambda: update_organization(users.district, org, status=OrgStatus.DISSOLVED), "status")
    org.refresh_from_db()
    assert org.status == OrgStatus.ACTIVE


def test_an_organisation_with_active_children_cannot_be_dissolved(tree, users, refused):
    empty = create_organization(None, parent=tree.root, kind=OrgKind.COMMITTEE, name="空团委", code="E0")
    create_organization(None, parent=empty, kind=OrgKind.BRANCH, name="空支部", code="E1")
    refused(lambda: update_organization(users.district, empty, status=OrgStatus.DISSOLVED), "status")


def test_dissolving_an_empty_branch_closes_it_to_new_members(tree, users, refused):
    empty = create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name="空支部", code="E1")
    assert OrgStats.objects.get(pk=tree.committee1.pk).children_count == 3

    update_organization(users.committee_admin, empty, status=OrgStatus.DISSOLVED)

    assert OrgStats.objects.get(pk=tree.committee1.pk).children_count == 2
    refused(lambda: create_person(users.committee_admin, person_data(empty)), "branch")
    refused(lambda: create_organization(None, parent=empty, kind=OrgKind.BRANCH, name="子", code="E2"), "parent")


def test_a_child_cannot_be_reactivated_under_a_dissolved_parent(tree, users, refused):
    committee = create_organization(None, parent=tree.root, kind=OrgKind.COMMITTEE, name="临时团委", code="K0")
    branch = create_organization(None, parent=committee, kind=OrgKind.BRANCH, name="临时支部", code="K1")
    update_organization(users.district, branch, status=OrgStatus.DISSOLVED)
    update_organization(users.district, committee, status=OrgStatus.DISSOLVED)
    refused(lambda: update_organization(users.district, branch, status=OrgStatus.ACTIVE), "status")


def test_only_a_manager_of_the_parent_may_create_children(tree, users, row_counts):
    before = row_counts()
    for user in (users.secretary_a, users.viewer, users.outsider, users.member, users.nobody):
        with pytest.raises(PermissionDenied):
            create_organization(user, parent=tree.committee1, kind=OrgKind.BRANCH, name="越权支部", code="X2")
    assert row_counts() == before
    created = create_organization(
        users.committee_admin, parent=tree.committee1, kind=OrgKind.BRANCH, name="新", code="X2"
    )
    assert created.parent_id == tree.committee1.pk


def test_a_kind_change_must_keep_the_children_allowed(tree, users, refused):
    """A committee with a committee under it cannot become a general branch (committees never sit there)."""
    create_organization(None, parent=tree.committee1, kind=OrgKind.COMMITTEE, name="下属团委", code="IN1")
    refused(lambda: update_organization(users.district, tree.committee1, kind=OrgKind.GENERAL_BRANCH), "kind")
    tree.committee1.refresh_from_db()
    assert tree.committee1.kind == OrgKind.COMMITTEE


def test_a_kind_change_that_keeps_the_children_allowed_is_accepted(tree, users):
    org = update_organization(users.district, tree.committee2, kind=OrgKind.GENERAL_BRANCH)
    assert org.kind == OrgKind.GENERAL_BRANCH
