"""Who is notified about work at an organisation (the nearest holders), and how the text is stored."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.accounts.notify import nearest_actor_ids, notify_actors, notify_users
from tongxin.core.models import Notification
from tongxin.core.scoping import CHANGE, MANAGE, VIEW


def recipients(**filters) -> set[str]:
    return set(Notification.objects.filter(**filters).values_list("recipient__username", flat=True))


def test_the_secretary_of_the_branch_is_told(tree, users):
    made = notify_actors(CHANGE, tree.branch_a.path, text="甲团支部有待办", url="/people/")
    assert recipients() == {"secretary_a"}  # not the committee or district admins above, not the viewer
    assert len(made) == 1
    notification = Notification.objects.get()
    assert (notification.text, notification.url, notification.org_path) == ("甲团支部有待办", "/people/",
                                                                             tree.branch_a.path)  # fmt: skip
    assert notification.read_at is None


def test_without_a_secretary_the_committee_admin_is_told_not_the_district(tree, users):
    notify_actors(CHANGE, tree.branch_c.path, text="丙")  # branch C has no secretary; committee 2 has an admin
    assert recipients() == {"outsider"}


def test_up_to_the_root_when_no_one_nearer(tree, users):
    RoleAssignment.objects.filter(user=users.outsider).delete()
    notify_actors(CHANGE, tree.branch_c.path, text="丙")
    assert recipients() == {"district"}


def test_the_actor_is_left_out(tree, users):
    second = User.objects.create(username="secretary_a2")
    RoleAssignment.objects.create(user=second, organization=tree.branch_a, role=Role.SECRETARY)
    notify_actors(CHANGE, tree.branch_a.path, text="甲", exclude=users.secretary_a)
    assert recipients() == {"secretary_a2"}


def test_the_actor_as_only_nearest_holder_tells_no_one_above(tree, users):
    """The work is already in the actor's hands: the committee admin is not bothered."""
    notify_actors(CHANGE, tree.branch_a.path, text="甲", exclude=users.secretary_a)
    assert not Notification.objects.exists()
    assert nearest_actor_ids(CHANGE, tree.branch_a.path, exclude=None) == [users.secretary_a.pk]


def test_inactive_users_and_dissolved_organisations_hold_nothing(tree, users):
    User.objects.filter(pk=users.secretary_a.pk).update(is_active=False)
    notify_actors(CHANGE, tree.branch_a.path, text="甲")
    assert recipients() == {"committee_admin"}

    Notification.objects.all().delete()
    type(tree.committee1).objects.filter(pk=tree.committee1.pk).update(status="dissolved")
    notify_actors(CHANGE, tree.branch_a.path, text="甲")
    assert recipients() == {"district"}


def test_the_role_must_grant_the_action(tree, users):
    assert nearest_actor_ids(MANAGE, tree.branch_a.path) == [users.committee_admin.pk]  # a secretary cannot manage
    assert set(nearest_actor_ids(VIEW, tree.committee1.path)) == {users.committee_admin.pk, users.viewer.pk}


def test_two_queries_whatever_the_depth(tree, users, django_assert_num_queries):
    with django_assert_num_queries(2):  # who, then one INSERT
        notify_actors(CHANGE, tree.branch_c.path, text="丙", url="/")


def test_no_path_no_one(tree, users, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notify_actors(CHANGE, "", text="x") == []


def test_notify_users_takes_users_or_ids_once_each(tree, users):
    made = notify_users([users.member, users.member.pk, None, users.viewer], text="你好", org_path=tree.root.path)
    assert len(made) == 2
    assert recipients() == {"member", "viewer"}
    assert notify_users([], text="x") == []


def test_text_is_stored_in_the_default_language(tree, users, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("en"):  # the actor reads English; the recipient gets the deployment's language
        notify_users([users.member], text=gettext_lazy("Audit log"))
        notify_users([users.viewer], text=lambda: gettext("Roster"))
        notify_users([users.nobody], text="as given")
    assert Notification.objects.get(recipient=users.member).text == "审计日志"
    assert Notification.objects.get(recipient=users.viewer).text == "花名册"
    assert Notification.objects.get(recipient=users.nobody).text == "as given"


def test_rolled_back_with_the_callers_transaction(tree, users):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify_actors(CHANGE, tree.branch_a.path, text="甲")
        raise RuntimeError
    assert not Notification.objects.exists()
