"""Arrears (unpaid months in the last N months) and the monthly summary of a subtree, both from aggregate
queries; and the inbox count of last month's unmarked dues."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.core.inbox import pending_for
from tongxin.core.testing import person_data
from tongxin.lifecycle import dues_queries
from tongxin.lifecycle.models import DuesCategory, DuesKind, DuesPayment
from tongxin.lifecycle.services.dues import add_months, current_month, mark_paid, set_dues_profile
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization
from tongxin.people.models import Person
from tongxin.people.services import create_person, update_person

pytestmark = pytest.mark.usefixtures("english")

TODAY = datetime.date(2025, 7, 15)


def month(m: int, year: int = 2025) -> datetime.date:
    return datetime.date(year, m, 1)


def pay(branch, person, months, kind=DuesKind.LEAGUE):
    for m in months:
        mark_paid(None, branch=branch, kind=kind, month=m, person_ids=[person.pk], paid_on=datetime.date(2025, 1, 1))


@pytest.fixture
def history(tree):
    """a1 paid January to March, a2 nothing, b1 every month, a newcomer (joined in May) paid May; c1 is in
    committee 2; a former member and a payment before the window do not count."""
    p = tree.people
    data = person_data(tree.branch_a, name="五月新人", league_join_date=datetime.date(2025, 5, 10))
    newcomer = create_person(None, {**data, "league_number": "202500000099"})
    gone = create_person(None, person_data(tree.branch_b, name="已离开"))
    update_person(None, gone, {"status": "left"})
    pay(tree.branch_a, p.a1, [month(12, 2024), month(1), month(2), month(3)])
    pay(tree.branch_b, p.b1, [month(m) for m in range(1, 7)])
    pay(tree.branch_a, newcomer, [month(5)])
    return newcomer


def test_the_window_is_the_months_before_the_current_one():
    assert dues_queries.arrears_window(6, TODAY) == (month(1), month(6))
    assert dues_queries.arrears_window(3, datetime.date(2025, 2, 1)) == (month(11, 2024), month(1))


def test_arrears_count_unpaid_months_since_joining_most_first(tree, history):
    rows = list(dues_queries.arrears(tree.committee1, DuesKind.LEAGUE, 6, today=TODAY))

    found = [(p.name, p.unpaid_months) for p in rows]
    assert found == [(tree.people.a2.name, 6), (tree.people.a1.name, 3), (history.name, 1)]
    assert rows[1].last_paid_month == month(3)
    assert rows[0].last_paid_month is None
    assert rows[0].branch == tree.branch_a


def test_arrears_over_fewer_months_and_another_subtree(tree, history):
    rows = dues_queries.arrears(tree.committee1, DuesKind.LEAGUE, 3, today=TODAY)
    assert {p.name: p.unpaid_months for p in rows} == {tree.people.a1.name: 3, tree.people.a2.name: 3, history.name: 1}
    assert [p.name for p in dues_queries.arrears(tree.branch_b, DuesKind.LEAGUE, 6, today=TODAY)] == []
    other = {p.name: p.unpaid_months for p in dues_queries.arrears(tree.committee2, DuesKind.LEAGUE, 6, today=TODAY)}
    assert other == {tree.people.c1.name: 6, tree.people.d1.name: 6}
    assert list(dues_queries.arrears(tree.committee1, DuesKind.PARTY, 6, today=TODAY)) == []


def test_arrears_is_one_query(tree, history):
    with CaptureQueriesContext(connection) as ctx:
        list(dues_queries.arrears(tree.root, DuesKind.LEAGUE, 6, today=TODAY))
    assert len(ctx.captured_queries) == 1


def test_summary_per_child_with_totals(tree, users):
    p = tree.people
    set_dues_profile(None, p.a2, DuesCategory.WAGE, Decimal("6000"))
    mark_paid(None, branch=tree.branch_a, kind="league", month=month(1), person_ids=[p.a1.pk, p.a2.pk],
              paid_on=datetime.date(2025, 1, 9))  # fmt: skip
    pay(tree.branch_c, p.c1, [month(1)])
    pay(tree.branch_b, p.b1, [month(2)])  # another month

    summary = dues_queries.monthly_summary(tree.committee1, DuesKind.LEAGUE, datetime.date(2025, 1, 20))

    rows = {row.org.pk: row for row in summary.rows}
    assert list(rows) == [tree.branch_a.pk, tree.branch_b.pk]
    a, b = rows[tree.branch_a.pk], rows[tree.branch_b.pk]
    assert (a.members, a.paid, a.unpaid, a.collected, a.rate) == (2, 2, 0, Decimal("12.20"), 1.0)
    assert (b.members, b.paid, b.unpaid, b.collected, b.rate) == (1, 0, 1, Decimal("0.00"), 0.0)
    total = summary.total
    assert (total.members, total.paid, total.collected) == (3, 2, Decimal("12.20"))
    assert total.percent == "66.7%"

    root = dues_queries.monthly_summary(tree.root, DuesKind.LEAGUE, month(1))
    by_org = {row.org.pk: (row.members, row.paid, row.collected) for row in root.rows}
    assert by_org == {
        tree.committee1.pk: (3, 2, Decimal("12.20")),
        tree.committee2.pk: (2, 1, Decimal("0.20")),
        tree.party_branch.pk: (0, 0, Decimal("0.00")),
    }
    assert next(r for r in root.rows if r.org.pk == tree.party_branch.pk).rate is None
    assert (root.total.members, root.total.paid, root.total.collected) == (5, 3, Decimal("12.40"))

    branch = dues_queries.monthly_summary(tree.branch_a, DuesKind.LEAGUE, month(1))
    assert branch.rows == [] and (branch.total.members, branch.total.paid) == (2, 2)


def test_a_member_who_moved_counts_as_paid_where_they_are_and_the_money_where_it_was_paid(tree):
    pay(tree.branch_a, tree.people.a1, [month(1)])
    update_person(None, tree.people.a1, {"branch": tree.branch_b}, reason="transfer")

    rows = {r.org.pk: r for r in dues_queries.monthly_summary(tree.committee1, DuesKind.LEAGUE, month(1)).rows}

    assert (rows[tree.branch_a.pk].members, rows[tree.branch_a.pk].paid, rows[tree.branch_a.pk].collected) == (
        1, 0, Decimal("0.20"),
    )  # fmt: skip
    assert (rows[tree.branch_b.pk].members, rows[tree.branch_b.pk].paid, rows[tree.branch_b.pk].collected) == (
        2, 1, Decimal("0.00"),
    )  # fmt: skip


def test_summary_query_count_does_not_grow_with_children_or_people(tree):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            dues_queries.monthly_summary(tree.committee1, DuesKind.LEAGUE, month(1))
        return len(ctx.captured_queries)

    small = count()
    for i in range(6):
        branch = create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name=f"新支部{i}", code=f"N{i}")
        for j in range(3):
            person = create_person(None, person_data(branch, name=f"新{i}{j}"))
            pay(branch, person, [month(1)])
    assert count() == small == 4


def test_the_inbox_counts_last_months_unmarked_dues_for_secretaries(tree, users):
    last = add_months(current_month(), -1)

    def dues_items(user):
        return [item for item in pending_for(user) if "Dues of" in str(item.label)]

    (item,) = dues_items(users.secretary_a)
    assert item.count == 2 and last.strftime("%Y-%m") in str(item.label)
    assert item.url.endswith(f"?month={last:%Y-%m}")
    mark_paid(users.secretary_a, branch=tree.branch_a, kind="league", month=last, person_ids=[tree.people.a1.pk],
              paid_on=last)  # fmt: skip
    assert [i.count for i in dues_items(users.secretary_a)] == [1]
    assert [i.count for i in dues_items(users.secretary_b)] == [1]  # b1
    for admin in (users.committee_admin, users.district, users.outsider):  # administrators: not in their inbox
        assert dues_items(admin) == []
    Person.objects.filter(pk=tree.people.a2.pk).update(political_status="01")  # now owes party dues
    assert [i.count for i in dues_items(users.secretary_a)] == [1]
    DuesPayment.objects.create(person=tree.people.a2, kind="party", month=last, amount="0.20", paid_on=last,
                               org_path=tree.branch_a.path)  # fmt: skip
    assert dues_items(users.secretary_a) == []  # nothing left: dropped
    with CaptureQueriesContext(connection) as ctx:
        assert dues_items(users.viewer) == []  # no CHANGE scope
    assert not [q for q in ctx.captured_queries if "lifecycle_duespayment" in q["sql"]]
