"""What a member sees of his own dues (我的团费): read through ``DuesPayment``'s ``ScopeSpec(own="person")``, the
same mechanism that shows him his own person record; no write, no one else's row."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from tongxin.lifecycle.dues_queries import ARREARS_MONTHS, arrears_window
from tongxin.lifecycle.models import OPEN_TRANSFER_STATUSES, DuesKind, DuesPayment, Transfer
from tongxin.lifecycle.services import dues as services
from tongxin.lifecycle.services.common import add_months
from tongxin.people.models import Person


@dataclass
class MyDues:
    """One kind of dues the member owes: the monthly amount, the months of the window left unpaid."""

    kind: str
    label: str
    monthly: Decimal | None
    unpaid: list[datetime.date] = field(default_factory=list)


def own_person(user: Any) -> Person | None:
    """The user's own person record, through the scope (``own="pk"``): ``None`` for a user linked to none."""
    if not getattr(user, "person_id", None):
        return None
    return Person.objects.visible_to(user).select_related("dues_profile", "branch").filter(pk=user.person_id).first()


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def my_dues(user: Any, person: Person, today: datetime.date | None = None) -> list[MyDues]:
    """The kinds of dues ``person`` owes by his political status, each with the months of the arrears window
    (the last complete ``ARREARS_MONTHS``) he has not paid; months before he joined are not counted."""
    first, last = arrears_window(ARREARS_MONTHS, today)
    if person.league_join_date is not None:
        first = max(first, services.first_of_month(person.league_join_date))
    paid = set(
        DuesPayment.objects.visible_to(user)
        .filter(person=person, month__gte=first, month__lte=last)
        .values_list("kind", "month")
    )
    profile = services.profile_of(person)
    shown = []
    for kind in (DuesKind.LEAGUE, DuesKind.PARTY):
        if person.political_status not in services.DUES_STATUSES[kind]:
            continue
        unpaid = [month for month in _months(first, last) if (kind, month) not in paid]
        shown.append(MyDues(kind, services.kind_label(kind), services.monthly_amount(person, kind, profile), unpaid))
    return shown


def unpaid_months(user: Any) -> int | None:
    """The member's home card: how many months of the window he has left unpaid (one query for the person, one
    for the payments); ``None`` (no card) for a user linked to no person or owing no dues."""
    person = own_person(user)
    if person is None:
        return None
    owed = my_dues(user, person)
    return sum(len(row.unpaid) for row in owed) if owed else None


def my_branch_name(user: Any) -> str | None:
    """The member's branch card: the branch's name (one query); none for a person outside any branch."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    row = Person.objects.filter(pk=person_id).values_list("branch__short_name", "branch__name").first()
    return (row[0] or row[1]) if row and row[1] else None


def my_transfers(user: Any) -> int | None:
    """The member's home card: his transfers still in progress (one query); ``None`` (no card) for a member who
    has never had a transfer, for whom the card would only be noise."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    counts = Transfer.objects.filter(person_id=person_id).aggregate(
        every=Count("id"), open=Count("id", filter=Q(status__in=OPEN_TRANSFER_STATUSES))
    )
    return counts["open"] if counts["every"] else None


def transfers_in_progress(user: Any) -> int:
    """The workbench's transfers card: transfers in progress that the user sees, from either side (one COUNT)."""
    return Transfer.objects.visible_to(user).filter(status__in=OPEN_TRANSFER_STATUSES).order_by().count()


def own_branch_link(request: Any, person: Person) -> dict[str, Any]:
    """On a member's own profile, the branch links to his branch page (the branch's page is for role holders
    and answered him 404); role holders keep the link to the branch's page."""
    user = getattr(request, "user", None)
    mine = person.pk == getattr(user, "person_id", None) and not getattr(user, "has_org_role", False)
    return {"own_branch_url": reverse("lifecycle:my_branch") if mine else None}
