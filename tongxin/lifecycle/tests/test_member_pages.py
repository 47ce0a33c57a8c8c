"""Issue 13: a member sees his own dues (read-only, through DuesPayment's own= scope) and his own branch, from
his home page (我的); another member's dues and another branch stay out of reach."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.lifecycle.dues_queries import arrears_window
from tongxin.lifecycle.models import DuesPayment
from tongxin.lifecycle.services.common import add_months
from tongxin.lifecycle.services.dues import mark_paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(tree):
    """The member (a2) paid the last two complete months; a1 paid the last one."""
    first, last = arrears_window()
    for month in (last, add_months(last, -1)):
        mark_paid(None, branch=tree.branch_a, kind="league", month=month, person_ids=[tree.people.a2.pk],
                  paid_on=timezone.localdate())  # fmt: skip
    mark_paid(None, branch=tree.branch_a, kind="league", month=last, person_ids=[tree.people.a1.pk],
              paid_on=timezone.localdate())  # fmt: skip
    return first, last


def test_a_member_sees_his_own_dues_and_arrears(client_for, users, tree, paid):
    client = client_for(users.member)
    response = client.get(reverse("lifecycle:dues_home"))
    assert response.status_code == 302 and response["Location"] == reverse("lifecycle:my_dues")  # not "no role"
    html = client.get(reverse("lifecycle:my_dues")).content.decode()
    assert "我的团费" in html
    assert html.count("data-payment") == 2  # his two payments, not a1's
    assert 'data-unpaid="4"' in html  # six months in the window, two paid
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # read-only


def test_the_member_home_counts_his_unpaid_months_and_links_his_branch(client_for, users, tree, paid):
    html = client_for(users.member).get(reverse("core:home")).content.decode()
    assert 'data-home-card="dues"' in html and reverse("lifecycle:my_dues") in html
    assert 'data-home-card="branch"' in html and reverse("lifecycle:my_branch") in html


def test_dues_through_his_own_scope_only(users, tree, paid):
    assert set(DuesPayment.objects.visible_to(users.member).values_list("person_id", flat=True)) == {tree.people.a2.pk}
    assert DuesPayment.objects.for_actor(users.member, "change").count() == 0  # read-only: no CHANGE
    assert not DuesPayment.objects.visible_to(users.nobody).exists()


def test_a_member_opens_his_branch_from_his_profile(client_for, users, tree):
    client = client_for(users.member)
    profile = client.get(reverse("people:detail", args=[tree.people.a2.pk])).content.decode()
    assert f'href="{reverse("lifecycle:my_branch")}"' in profile  # was orgs:detail, a 404 for him
    assert reverse("orgs:detail", args=[tree.branch_a.pk]) not in profile
    page = client.get(reverse("lifecycle:my_branch"))
    assert page.status_code == 200
    html = page.content.decode()
    assert tree.branch_a.name in html and tree.committee1.name in html
    assert tree.people.a1.name not in html  # nobody else's data
    # The branch's own page, and any other branch, stay for role holders.
    assert client.get(reverse("orgs:detail", args=[tree.branch_a.pk])).status_code == 404
    assert client.get(reverse("orgs:detail", args=[tree.branch_b.pk])).status_code == 404


def test_a_user_without_a_person_is_told_so(client_for, users):
    for user in (users.nobody, users.secretary_a):
        client = client_for(user)
        for name in ("lifecycle:my_dues", "lifecycle:my_branch"):
            html = client.get(reverse(name)).content.decode()
            assert "data-no-person" in html and "data-payment" not in html, name
