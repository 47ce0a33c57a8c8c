"""Moving an organisation carries its whole subtree: paths, copies of paths, roll-ups and scope follow."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from tongxin.core.audit import record_access
from tongxin.core.exceptions import DomainError
from tongxin.core.models import AccessLog, ChangeLog
from tongxin.core.testing import person_data
from tongxin.orgs.models import Organization, OrgKind, OrgStats, OrgStatus, path_step
from tongxin.orgs.services import create_organization, move_organization, update_organization
from tongxin.orgs.tests.helpers import assert_paths_consistent
from tongxin.people.models import CadrePosition, CadreTitle, Membership, Person
from tongxin.people.services import appoint_cadre, create_person


@pytest.fixture
def deep(tree):
    """committee1 gains a general branch with a branch of two members, a cadre and audit rows."""
    general = create_organization(None, parent=tree.committee1, kind=OrgKind.GENERAL_BRANCH, name="团总支", code="G1")
    branch = create_organization(None, parent=general, kind=OrgKind.BRANCH, name="深处支部", code="G1A")
    p1 = create_person(None, person_data(branch, name="周深一"))
    p2 = create_person(None, person_data(branch, name="吴深二"))
    cadre = appoint_cadre(
        None, person=p1, organization=branch, title=CadreTitle.SECRETARY, start=datetime.date(2024, 1, 1)
    )
    appoint_cadre(
        None, person=tree.people.a1, organization=tree.branch_a, title=CadreTitle.SECRETARY,
        start=datetime.date(2024, 1, 1),
    )  # fmt: skip
    record_access(None, AccessLog.Action.REVEAL, obj=p2, fields="id_number", org_path=p2.org_path)
    return general, branch, p1, p2, cadre


def _stats(org: Organization) -> tuple[int, int, int]:
    s = OrgStats.objects.get(pk=org.pk)
    return s.members_direct, s.members_total, s.children_count


def _all_copies_start_with(prefix: str, org_ids: set[int]) -> None:
    """Every row that copies a path of an organisation in ``org_ids`` holds a path under ``prefix``."""
    orgs = Organization.objects.filter(pk__in=org_ids)
    assert all(o.path.startswith(prefix) for o in orgs)
    for person in Person.objects.filter(branch_id__in=org_ids).select_related("branch"):
        assert person.branch is not None
        assert person.org_path == person.branch.path
        assert person.org_path.startswith(prefix)
    for stay in Membership.objects.filter(organization_id__in=org_ids).select_related("organization"):
        assert stay.org_path == stay.organization.path
    for position in CadrePosition.objects.filter(organization_id__in=org_ids).select_related("organization"):
        assert position.org_path == position.organization.path


def test_moving_a_committee_rewrites_every_path_in_its_subtree(tree, users, deep):
    general, branch, _p1, _p2, cadre = deep
    subtree_ids = {tree.committee1.pk, tree.branch_a.pk, tree.branch_b.pk, general.pk, branch.pk}
    old_prefix = tree.committee1.path
    logs_in_subtree = ChangeLog.objects.in_subtree(old_prefix).count()
    access_in_subtree = AccessLog.objects.in_subtree(old_prefix).count()
    assert logs_in_subtree >= 9 and access_in_subtree == 1

    moved = move_organization(users.district, tree.committee1, tree.committee2)

    assert moved.parent_id == tree.committee2.pk
    assert moved.path == tree.committee2.path + path_step(moved.pk)
    assert moved.depth == 2
    branch.refresh_from_db()
    assert branch.depth == 4
    assert_paths_consistent()
    _all_copies_start_with(moved.path, subtree_ids)
    cadre.refresh_from_db()
    assert cadre.org_path == branch.path
    # No row kept the old prefix: the audit trail moved with the subtree.
    assert Organization.objects.in_subtree(old_prefix).count() == 0
    assert Person.objects.in_subtree(old_prefix).count() == 0
    assert ChangeLog.objects.in_subtree(old_prefix).count() == 0
    assert AccessLog.objects.in_subtree(old_prefix).count() == 0
    # Existing rows (plus the move's own entry) are now found under the new prefix.
    assert ChangeLog.objects.in_subtree(moved.path).count() == logs_in_subtree + 1
    assert AccessLog.objects.in_subtree(moved.path).count() == access_in_subtree
    entry = ChangeLog.objects.filter(action=ChangeLog.Action.MOVE).get()
    assert entry.actor == users.district
    assert entry.before == {"parent": tree.root.pk} and entry.after == {"parent": tree.committee2.pk}


def test_moving_a_branch_rewrites_its_members(tree, users):
    move_organization(users.district, tree.branch_a, tree.committee2)
    tree.branch_a.refresh_from_db()
    for person in (tree.people.a1, tree.people.a2):
        person.refresh_from_db()
        assert person.org_path == tree.branch_a.path
        assert person.org_path.startswith(tree.committee2.path)
    # The sibling branch and its member are untouched.
    tree.people.b1.refresh_from_db()
    assert tree.people.b1.org_path == tree.branch_b.path
    assert tree.branch_b.path.startswith(tree.committee1.path)


def test_rollups_follow_the_move(tree, users, deep, rollups):
    general, branch, *_ = deep
    assert _stats(tree.committee1) == (0, 5, 3)
    assert _stats(tree.committee2) == (0, 2, 2)
    assert _stats(tree.root) == (0, 7, 3)

    move_organization(users.district, general, tree.committee2)

    assert _stats(tree.committee1) == (0, 3, 2)
    assert _stats(tree.committee2) == (0, 4, 3)
    assert _stats(tree.root) == (0, 7, 3)
    assert _stats(general) == (0, 2, 1)
    assert _stats(branch) == (2, 2, 0)
    incremental = rollups()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert rollups() == incremental


def test_moving_across_local_committees_updates_both_ancestor_lines(tree, users, rollups):
    other_root = create_organization(None, parent=None, kind=OrgKind.LOCAL_COMMITTEE, name="邻区团委", code="N0")
    move_organization(None, tree.committee1, other_root)
    assert _stats(tree.root) == (0, 2, 2)
    assert _stats(other_root) == (0, 3, 1)
    incremental = rollups()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert rollups() == incremental


def test_moving_a_dissolved_organisation_leaves_children_counts_alone(tree, users, rollups):
    empty = create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name="空支部", code="E1")
    update_organization(users.district, empty, status=OrgStatus.DISSOLVED)
    assert _stats(tree.committee1)[2] == 2

    move_organization(users.district, empty, tree.committee2)

    assert _stats(tree.committee1)[2] == 2
    assert _stats(tree.committee2)[2] == 2
    incremental = rollups()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert rollups() == incremental


def test_scope_follows_the_move(tree, users):
    """After branch A moves to committee 2, its members leave committee 1's admin and reach committee 2's."""
    a1 = tree.people.a1
    assert Person.objects.visible_to(users.committee_admin).filter(pk=a1.pk).exists()
    assert not Person.objects.visible_to(users.outsider).filter(pk=a1.pk).exists()

    move_organization(users.district, tree.branch_a, tree.committee2)

    assert not Person.objects.visible_to(users.committee_admin).filter(pk=a1.pk).exists()
    assert Person.objects.visible_to(users.outsider).filter(pk=a1.pk).exists()
    assert not Organization.objects.visible_to(users.committee_admin).filter(pk=tree.branch_a.pk).exists()
    # The secretary's own role moves with the branch: she still sees her members.
    assert Person.objects.visible_to(users.secretary_a).filter(pk=a1.pk).exists()


def test_moving_under_its_own_subtree_is_refused(tree, users, deep, row_counts, rollups):
    del deep  # only its rows matter here
    inner = create_organization(None, parent=tree.committee1, kind=OrgKind.COMMITTEE, name="内部团委", code="IN1")
    paths = dict(Organization.objects.values_list("pk", "path"))
    rows, stats = row_counts(), rollups()
    for new_parent in (tree.committee1, inner):
        with pytest.raises(DomainError) as caught:
            move_organization(users.district, tree.committee1, new_parent)
        assert "parent" in caught.value.errors
    assert dict(Organization.objects.values_list("pk", "path")) == paths
    assert row_counts() == rows and rollups() == stats


def test_moving_under_a_branch_is_refused(tree, users, deep, row_counts, rollups):
    general, *_ = deep
    rows, stats = row_counts(), rollups()
    with pytest.raises(DomainError) as caught:
        move_organization(users.district, general, tree.branch_c)
    assert "parent" in caught.value.errors
    assert row_counts() == rows and rollups() == stats
    general.refresh_from_db()
    assert general.parent_id == tree.committee1.pk


def test_moving_needs_manage_rights_on_both_ends(tree, users, row_counts, rollups):
    rows, stats = row_counts(), rollups()
    paths = dict(Organization.objects.values_list("pk", "path"))
    # committee_admin manages branch A's side only; outsider manages committee 2's side only.
    for actor in (users.committee_admin, users.outsider, users.secretary_a, users.nobody):
        with pytest.raises(PermissionDenied):
            move_organization(actor, tree.branch_a, tree.committee2)
    assert dict(Organization.objects.values_list("pk", "path")) == paths
    assert row_counts() == rows and rollups() == stats


def test_moving_to_the_same_parent_changes_nothing(tree, users, row_counts, rollups):
    rows, stats = row_counts(), rollups()
    move_organization(users.district, tree.branch_a, tree.committee1)
    assert row_counts() == rows and rollups() == stats


def test_a_member_added_through_a_stale_branch_copy_gets_the_current_path(tree, users, rollups):
    """A form loaded before the move still holds the old branch object: the new member must not get its old path."""
    stale = Organization.objects.get(pk=tree.branch_a.pk)
    move_organization(users.district, tree.branch_a, tree.committee2)

    person = create_person(users.district, person_data(stale, name="后来者"))

    person.refresh_from_db()
    current = Organization.objects.get(pk=tree.branch_a.pk)
    assert person.org_path == current.path
    assert Person.objects.visible_to(users.outsider).filter(pk=person.pk).exists()
    assert not Person.objects.visible_to(users.committee_admin).filter(pk=person.pk).exists()
    assert _stats(tree.committee2)[1] == 5
    assert _stats(tree.committee1)[1] == 1
    incremental = rollups()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert rollups() == incremental
