"""Every organisation's path names its ancestors in fixed-width steps; members carry their branch's path."""

from __future__ import annotations

from tongxin.orgs.models import Organization, OrgKind, path_ids, path_step
from tongxin.orgs.services import create_organization
from tongxin.orgs.tests.helpers import assert_paths_consistent
from tongxin.people.models import Membership, Person


def test_fixture_tree_paths_are_fixed_width_steps(tree):
    assert_paths_consistent()
    assert tree.root.path == path_step(tree.root.pk)
    assert tree.branch_a.path == tree.root.path + path_step(tree.committee1.pk) + path_step(tree.branch_a.pk)
    assert tree.branch_a.depth == 2
    assert tree.branch_a.ancestor_ids() == [tree.root.pk, tree.committee1.pk]


def test_deep_tree_paths(tree):
    wc = create_organization(None, parent=tree.committee1, kind=OrgKind.WORKING_COMMITTEE, name="团工委", code="W1")
    sub = create_organization(None, parent=wc, kind=OrgKind.COMMITTEE, name="下属团委", code="W2")
    general = create_organization(None, parent=sub, kind=OrgKind.GENERAL_BRANCH, name="团总支", code="W3")
    branch = create_organization(None, parent=general, kind=OrgKind.BRANCH, name="深处支部", code="W4")
    assert branch.depth == 5
    assert path_ids(branch.path) == [tree.root.pk, tree.committee1.pk, wc.pk, sub.pk, general.pk, branch.pk]
    assert_paths_consistent()


def test_subtree_query_is_a_prefix_range(tree):
    """A subtree holds exactly the organisations below it, not a sibling whose id shares leading digits."""
    in_c1 = set(Organization.objects.in_subtree(tree.committee1.path).values_list("pk", flat=True))
    assert in_c1 == {tree.committee1.pk, tree.branch_a.pk, tree.branch_b.pk}
    in_a = set(Organization.objects.in_subtree(tree.branch_a.path).values_list("pk", flat=True))
    assert in_a == {tree.branch_a.pk}


def test_members_carry_their_branch_path(tree):
    for person in Person.objects.select_related("branch"):
        assert person.branch is not None
        assert person.org_path == person.branch.path
    for stay in Membership.objects.select_related("organization"):
        assert stay.org_path == stay.organization.path
    in_c1 = set(Person.objects.in_subtree(tree.committee1.path).values_list("pk", flat=True))
    assert in_c1 == {tree.people.a1.pk, tree.people.a2.pk, tree.people.b1.pk}
