"""Role assignments grant scope over an organisation's subtree; only its managers may grant them."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.accounts.services import assign_role, create_user
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, MANAGE, VIEW
from tongxin.people.models import Person


def fresh(user: User) -> User:
    """A new instance: scopes are cached on the user object for the life of a request."""
    return User.objects.get(pk=user.pk)


def test_committee_admin_grants_a_role_in_his_subtree(tree, users):
    assignment = assign_role(users.committee_admin, user=users.nobody, organization=tree.branch_b, role=Role.SECRETARY)
    assert assignment.pk
    nobody = fresh(users.nobody)
    assert set(Person.objects.visible_to(nobody).values_list("pk", flat=True)) == {tree.people.b1.pk}
    ct = ContentType.objects.get_for_model(RoleAssignment)
    entry = ChangeLog.objects.get(content_type=ct, object_id=str(assignment.pk))
    assert entry.actor == users.committee_admin
    assert entry.after == {"user": users.nobody.pk, "organization": tree.branch_b.pk, "role": Role.SECRETARY}
    assert entry.org_path == tree.branch_b.path


def test_granting_twice_creates_one_assignment(tree, users):
    assign_role(users.district, user=users.nobody, organization=tree.branch_c, role=Role.VIEWER)
    assign_role(users.district, user=users.nobody, organization=tree.branch_c, role=Role.VIEWER)
    assert RoleAssignment.objects.filter(user=users.nobody).count() == 1


@pytest.mark.parametrize("granter", ["committee_admin", "secretary_a", "viewer", "member", "nobody"])
def test_roles_outside_the_granters_manage_scope_are_refused(tree, users, granter):
    target = tree.branch_a if granter != "committee_admin" else tree.branch_c
    before = (RoleAssignment.objects.count(), ChangeLog.objects.count())
    with pytest.raises(PermissionDenied):
        assign_role(getattr(users, granter), user=users.nobody, organization=target, role=Role.ADMIN)
    assert (RoleAssignment.objects.count(), ChangeLog.objects.count()) == before


@pytest.mark.parametrize(
    ("user", "can_view", "can_change", "can_manage"),
    [
        ("committee_admin", True, True, True),
        ("secretary_a", True, True, False),
        ("viewer", True, False, False),
        ("member", False, False, False),
        ("outsider", False, False, False),
    ],
)
def test_each_role_grants_its_actions_on_branch_a(tree, users, user, can_view, can_change, can_manage):
    who = getattr(users, user)
    path = tree.branch_a.path
    assert (who.can(VIEW, path), who.can(CHANGE, path), who.can(MANAGE, path)) == (can_view, can_change, can_manage)


def test_create_user_links_a_person_and_logs_without_the_password(tree, users):
    user = create_user(users.committee_admin, username="new_member", password="s3cret-Pass-99", person=tree.people.a1)
    assert user.check_password("s3cret-Pass-99")
    assert set(Person.objects.visible_to(fresh(user)).values_list("pk", flat=True)) == {tree.people.a1.pk}
    entry = ChangeLog.objects.get(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    assert entry.actor == users.committee_admin
    assert "s3cret" not in str(entry.after)
    assert entry.org_path == tree.branch_a.path


def test_create_user_for_someone_outside_the_scope_is_refused(tree, users):
    with pytest.raises(PermissionDenied):
        create_user(users.outsider, username="stolen", password="s3cret-Pass-99", person=tree.people.a1)
    assert not User.objects.filter(username="stolen").exists()
