"""Two secretaries marking the same member's month at once (real concurrent connections, PostgreSQL only).

``mark_paid`` locks the members' rows before it looks for existing payments, so the second call waits for
the first to commit, then finds the month paid and is refused with the DomainError: one payment, one
audit row. (SQLite has no row locks: it serialises writers on the whole file, so this cannot be shown
there.) The last test runs the arrears and summary aggregates, whose SQL differs by backend
(``GREATEST``, ``DATE_TRUNC``, ``EXTRACT``, ``SUBSTRING``), on PostgreSQL.
"""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import transaction

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import in_thread, person_data
from tongxin.lifecycle import dues_queries
from tongxin.lifecycle.models import DuesCategory, DuesKind, DuesPayment
from tongxin.lifecycle.services.dues import mark_paid, set_dues_profile
from tongxin.people.services import create_person

pytestmark = pytest.mark.django_db(transaction=True)
needs_row_locks = pytest.mark.postgresql_only(
    reason="needs row locks across two connections (PostgreSQL); SQLite locks the whole database file",
)

JAN = datetime.date(2025, 1, 1)


def _mark(actor, tree, people):
    return lambda: mark_paid(actor, branch=tree.branch_a, kind=DuesKind.LEAGUE, month=JAN,
                             person_ids=[p.pk for p in people], paid_on=datetime.date(2025, 1, 10))  # fmt: skip


def _payment_rows(tree) -> tuple[int, int]:
    return (
        DuesPayment.objects.filter(person=tree.people.a1, kind="league", month=JAN).count(),
        ChangeLog.objects.filter(content_type__model="duespayment", action="create").count(),
    )


@needs_row_locks
def test_the_second_marking_waits_for_the_first_and_is_refused(tree, users):
    holding, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first():
        with transaction.atomic():
            payments = _mark(users.secretary_a, tree, [tree.people.a1, tree.people.a2])()
            holding.set()
            release.wait(10)
            return payments

    one = in_thread(first, results, "first")
    assert holding.wait(10)
    two = in_thread(_mark(users.committee_admin, tree, [tree.people.a1]), results, "second")
    two.join(0.5)
    assert two.is_alive(), "the second marking must wait for the lock on the member's row"
    release.set()
    one.join(10)
    two.join(10)

    assert len(results["first"]) == 2  # type: ignore[arg-type]
    assert isinstance(results["second"], DomainError), results["second"]
    assert tree.people.a1.name in " ".join(results["second"].messages)
    assert _payment_rows(tree) == (1, 2)


@needs_row_locks
def test_two_markings_started_together_leave_exactly_one_payment(tree, users):
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def racing(actor):
        mark = _mark(actor, tree, [tree.people.a1])

        def run():
            start.wait(10)
            return mark()

        return run

    threads = [
        in_thread(racing(users.secretary_a), results, "secretary_a"),
        in_thread(racing(users.committee_admin), results, "committee_admin"),
    ]
    for thread in threads:
        thread.join(15)

    outcomes = sorted(type(value).__name__ for value in results.values())
    assert outcomes == ["DomainError", "list"], results
    assert _payment_rows(tree) == (1, 1)


@pytest.mark.postgresql_only(
    reason="PostgreSQL's SQL for the aggregates; SQLite runs them in test_dues_arrears_and_summary.py",
)
def test_the_dues_aggregates_run_on_postgresql(tree):
    p = tree.people
    data = person_data(tree.branch_a, name="五月新人", league_join_date=datetime.date(2025, 5, 10))
    newcomer = create_person(None, {**data, "league_number": "202500000099"})
    set_dues_profile(None, p.a2, DuesCategory.WAGE, Decimal("6000"))
    for month in (1, 2, 3):
        mark_paid(None, branch=tree.branch_a, kind="league", month=datetime.date(2025, month, 1),
                  person_ids=[p.a1.pk], paid_on=JAN)  # fmt: skip
    mark_paid(None, branch=tree.branch_a, kind="league", month=datetime.date(2025, 5, 1),
              person_ids=[newcomer.pk], paid_on=JAN)  # fmt: skip
    mark_paid(None, branch=tree.branch_a, kind="league", month=JAN, person_ids=[p.a2.pk], paid_on=JAN)

    arrears = dues_queries.arrears(tree.committee1, DuesKind.LEAGUE, 6, today=datetime.date(2025, 7, 15))
    assert [(x.name, x.unpaid_months) for x in arrears] == [(p.b1.name, 6), (p.a2.name, 5), (p.a1.name, 3),
                                                            (newcomer.name, 1)]  # fmt: skip

    summary = dues_queries.monthly_summary(tree.root, DuesKind.LEAGUE, JAN)
    rows = {row.org.pk: (row.members, row.paid, row.collected) for row in summary.rows}
    assert rows[tree.committee1.pk] == (3, 2, Decimal("12.20"))
    assert rows[tree.committee2.pk] == (2, 0, Decimal("0.00"))
    ledger = dues_queries.ledger(tree.branch_a, DuesKind.LEAGUE, JAN)
    assert (ledger.members, ledger.paid, ledger.collected) == (2, 2, Decimal("12.20"))
