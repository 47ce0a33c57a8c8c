"""An organisation's dashboard: figures of its whole subtree from the roll-ups, drill-down to a child, the
same figures in the API; out of scope is 404 on both."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tongxin.core.testing import person_data, years_ago
from tongxin.dashboard import queries
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization
from tongxin.people.models import MembershipStatus
from tongxin.people.services import create_person, update_person


def slices(board, facet):
    return {s.key: s.count for d in board.distributions if d.facet == facet for s in d.slices}


def test_the_district_sees_its_subtree_and_drills_down(client, tree, users):
    create_person(None, person_data(tree.branch_c, birth=years_ago(16)))
    update_person(None, tree.people.a1, {"status": MembershipStatus.LEFT})
    client.force_login(users.district)
    page = client.get(reverse("dashboard:org"))
    assert page.status_code == 200
    board = page.context["board"]
    assert board.org == tree.root
    assert board.members == 5  # 5 in the fixture, one joined, one left
    assert slices(board, "status") == {"active": 5, "left": 1}
    assert slices(board, "age")["14-17"] == 1
    assert [c.pk for c in board.children][:1] == [tree.committee2.pk]  # most members first
    assert f"?org={tree.committee2.pk}" in page.content.decode()
    # the way on: the children's 三力一度 index, the annual report, the wall display
    for name in ("dashboard:index", "dashboard:report"):
        assert reverse(name, args=[tree.root.pk]) in page.content.decode()
    child = client.get(reverse("dashboard:org"), {"org": tree.committee2.pk}).context["board"]
    assert child.members == 3 and {c.pk for c in child.children} == {tree.branch_c.pk, tree.branch_d.pk}


def test_the_api_returns_the_same_figures(client, tree, users):
    client.force_login(users.committee_admin)
    data = client.get(reverse("dashboard-detail", args=[tree.committee1.pk])).json()
    assert data["members"] == 3
    assert {d["facet"]: d["total"] for d in data["distributions"]}["sex"] == 3
    assert [c["name"] for c in data["children"]] == ["甲团支部", "乙团支部"]


def test_the_api_lists_where_the_dashboards_start(client, tree, users):
    client.force_login(users.committee_admin)
    assert client.get(reverse("dashboard-list")).json() == [
        {"id": tree.committee1.pk, "name": "第一团委", "kind": "committee", "members": 3, "children_count": 2}
    ]
    client.force_login(users.nobody)
    assert client.get(reverse("dashboard-list")).json() == []


@pytest.mark.parametrize("who", ["committee_admin", "secretary_a", "outsider"])
def test_an_organisation_out_of_scope_is_404(client, tree, users, who):
    client.force_login(getattr(users, who))
    other = tree.committee2 if who != "outsider" else tree.committee1
    assert client.get(reverse("dashboard:org"), {"org": other.pk}).status_code == 404
    assert client.get(reverse("dashboard-detail", args=[other.pk])).status_code == 404


def test_someone_with_no_role_is_told_so(client, tree, users):
    client.force_login(users.nobody)
    page = client.get(reverse("dashboard:org"))
    assert page.status_code == 200 and page.context["tops"] == []
    assert "您在各组织中没有任职" in page.content.decode()


def test_the_query_count_does_not_grow_with_the_tree(client, tree, users):
    client.force_login(users.district)

    def queries_for_root() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboard:org"), {"org": tree.root.pk}).status_code == 200
        return len(captured)

    queries_for_root()  # warm the caches a running server has warm
    before = queries_for_root()
    for i in range(3):
        branch = create_organization(
            None, parent=tree.committee2, kind=OrgKind.BRANCH, name=f"新支部{i}", code=f"NB{i}"
        )
        for j in range(4):
            create_person(None, person_data(branch, name=f"新增{i}{j}"))
    assert queries_for_root() == before


def test_ages_are_read_on_the_day():
    import datetime
    from collections import Counter

    months = Counter({"200801": 2, "201012": 1})
    bands = {s.key: s.count for s in queries.age_bands(months, datetime.date(2026, 12, 6))}
    assert bands["18-22"] == 2  # born January 2008: 18 in December 2026
    assert bands["14-17"] == 1  # born December 2010: 16 (the month has begun)
    bands = {s.key: s.count for s in queries.age_bands(months, datetime.date(2026, 11, 30))}
    assert bands["14-17"] == 1 and bands["18-22"] == 2


def test_the_wall_display_shows_the_figures_and_its_refresh(client, tree, users, settings):
    settings.TONGXIN_WALL_REFRESH_SECONDS = 30
    client.force_login(users.committee_admin)
    page = client.get(reverse("dashboard:wall"), {"org": tree.committee1.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-refresh="30"' in html and f'data-source="/api/dashboards/{tree.committee1.pk}/"' in html
    assert '<meta http-equiv="refresh" content="30">' in html  # without scripts the page reloads itself
    assert client.get(reverse("dashboard:wall"), {"org": tree.committee2.pk}).status_code == 404


def test_children_beyond_the_shown_ones_are_summed(client, tree, users, monkeypatch):
    monkeypatch.setattr(queries, "CHILDREN_SHOWN", 1)
    client.force_login(users.district)
    board = client.get(reverse("dashboard:org"), {"org": tree.root.pk}).context["board"]
    assert [c.pk for c in board.children] == [tree.committee1.pk]  # 3 members, the most
    assert (board.children_more, board.children_more_members) == (2, 2)  # committee 2 (2), the party branch (0)


def test_the_study_participation_rate_of_each_period(client, tree, users):
    from tongxin.study import services as study
    from tongxin.study.tests.helpers import open_period, right_answers

    period = open_period(tree)
    attempt = study.start_attempt(users.member, period)
    study.submit_attempt(users.member, attempt, answers=right_answers(attempt), token=attempt.token)
    client.force_login(users.district)
    data = client.get(reverse("dashboard-detail", args=[tree.root.pk])).json()
    rate = {t["facet"]: t for t in data["trends"]}["study_rate"]
    assert rate["values"] == [20] and rate["unit"] == "%"  # one of the district's five members
    assert rate["total"] is None and rate["summable"] is False  # a rate is not added up over periods
    branch_b = client.get(reverse("dashboard-detail", args=[tree.branch_b.pk])).json()
    assert {t["facet"]: t for t in branch_b["trends"]}["study_rate"]["values"] == [0]


def test_the_charts_label_the_month_under_way_as_its_figure_so_far(client, tree, users):
    """The charts (page and wall) read `labels`: the last month of a monthly figure is the month under way, so a
    low value there is labelled as the figure so far, not drawn as a drop; a study period's rate is complete."""
    client.force_login(users.district)
    with translation.override("zh-hans"):
        data = client.get(reverse("dashboard-detail", args=[tree.root.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    monthly = [t for t in data["trends"] if t["last_month_partial"]]
    assert monthly, "the monthly figures end with the month under way"
    for t in monthly:
        assert t["labels"][:-1] == t["months"][:-1]
        assert t["labels"][-1] == f"{t['months'][-1]}（截至今日）"
    for t in data["trends"]:
        if not t["last_month_partial"]:
            assert t["labels"] == t["months"]
