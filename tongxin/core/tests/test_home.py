"""Issue 13, home pages: a role holder lands on her workbench (工作台: the work waiting for her and the cards the
apps register, each counting only her own scope), a member on his own page (我的); the menus lead to
meetings, the four lists, duties and graduation; the greyed areas and the login page say only what is true."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tongxin.orglife.models import Meeting, MeetingStatus
from tongxin.orglife.tests.meeting_helpers import past
from tongxin.privacy.tests.helpers import minor

pytestmark = pytest.mark.django_db


def card_values(html: str) -> dict[str, str]:
    """Each card's key and its figure, as the page shows them."""
    values = {}
    for key, body in re.findall(r'data-home-card="([^"]+)">(.*?)</div>\s*</div>', html, re.S):
        figure = re.search(r"data-home-value>([^<]*)", body)
        values[key] = figure.group(1).strip() if figure else ""
    return values


def overdue_meeting(org):
    return Meeting.objects.create(
        organization=org, org_path=org.path, kind="league_day", status=MeetingStatus.PLANNED, starts_at=past()
    )


@pytest.fixture
def month(tree):
    """Two meetings of branch A and one of branch B waiting to be recorded, two minors of branch A and one of
    branch C without consent."""
    overdue_meeting(tree.branch_a)
    overdue_meeting(tree.branch_a)
    overdue_meeting(tree.branch_b)
    minor(tree.branch_a, 12, name="甲小童")
    minor(tree.branch_a, 15, name="甲少年")
    minor(tree.branch_c, 13, name="丙小童")


def test_a_secretary_lands_on_her_workbench_with_her_branch_counts(client_for, users, tree, month):
    response = client_for(users.secretary_a).get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "工作台" in html
    values = card_values(html)
    assert values["meetings"] == "2"  # not branch B's
    assert values["minors"] == "2"  # not branch C's
    assert values["lapse"].isdigit()
    assert {"roster", "board", "transfers", "dues"} <= set(values)
    meetings = reverse("orglife:meetings", args=[tree.branch_a.pk])
    assert f'href="{meetings}"' in html


def test_a_committee_admin_counts_her_subtree_not_the_other_committee(client_for, users, tree, month):
    values = card_values(client_for(users.committee_admin).get(reverse("core:home")).content.decode())
    assert values["minors"] == "2"  # branch A's two; branch C sits under the other committee
    assert values["meetings"] == "0"  # the committee's own meetings: the branches record theirs
    values = card_values(client_for(users.district).get(reverse("core:home")).content.decode())
    assert values["minors"] == "3"


def test_the_workbench_lists_the_work_waiting(client_for, users, tree, month):
    from tongxin.core.inbox import PendingItem, register_pending, unregister_pending

    def waiting(user):
        return [PendingItem("待审批的测试事项", 4, "/x/")] if user == users.secretary_a else []

    register_pending(waiting)
    try:
        html = client_for(users.secretary_a).get(reverse("core:home")).content.decode()
    finally:
        unregister_pending(waiting)
    assert "待审批的测试事项" in html and "data-pending" in html


def test_a_member_lands_on_his_own_page_not_the_workbench(client_for, users, month):
    response = client_for(users.member).get(reverse("core:home"))
    assert response.status_code == 200  # no longer a redirect to his profile
    html = response.content.decode()
    assert "我的" in html and "工作台" not in html
    values = card_values(html)
    assert "profile" in values
    assert not {"meetings", "minors", "lapse", "roster"} & set(values)


def test_a_user_without_role_or_person_is_told_so(client_for, users):
    html = client_for(users.nobody).get(reverse("core:home")).content.decode()
    assert "data-home-card" not in html


def test_the_menus_lead_to_meetings_four_lists_and_duties_of_her_own_organisation(client_for, users, tree):
    html = client_for(users.secretary_a).get(reverse("core:home")).content.decode()
    pk = tree.branch_a.pk
    for name in ("orglife:meetings", "orglife:checklists", "orglife:duties"):
        assert f'class="dropdown-item" href="{reverse(name, args=[pk])}"' in html, name


def test_the_menu_leads_a_school_branch_secretary_to_graduation(client_for, users, tree):
    tree.branch_a.category = "school"
    tree.branch_a.save(update_fields=["category"])
    html = client_for(users.secretary_a).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("lifecycle:graduation", args=[tree.branch_a.pk])}"' in html
    html = client_for(users.committee_admin).get(reverse("core:home")).content.decode()
    assert reverse("lifecycle:graduation", args=[tree.branch_a.pk]) not in html  # not her own branch


def test_a_member_is_not_told_that_areas_others_use_come_later(client_for, users):
    html = client_for(users.member).get(reverse("core:home")).content.decode()
    greyed = re.findall(r'<span class="nav-link disabled"[^>]*>([^<]*)</span>', html)
    assert "组织" not in greyed  # the organisation area exists, for role holders: not "in a later release"
    assert "思想" not in greyed  # the member's study and check-ins (issue 14)
    assert set(greyed) == {"活动", "阵地"}  # nothing in these yet, for anyone


def test_the_login_page_promises_nothing_that_does_not_exist(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "学习教育和活动" not in html
    assert "花名册、组织生活、团费" in html
