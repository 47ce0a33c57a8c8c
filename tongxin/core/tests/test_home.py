"""Issue 13, home pages: a role holder lands on her workbench (工作台: the work waiting for her and the cards the
apps register, each counting only her own scope), a member on his own page (我的); the menus lead to
meetings, the four lists, duties and graduation; the greyed areas and the login page say only what is true."""

from __future__ import annotations

import itertools
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


def test_a_committee_admin_sees_the_meetings_left_unrecorded_below_her_and_a_secretary_does_not(
    client_for, users, tree, month
):
    below = {
        who: re.search(
            r'data-testid="meetings-below">([^<]*)<', client_for(user).get(reverse("core:home")).content.decode()
        )
        for who, user in (("committee", users.committee_admin), ("secretary", users.secretary_a))
    }
    # branch A's two and branch B's one, both under committee 1 (branch C's is under the other committee)
    assert below["committee"] is not None and "3" in below["committee"].group(1)
    assert below["secretary"] is None  # a branch has nothing below it


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
    assert not greyed  # every area holds something for a member now: study, activities, the venues' directory


def test_the_login_page_promises_nothing_that_does_not_exist(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "学习教育和活动" not in html
    assert "花名册、组织生活、团费" in html


# --- the cards' figures (issue 13: every card says how much there is, not only where to go) ------------------


def test_the_cards_count_members_transfers_unpaid_dues_and_this_months_meetings(client_for, users, tree):
    from tongxin.lifecycle.models import DuesKind
    from tongxin.lifecycle.services import dues
    from tongxin.lifecycle.services.transfers import start_transfer
    from tongxin.orglife.models import MeetingRequirement
    from tongxin.orglife.queries import compliance_board

    secretary = client_for(users.secretary_a)
    before = card_values(secretary.get(reverse("core:home")).content.decode())
    assert before["roster"] == "2"  # branch A's two members, from the roll-up rows
    assert before["transfers"] == "0"
    assert before["dues"] == "2 人本月未登记缴纳"
    today = dues.current_month()
    if MeetingRequirement.objects.filter(org_kind="branch", active=True).exists():
        board = compliance_board(users.secretary_a, tree.branch_a, year=today.year, period=f"m{today.month}")
        assert before["board"] == f"本月待开 {board.total.due} 次 · 已逾期 {board.total.overdue} 次"
        assert board.total.due > 0

    start_transfer(users.secretary_a, person=tree.people.a1, reason="other", side="sending", to_org=tree.branch_c)
    dues.mark_paid(users.secretary_a, branch=tree.branch_a, kind=DuesKind.LEAGUE, month=today,
                   person_ids=[tree.people.a2.pk], paid_on=today)  # fmt: skip
    after = card_values(secretary.get(reverse("core:home")).content.decode())
    assert after["transfers"] == "1"
    assert after["dues"] == "1 人本月未登记缴纳"
    # The district admin's cards count her whole district: every member, and no per-person dues figure.
    district = card_values(client_for(users.district).get(reverse("core:home")).content.decode())
    assert district["roster"] == "5" and district["transfers"] == "1" and district["dues"] == district["board"] == ""
    # The member being moved sees his transfer in progress; another member has no transfers card at all.
    users.member.person = tree.people.a1
    users.member.save(update_fields=["person"])
    mine = card_values(client_for(users.member).get(reverse("core:home")).content.decode())
    assert mine["transfers"] == "1"
    users.member.person = tree.people.b1
    users.member.save(update_fields=["person"])
    assert "transfers" not in card_values(client_for(users.member).get(reverse("core:home")).content.decode())


def test_a_member_downloads_his_own_data_from_his_home_page(client_for, users):
    html = client_for(users.member).get(reverse("core:home")).content.decode()
    url = reverse("privacy:access_export", args=[users.member.person_id])
    assert f'href="{url}"' in html
    response = client_for(users.member).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_workbench_and_the_inbox_ask_each_provider_once_for_page_and_badge(client_for, users):
    from django.core.cache import cache

    from tongxin.core.inbox import PendingItem, pending_total, register_pending, unregister_pending

    calls: list[str] = []

    def waiting(user):
        calls.append(user.username)
        return [PendingItem("待审批的测试事项", 3, "/x/")]

    register_pending(waiting)
    try:
        for name in ("core:home", "core:inbox"):
            cache.clear()  # the badge is cached: count afresh
            calls.clear()
            html = client_for(users.secretary_a).get(reverse(name)).content.decode()
            assert calls == ["secretary_a"], name  # not once for the page and again for the navbar badge
            badge = re.search(r"data-inbox-badge>(\d+)<", html)
            assert badge and int(badge.group(1)) == pending_total(users.secretary_a), name  # the same total
    finally:
        unregister_pending(waiting)


def test_the_members_waiting_card_says_what_the_navbar_badge_says(client_for, users):
    from tongxin.accounts.notify import notify_users

    notify_users([users.member], text="您的转接已完成")  # news, not work: the badge counts it, so does the card
    html = client_for(users.member).get(reverse("core:home")).content.decode()
    badge = re.search(r"data-inbox-badge>(\d+)<", html)
    assert badge and card_values(html)["inbox"] == badge.group(1) == "1"
    assert card_values(html)["profile"] == users.member.person.name  # the cards say whose record they open
    assert card_values(html)["branch"] == "甲团支部"


def heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


@pytest.mark.parametrize("who", ["member", "secretary_a"])
def test_the_home_pages_headings_go_down_one_level_at_a_time(client_for, users, month, who):
    # A screen reader's outline: the member's cards sit under the page's heading, a secretary's under sections.
    levels = heading_levels(client_for(getattr(users, who)).get(reverse("core:home")).content.decode())
    assert levels and levels[0] == 1 and len(levels) > 3
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
