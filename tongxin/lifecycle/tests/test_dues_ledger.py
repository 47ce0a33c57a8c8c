"""Marking dues paid in bulk (mark_paid), its refusals with nothing written, taking a payment back, and the
ledger of a branch for a month."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongxin.core import rules
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import person_data
from tongxin.lifecycle import dues_queries
from tongxin.lifecycle.models import DuesCategory, DuesKind, DuesPayment
from tongxin.lifecycle.services.dues import mark_paid, set_dues_profile, undo_payment
from tongxin.people.models import Person
from tongxin.people.services import create_person, update_person

pytestmark = pytest.mark.usefixtures("english")

JAN = datetime.date(2025, 1, 1)
PAID_ON = datetime.date(2025, 1, 15)


def mark(actor, branch, people, *, month=JAN, kind=DuesKind.LEAGUE, paid_on=PAID_ON):
    return mark_paid(actor, branch=branch, kind=kind, month=month, person_ids=[p.pk for p in people], paid_on=paid_on)


def payment_log_count() -> int:
    return ChangeLog.objects.filter(content_type__model="duespayment").count()


def test_bulk_mark_paid_writes_a_payment_and_an_audit_row_each(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    set_dues_profile(None, a2, DuesCategory.WAGE, Decimal("5200"))

    payments = mark(users.secretary_a, tree.branch_a, [a1, a2], month=datetime.date(2025, 1, 20))

    assert len(payments) == 2
    rows = {p.person_id: p for p in DuesPayment.objects.all()}
    assert rows[a1.pk].amount == Decimal("0.20")  # a student (occupation, no profile)
    assert rows[a2.pk].amount == Decimal("10.00")  # floor(5200 × 2‰)
    for payment in rows.values():
        assert (payment.kind, payment.month, payment.paid_on) == ("league", JAN, PAID_ON)
        assert payment.org_path == tree.branch_a.path
        assert payment.recorded_by == users.secretary_a
    entries = ChangeLog.objects.filter(content_type__model="duespayment")
    assert entries.count() == 2
    entry = entries.get(object_id=str(rows[a2.pk].pk))
    assert entry.action == "create" and entry.actor == users.secretary_a and entry.org_path == tree.branch_a.path
    assert entry.after == {"person": a2.pk, "kind": "league", "month": "2025-01-01", "amount": "10.00",
                           "paid_on": "2025-01-15"}  # fmt: skip


def test_a_month_already_paid_is_refused_naming_who_and_nothing_is_written(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    mark(users.secretary_a, tree.branch_a, [a1])
    before = (DuesPayment.objects.count(), payment_log_count())

    with pytest.raises(DomainError) as refused:
        mark(users.secretary_a, tree.branch_a, [a2, a1])

    message = " ".join(refused.value.messages)
    assert a1.name in message and a2.name not in message and "2025-01" in message
    assert (DuesPayment.objects.count(), payment_log_count()) == before
    assert not DuesPayment.objects.filter(person=a2).exists()
    # Another month, or the other kind, is a different payment.
    mark(users.secretary_a, tree.branch_a, [a1], month=datetime.date(2025, 2, 1))
    assert DuesPayment.objects.filter(person=a1).count() == 2


@pytest.mark.parametrize("who", ["secretary_b", "outsider", "viewer", "member", "nobody"])
def test_only_those_who_may_change_branch_a_can_mark_it(tree, users, who):
    with pytest.raises(PermissionDenied):
        mark(getattr(users, who), tree.branch_a, [tree.people.a1])
    assert not DuesPayment.objects.exists()
    assert payment_log_count() == 0


def test_people_of_another_branch_are_refused_and_nothing_is_written(tree, users):
    # Secretary A names b1 (branch B) in branch A's ledger; the committee admin, who may change both,
    # names b1 in branch A too: refused either way, without naming b1 (who may be out of the actor's scope).
    for actor in (users.secretary_a, users.committee_admin):
        with pytest.raises(DomainError) as refused:
            mark(actor, tree.branch_a, [tree.people.a1, tree.people.b1])
        assert tree.people.b1.name not in " ".join(refused.value.messages)
    assert not DuesPayment.objects.exists()


def test_former_members_party_members_and_those_who_joined_later_do_not_owe_league_dues(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    update_person(None, a2, {"status": "left"})
    with pytest.raises(DomainError):
        mark(users.secretary_a, tree.branch_a, [a2])
    party = create_person(None, person_data(tree.branch_a, name="党员甲", political_status="01"))
    with pytest.raises(DomainError):
        mark(users.secretary_a, tree.branch_a, [party])
    mark(users.secretary_a, tree.branch_a, [party], kind=DuesKind.PARTY)  # party dues, yes
    Person.objects.filter(pk=a1.pk).update(league_join_date=datetime.date(2025, 2, 3))
    with pytest.raises(DomainError):
        mark(users.secretary_a, tree.branch_a, [a1])
    mark(users.secretary_a, tree.branch_a, [a1], month=datetime.date(2025, 2, 1))  # the month they joined
    assert DuesPayment.objects.count() == 2


def test_a_wage_earner_without_an_income_is_refused_by_name(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    Person.objects.filter(pk=a2.pk).update(occupation="employed")
    with pytest.raises(DomainError) as refused:
        mark(users.secretary_a, tree.branch_a, [a1, a2])
    assert a2.name in " ".join(refused.value.messages)
    assert not DuesPayment.objects.exists()


def test_other_refusals(tree, users):
    with pytest.raises(DomainError):
        mark(users.secretary_a, tree.branch_a, [])
    with pytest.raises(DomainError):
        mark(users.secretary_a, tree.branch_a, [tree.people.a1], paid_on=timezone.localdate() + datetime.timedelta(2))
    with pytest.raises(DomainError):
        mark(users.committee_admin, tree.committee1, [tree.people.a1])  # not a branch
    with pytest.raises(DomainError):
        mark(users.secretary_a, tree.branch_a, [tree.people.a1], kind="other")
    assert not DuesPayment.objects.exists()


def grow_branch_a(tree, total: int) -> list[Person]:
    people = list(Person.objects.filter(branch=tree.branch_a))
    i = len(people)
    while len(people) < total:
        occupation = ("student", "employed", "unemployed")[i % 3]
        person = create_person(None, person_data(tree.branch_a, name=f"甲员{i:03d}", occupation=occupation))
        if occupation == "employed":
            set_dues_profile(None, person, DuesCategory.WAGE, Decimal(1500 + 900 * i))
        people.append(person)
        i += 1
    return people


def test_mark_paid_query_count_does_not_grow_with_the_people(tree, users):
    def queries_for(people, month) -> int:
        rules.clear_cache()
        rules.rule("league_dues_flat_yuan")  # the shared cache holds the rules: no read of them is counted
        mark(users.secretary_a, tree.branch_a, people[:1], month=datetime.date(2024, 1, 1))  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            mark(users.secretary_a, tree.branch_a, people, month=month)
        return len(ctx.captured_queries)

    few = queries_for(grow_branch_a(tree, 3), datetime.date(2025, 1, 1))
    DuesPayment.objects.filter(month=datetime.date(2024, 1, 1)).delete()
    many = queries_for(grow_branch_a(tree, 40), datetime.date(2025, 2, 1))
    assert DuesPayment.objects.filter(month=datetime.date(2025, 2, 1)).count() == 40
    assert many == few, (few, many)
    assert few <= 10, few


def test_undo_removes_the_payment_and_is_audited(tree, users):
    (payment,) = mark(users.secretary_a, tree.branch_a, [tree.people.a1])
    for who in ("secretary_b", "outsider", "viewer"):
        with pytest.raises(PermissionDenied):
            undo_payment(getattr(users, who), payment)
    assert DuesPayment.objects.filter(pk=payment.pk).exists()

    undo_payment(users.secretary_a, payment)

    assert not DuesPayment.objects.exists()
    entry = ChangeLog.objects.get(content_type__model="duespayment", action="delete")
    assert (entry.before or {})["amount"] == "0.20" and entry.actor == users.secretary_a
    with pytest.raises(DomainError):
        undo_payment(users.secretary_a, payment)
    mark(users.secretary_a, tree.branch_a, [tree.people.a1])  # the month may be marked again


def test_the_ledger_lists_members_with_category_amount_and_payment(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    late = create_person(None, person_data(tree.branch_a, name="新团员", league_join_date=datetime.date(2025, 3, 1),
                                           league_number="202500000077"))  # fmt: skip
    worker = create_person(None, person_data(tree.branch_a, name="上班族", occupation="employed"))
    set_dues_profile(None, a2, DuesCategory.WAGE, Decimal("12000"))
    mark(users.secretary_a, tree.branch_a, [a1])

    ledger = dues_queries.ledger(tree.branch_a, DuesKind.LEAGUE, datetime.date(2025, 1, 31))

    rows = {row.person.pk: row for row in ledger.rows}
    assert set(rows) == {a1.pk, a2.pk, late.pk, worker.pk}
    assert (rows[a1.pk].category, rows[a1.pk].has_profile, rows[a1.pk].amount) == ("student", False, Decimal("0.20"))
    assert rows[a1.pk].paid and rows[a1.pk].paid_on == PAID_ON and not rows[a1.pk].can_mark
    assert (rows[a2.pk].category, rows[a2.pk].has_profile, rows[a2.pk].amount) == ("wage", True, Decimal("20.00"))
    assert not rows[a2.pk].paid and rows[a2.pk].can_mark
    assert rows[worker.pk].amount is None and not rows[worker.pk].can_mark  # income needed
    assert not rows[late.pk].owes and not rows[late.pk].can_mark
    assert (ledger.members, ledger.paid, ledger.unpaid, ledger.income_needed) == (3, 1, 2, 1)
    assert (ledger.collected, ledger.due_total) == (Decimal("0.20"), Decimal("20.20"))
