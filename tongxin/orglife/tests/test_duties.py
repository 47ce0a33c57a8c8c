"""Duties (定人定岗定责): set, change and end a committee member's duty; the page lists the committee."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.orglife.models import Duty
from tongxin.orglife.services.checklists import end_duty, set_duty
from tongxin.people.services import appoint_cadre

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def secretary_a1(tree):
    return appoint_cadre(None, person=tree.people.a1, organization=tree.branch_a, title="secretary",
                         start=datetime.date(2024, 9, 1))  # fmt: skip


def test_set_change_and_end_a_duty(tree, users, secretary_a1):
    duty = set_duty(users.secretary_a, organization=tree.branch_a, person=tree.people.a1, post="书记",
                    responsibilities="主持支部全面工作")  # fmt: skip
    again = set_duty(users.secretary_a, organization=tree.branch_a, person=tree.people.a1, post="书记",
                     responsibilities="主持全面工作，负责三会两制一课")  # fmt: skip
    assert again.pk == duty.pk and Duty.objects.count() == 1
    assert Duty.objects.get().responsibilities.endswith("一课")
    end_duty(users.secretary_a, again)
    assert Duty.objects.count() == 0
    assert ChangeLog.objects.filter(object_id=str(duty.pk), action=ChangeLog.Action.DELETE).exists()


def test_a_duty_needs_a_post_and_responsibilities_and_the_scope(tree, users, secretary_a1):
    with pytest.raises(DomainError, match="Name the post"):
        set_duty(users.secretary_a, organization=tree.branch_a, person=tree.people.a1, post=" ", responsibilities="x")
    with pytest.raises(DomainError, match="responsible for"):
        set_duty(users.secretary_a, organization=tree.branch_a, person=tree.people.a1, post="书记", responsibilities="")
    with pytest.raises(PermissionDenied):
        set_duty(
            users.secretary_b, organization=tree.branch_a, person=tree.people.a1, post="书记", responsibilities="x"
        )
    assert Duty.objects.count() == 0


def test_the_page_lists_committee_members_with_their_duties(tree, users, client_for, secretary_a1):
    client = client_for(users.secretary_a)
    url = reverse("orglife:duties", args=[tree.branch_a.pk])
    response = client.post(url, {"person": tree.people.a1.pk, "post": "书记", "responsibilities": "主持支部全面工作"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert tree.people.a1.name in page and "主持支部全面工作" in page
    duty = Duty.objects.get()
    for who in ("outsider", "nobody", "member", "secretary_b"):
        other = client_for(getattr(users, who))
        assert other.get(url).status_code == 404
        assert other.post(reverse("orglife:duty_end", args=[duty.pk])).status_code == 404
    client_for(users.secretary_a).post(reverse("orglife:duty_end", args=[duty.pk]))
    assert Duty.objects.count() == 0
