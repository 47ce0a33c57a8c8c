"""The compliance board (一表通): cells, periods, joint activities, rates, drill-down, pages, API, export and
its cost. Meetings are made directly through the ORM (the meeting services are another module's)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.core.testing import person_data, years_ago
from tongxin.orglife.models import Meeting, MeetingKind, MeetingStatus
from tongxin.orglife.queries import DONE, DUE, OVERDUE, UPCOMING, compliance_board, parse_period
from tongxin.orglife.services.requirements import set_requirement
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization
from tongxin.people.services import create_person

YEAR = 2025
TODAY = datetime.date(2025, 5, 15)  # January–April ended, May (and Q2) under way


def held(org, kind, day, *, status=MeetingStatus.HELD, also=()):
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    meeting = Meeting.objects.create(organization=org, org_path=org.path, kind=kind, status=status, starts_at=starts,
                                     topic="会议")  # fmt: skip
    if also:
        meeting.organizations.set([org, *also])
    return meeting


def cells_of(board, kind):
    return [(c.index + 1, c.status) for c in board.rows[0].cells[kind]]


def test_monthly_cells_done_due_overdue_and_upcoming(tree):
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 1, 10))
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 3, 1), status=MeetingStatus.PLANNED)
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 4, 1), status=MeetingStatus.CANCELLED)
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2024, 12, 31))  # another year
    held(tree.branch_b, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 2, 10))  # another branch
    board = compliance_board(None, tree.branch_a, year=YEAR, today=TODAY)
    assert board.is_leaf
    assert cells_of(board, MeetingKind.LEAGUE_COMMITTEE) == [
        (1, DONE), (2, OVERDUE), (3, OVERDUE), (4, OVERDUE), (5, DUE), *[(m, UPCOMING) for m in range(6, 13)]
    ]  # fmt: skip


def test_quarterly_and_monthly_periods(tree):
    held(tree.branch_a, MeetingKind.LEAGUE_GENERAL, datetime.date(2025, 2, 1))
    held(tree.branch_a, MeetingKind.LEAGUE_DAY, datetime.date(2025, 5, 4))
    board = compliance_board(None, tree.branch_a, year=YEAR, today=TODAY)
    assert cells_of(board, MeetingKind.LEAGUE_GENERAL) == [(1, DONE), (2, DUE), (3, UPCOMING), (4, UPCOMING)]
    assert cells_of(board, MeetingKind.LEAGUE_DAY)[3:5] == [(4, OVERDUE), (5, DONE)]
    # A period of the year: the periods of each requirement overlapping it.
    q2 = compliance_board(None, tree.branch_a, year=YEAR, period="q2", today=TODAY)
    assert cells_of(q2, MeetingKind.LEAGUE_GENERAL) == [(2, DUE)]
    assert cells_of(q2, MeetingKind.LEAGUE_DAY) == [(4, OVERDUE), (5, DONE), (6, UPCOMING)]
    march = compliance_board(None, tree.branch_a, year=YEAR, period="m3", today=TODAY)
    assert cells_of(march, MeetingKind.LEAGUE_GENERAL) == [(1, DONE)]
    assert parse_period("m13") is None and parse_period("x") is None and parse_period("q4") == (10, 12)


def test_a_past_year_has_no_due_cells_and_a_meeting_at_the_month_edge_counts_in_local_time(tree):
    # 2024-03-31 23:30 in Shanghai is still March there (15:30 UTC).
    starts = timezone.make_aware(datetime.datetime(2024, 3, 31, 23, 30))
    Meeting.objects.create(organization=tree.branch_a, org_path=tree.branch_a.path, status=MeetingStatus.HELD,
                           kind=MeetingKind.LEAGUE_COMMITTEE, starts_at=starts, topic="月末")  # fmt: skip
    board = compliance_board(None, tree.branch_a, year=2024, today=TODAY)
    statuses = dict(cells_of(board, MeetingKind.LEAGUE_COMMITTEE))
    assert statuses[3] == DONE and statuses[4] == OVERDUE
    assert board.total.due == 0 and board.total.upcoming == 0


def test_a_joint_activity_counts_for_every_organisation_it_lists(tree):
    # A theme league day held by branches A and B together, recorded by A.
    held(tree.branch_a, MeetingKind.LEAGUE_DAY, datetime.date(2025, 2, 20), also=[tree.branch_b])
    # A joint party-league activity of A with the party branch: A's theme league day, the party branch's
    # theme party day.
    held(tree.branch_a, MeetingKind.JOINT_ACTIVITY, datetime.date(2025, 3, 5), also=[tree.party_branch])
    a = compliance_board(None, tree.branch_a, year=YEAR, today=TODAY)
    b = compliance_board(None, tree.branch_b, year=YEAR, today=TODAY)
    party = compliance_board(None, tree.party_branch, year=YEAR, today=TODAY)
    assert dict(cells_of(a, MeetingKind.LEAGUE_DAY))[2] == DONE
    assert dict(cells_of(b, MeetingKind.LEAGUE_DAY))[2] == DONE
    assert dict(cells_of(a, MeetingKind.LEAGUE_DAY))[3] == DONE
    assert dict(cells_of(party, MeetingKind.PARTY_DAY))[3] == DONE
    # Counted once for the recording branch, though it is listed too.
    assert [c.held for c in a.rows[0].cells[MeetingKind.LEAGUE_DAY]][1] == 1


def test_rates(tree):
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 1, 10))
    held(tree.branch_a, MeetingKind.LEAGUE_GENERAL, datetime.date(2025, 2, 1))
    held(tree.branch_a, MeetingKind.LEAGUE_DAY, datetime.date(2025, 5, 4))
    board = compliance_board(None, tree.branch_a, year=YEAR, today=TODAY)
    # Ended: 3 monthly kinds × 4 months + 2 quarterly kinds × Q1 = 14 periods, 2 held.
    # Under way: May for the 3 monthly kinds and Q2 for the 2 quarterly ones = 5, 1 held.
    total = board.total
    assert (total.done_ended, total.overdue, total.done_current, total.due) == (2, 12, 1, 4)
    assert total.rate == pytest.approx(2 / 14)
    assert total.rate_current == pytest.approx(3 / 19)
    assert total.percent == "14.3%"


def test_drill_down_aggregates_per_child_at_a_committee(tree):
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 1, 10))
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 2, 10))
    held(tree.branch_b, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 1, 11))
    board = compliance_board(None, tree.committee1, year=YEAR, today=TODAY)
    assert not board.is_leaf
    assert [row.org for row in board.rows] == [tree.branch_a, tree.branch_b]
    a, b = board.rows
    assert (a.by_kind[MeetingKind.LEAGUE_COMMITTEE].done, a.by_kind[MeetingKind.LEAGUE_COMMITTEE].overdue) == (2, 2)
    assert (b.by_kind[MeetingKind.LEAGUE_COMMITTEE].done, b.by_kind[MeetingKind.LEAGUE_COMMITTEE].overdue) == (1, 3)
    assert board.total_by_kind[MeetingKind.LEAGUE_COMMITTEE].done == 3
    assert [row.org for row in board.sorted_rows("worst")] == [tree.branch_b, tree.branch_a]

    root = compliance_board(None, tree.root, year=YEAR, today=TODAY)
    by_org = {row.org.pk: row for row in root.rows}
    assert set(by_org) == {tree.committee1.pk, tree.committee2.pk, tree.party_branch.pk}
    c1 = by_org[tree.committee1.pk]
    assert c1.organisations == 2 and c1.by_kind[MeetingKind.LEAGUE_COMMITTEE].done == 3
    assert c1.total.done == a.total.done + b.total.done and c1.total.overdue == a.total.overdue + b.total.overdue
    assert MeetingKind.PARTY_DAY in by_org[tree.party_branch.pk].by_kind
    assert root.total.done == sum(row.total.done for row in root.rows)


def test_changing_a_requirement_changes_the_board(tree):
    set_requirement(None, org_kind=OrgKind.BRANCH, meeting_kind=MeetingKind.LEAGUE_GROUP, frequency="month",
                    active=False)  # fmt: skip
    set_requirement(None, org_kind=OrgKind.BRANCH, meeting_kind=MeetingKind.LEAGUE_COMMITTEE, frequency="quarter",
                    active=True)  # fmt: skip
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 2, 10))
    board = compliance_board(None, tree.branch_a, year=YEAR, today=TODAY)
    assert MeetingKind.LEAGUE_GROUP not in dict(board.kinds)
    assert cells_of(board, MeetingKind.LEAGUE_COMMITTEE) == [(1, DONE), (2, DUE), (3, UPCOMING), (4, UPCOMING)]


def test_party_branch_shows_birthdays_dues_day_and_yearly_meetings(tree):
    today = timezone.localdate()
    joined = datetime.date(today.year - 3, today.month, 1)
    birth = years_ago(25)  # joined the Party at 22 (at 18 or older: issue 12 §3)
    create_person(None, person_data(tree.party_branch, name="党员甲", political_status="01", party_join_date=joined,
                                    birth=birth))  # fmt: skip
    other_month = datetime.date(today.year - 3, today.month % 12 + 1, 1)
    create_person(None, person_data(tree.party_branch, name="党员乙", political_status="01",
                                    party_join_date=other_month, birth=birth))  # fmt: skip
    create_person(None, person_data(tree.party_branch, name="团员丙", party_join_date=joined, birth=birth))
    held(tree.party_branch, MeetingKind.LIFE_MEETING, today.replace(day=1))
    board = compliance_board(None, tree.party_branch, year=today.year, today=today)
    assert board.extras is not None
    assert [(b.name, b.years) for b in board.extras.birthdays] == [("党员甲", 3)]
    assert board.extras.dues_day == 5
    assert board.extras.yearly_held == [
        (MeetingKind.LIFE_MEETING, str(MeetingKind.LIFE_MEETING.label), True),
        (MeetingKind.DEMOCRATIC_REVIEW, str(MeetingKind.DEMOCRATIC_REVIEW.label), False),
    ]
    assert compliance_board(None, tree.branch_a, year=today.year).extras is None


def _committee_with_branches(tree, n):
    committee = create_organization(None, parent=tree.root, kind=OrgKind.COMMITTEE, name=f"计数团委{n}", code=f"N{n}")
    for i in range(n):
        branch = create_organization(None, parent=committee, kind=OrgKind.BRANCH, name=f"计数支部{n}-{i}",
                                     code=f"N{n}-{i}")  # fmt: skip
        held(branch, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 1 + i % 12, 3), also=[tree.branch_a])
        held(branch, MeetingKind.LEAGUE_DAY, datetime.date(2025, 2, 3))
    return committee


def test_query_count_does_not_grow_with_the_branches(tree, users):
    small, large = _committee_with_branches(tree, 2), _committee_with_branches(tree, 20)
    users.district.get_scope()
    counts = []
    for committee in (small, large, tree.root):
        with CaptureQueriesContext(connection) as ctx:
            board = compliance_board(users.district, committee, year=YEAR, today=TODAY)
        counts.append(len(ctx.captured_queries))
        assert board.total.done
    assert counts[0] == counts[1] == counts[2] <= 5, counts


# --- pages, export, API ---------------------------------------------------------------------------------


def test_board_page_drills_down_and_sorts(tree, users, client_for):
    year = timezone.localdate().year
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, timezone.localdate())
    client = client_for(users.district)
    page = client.get(f"/orglife/board/?org={tree.committee1.pk}&year={year}&sort=worst")
    assert page.status_code == 200
    body = page.content.decode()
    assert tree.branch_a.display_name in body and f"?org={tree.branch_a.pk}&amp;year={year}" in body
    assert 'class="table-responsive tx-board-scroll"' in body
    branch = client.get(f"/orglife/board/?org={tree.branch_a.pk}&year={year}")
    assert branch.status_code == 200 and 'data-status="done"' in branch.content.decode()
    party = client.get(f"/orglife/board/?org={tree.party_branch.pk}&year={year}")
    assert 'data-testid="party-branch"' in party.content.decode()
    home = client.get("/orglife/board/")  # one top organisation: its board
    assert home.status_code == 200 and tree.root.display_name in home.content.decode()
    detail = client.get(f"/orgs/{tree.committee1.pk}/")
    assert f"/orglife/board/?org={tree.committee1.pk}" in detail.content.decode()


def test_export_has_the_same_cells(tree, users, client_for):
    year = timezone.localdate().year
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, timezone.localdate())
    client = client_for(users.committee_admin)
    for org in (tree.committee1, tree.branch_a):
        response = client.get(f"/orglife/board/export/?org={org.pk}&year={year}")
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
        board = compliance_board(users.committee_admin, org, year=year)
        if org == tree.committee1:
            assert [r[0] for r in rows[1:-1]] == [row.org.name for row in board.rows]
            rates = [board.total.rate, board.total.rate_current]
            assert rows[-1][-2:] == ["" if rate is None else round(rate, 4) for rate in rates]
            first = board.rows[0].by_kind[MeetingKind.LEAGUE_COMMITTEE]
            column = 1 + 3 * [k for k, _l in board.kinds].index(MeetingKind.LEAGUE_COMMITTEE)
            assert rows[1][column : column + 3] == [first.done, first.due, first.overdue]
        else:
            assert len(rows) == 1 + len(board.kinds) + 1


def test_api_returns_the_board(tree, users, api_for):
    year = timezone.localdate().year
    held(tree.branch_a, MeetingKind.LEAGUE_COMMITTEE, timezone.localdate())
    api = api_for(users.committee_admin)
    data = api.get(f"/api/compliance/?org={tree.committee1.pk}&year={year}").json()
    assert data["view"] == "children" and [r["org"]["id"] for r in data["rows"]] == [tree.branch_a.pk,
                                                                                    tree.branch_b.pk]  # fmt: skip
    assert data["rows"][0]["kinds"][MeetingKind.LEAGUE_COMMITTEE]["done"] == 1
    leaf = api.get(f"/api/compliance/?org={tree.branch_a.pk}&year={year}").json()
    cells = leaf["rows"][0]["cells"][MeetingKind.LEAGUE_COMMITTEE]
    assert cells[timezone.localdate().month - 1]["status"] == "done"
    assert api.get("/api/compliance/").json()["org"]["id"] == tree.committee1.pk


def test_outsider_gets_404(tree, users, client_for, api_for):
    for who in ("outsider", "secretary_b"):
        client = client_for(getattr(users, who))
        assert client.get(f"/orglife/board/?org={tree.branch_a.pk}").status_code == 404
        assert client.get(f"/orglife/board/export/?org={tree.branch_a.pk}").status_code == 404
        assert api_for(getattr(users, who)).get(f"/api/compliance/?org={tree.branch_a.pk}").status_code == 404
    nobody = client_for(users.nobody)
    assert tree.root.name not in nobody.get("/orglife/board/").content.decode()
    assert api_for(users.nobody).get("/api/compliance/").status_code == 404
    with pytest.raises(PermissionDenied):  # the service refuses too
        compliance_board(users.outsider, tree.committee1, year=YEAR)


def test_a_committee_row_adds_up_its_branches_cells(tree):
    """The committee view counts from month masks; a branch's view from its cells: they agree, joint
    activities, quarterly periods and a chosen period included."""
    held(tree.branch_a, MeetingKind.LEAGUE_DAY, datetime.date(2025, 2, 20), also=[tree.branch_b])
    held(tree.branch_b, MeetingKind.JOINT_ACTIVITY, datetime.date(2025, 3, 5), also=[tree.branch_a])
    held(tree.branch_a, MeetingKind.LEAGUE_GENERAL, datetime.date(2025, 4, 2))
    held(tree.branch_a, MeetingKind.LEAGUE_GENERAL, datetime.date(2025, 5, 2))
    held(tree.branch_b, MeetingKind.LEAGUE_COMMITTEE, datetime.date(2025, 5, 2))
    held(tree.party_branch, MeetingKind.JOINT_ACTIVITY, datetime.date(2025, 1, 9), also=[tree.branch_a])
    for period in (None, "q2", "m3"):
        committee = compliance_board(None, tree.committee1, year=YEAR, period=period, today=TODAY)
        for row in committee.rows:
            leaf = compliance_board(None, row.org, year=YEAR, period=period, today=TODAY).rows[0]
            assert {k: c.as_dict() for k, c in row.by_kind.items()} == {k: c.as_dict() for k, c in leaf.by_kind.items()}
        root = compliance_board(None, tree.root, year=YEAR, period=period, today=TODAY)
        party_row = next(r for r in root.rows if r.org == tree.party_branch)
        party_leaf = compliance_board(None, tree.party_branch, year=YEAR, period=period, today=TODAY).rows[0]
        assert party_row.total.as_dict() == party_leaf.total.as_dict()
    board = compliance_board(None, tree.branch_a, year=YEAR, today=TODAY)
    assert dict(cells_of(board, MeetingKind.LEAGUE_DAY))[1] == DONE  # the party branch's joint activity
    assert dict(cells_of(board, MeetingKind.LEAGUE_GENERAL))[2] == DONE


def test_with_no_required_meeting_at_all_the_board_says_so(tree, users, client_for, english):
    from tongxin.orglife.models import MeetingRequirement

    MeetingRequirement.objects.update(active=False)

    response = client_for(users.district).get(f"/orglife/board/?org={tree.committee1.pk}")

    assert response.status_code == 200
    assert "No organisation here has required meetings." in response.content.decode()
