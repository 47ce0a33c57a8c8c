"""``visible_to(user)``: each fixture user sees exactly the organisations and people of their subtrees."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tongxin.accounts.models import Role, RoleAssignment
from tongxin.core.models import ChangeLog
from tongxin.orgs.models import Organization, OrgKind, OrgStatus
from tongxin.orgs.services import create_organization, update_organization
from tongxin.people.models import Person

ALL_ORGS = {"root", "committee1", "committee2", "branch_a", "branch_b", "branch_c", "branch_d", "party_branch"}
ALL_PEOPLE = {"a1", "a2", "b1", "c1", "d1"}

# user -> (organisations, people) they may see.
EXPECTED = {
    "district": (ALL_ORGS, ALL_PEOPLE),
    "committee_admin": ({"committee1", "branch_a", "branch_b"}, {"a1", "a2", "b1"}),
    "viewer": ({"committee1", "branch_a", "branch_b"}, {"a1", "a2", "b1"}),
    "secretary_a": ({"branch_a"}, {"a1", "a2"}),
    "secretary_b": ({"branch_b"}, {"b1"}),
    "member": (set(), {"a2"}),
    "outsider": ({"committee2", "branch_c", "branch_d"}, {"c1", "d1"}),
    "nobody": (set(), set()),
}


def org_names(tree, qs) -> set[str]:
    by_pk = {getattr(tree, name).pk: name for name in ALL_ORGS}
    return {by_pk.get(pk, f"other:{pk}") for pk in qs.values_list("pk", flat=True)}


def person_names(tree, qs) -> set[str]:
    by_pk = {getattr(tree.people, name).pk: name for name in ALL_PEOPLE}
    return {by_pk.get(pk, f"other:{pk}") for pk in qs.values_list("pk", flat=True)}


@pytest.mark.parametrize("user", sorted(EXPECTED))
def test_each_user_sees_exactly_their_subtree(tree, users, user):
    orgs, people = EXPECTED[user]
    who = getattr(users, user)
    assert org_names(tree, Organization.objects.visible_to(who)) == orgs
    assert person_names(tree, Person.objects.visible_to(who)) == people


def test_outsider_sees_nothing_of_committee1(tree, users):
    c1 = tree.committee1.path
    assert not Organization.objects.visible_to(users.outsider).in_subtree(c1).exists()
    assert not Person.objects.visible_to(users.outsider).in_subtree(c1).exists()
    assert not ChangeLog.objects.visible_to(users.outsider).in_subtree(c1).exists()


def test_anonymous_and_no_user_see_nothing(tree):
    for who in (AnonymousUser(), None):
        assert not Organization.objects.visible_to(who).exists()
        assert not Person.objects.visible_to(who).exists()
        assert not ChangeLog.objects.visible_to(who).exists()


def test_a_deactivated_user_sees_nothing(tree, users):
    users.district.is_active = False
    users.district.save()
    assert not Organization.objects.visible_to(users.district).exists()
    assert not Person.objects.visible_to(users.district).exists()


def test_a_superuser_sees_everything(tree, users):
    users.nobody.is_superuser = True
    users.nobody.save()
    assert Organization.objects.visible_to(users.nobody).count() == len(ALL_ORGS)
    assert Person.objects.visible_to(users.nobody).count() == len(ALL_PEOPLE)


def test_a_role_in_a_dissolved_organisation_grants_nothing(tree, users):
    empty = create_organization(None, parent=tree.committee2, kind=OrgKind.BRANCH, name="空支部", code="E1")
    RoleAssignment.objects.create(user=users.nobody, organization=empty, role=Role.ADMIN)
    assert Organization.objects.visible_to(users.nobody).count() == 1
    update_organization(None, empty, status=OrgStatus.DISSOLVED)
    fresh = type(users.nobody).objects.get(pk=users.nobody.pk)
    assert not Organization.objects.visible_to(fresh).exists()


def test_a_member_who_is_also_a_secretary_elsewhere_sees_both(tree, users):
    """The self-service grant adds the member's own record to their role's subtree."""
    RoleAssignment.objects.create(user=users.member, organization=tree.branch_c, role=Role.SECRETARY)
    fresh = type(users.member).objects.get(pk=users.member.pk)
    assert person_names(tree, Person.objects.visible_to(fresh)) == {"a2", "c1"}
    assert org_names(tree, Organization.objects.visible_to(fresh)) == {"branch_c"}


def test_roles_over_nested_subtrees_do_not_duplicate_rows(tree, users):
    RoleAssignment.objects.create(user=users.committee_admin, organization=tree.branch_a, role=Role.SECRETARY)
    fresh = type(users.committee_admin).objects.get(pk=users.committee_admin.pk)
    assert Person.objects.visible_to(fresh).count() == 3
    assert Organization.objects.visible_to(fresh).count() == 3
