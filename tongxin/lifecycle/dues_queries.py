"""Reads of dues (团费, 党费): a branch's monthly ledger, arrears, the monthly summary of a subtree.

Each costs a fixed number of queries whatever the number of people: the ledger two (members with their
profiles, the month's payments), arrears one (the counts are correlated subqueries on the payment
table's (person, kind, month) unique index), the summary three aggregates grouped by child organisation
(the child is the path prefix one step below the organisation: no join to the tree).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.inbox import PendingItem
from tongxin.core.rates import percent, share
from tongxin.core.scoping import CHANGE, MANAGE, Scope, scope_for, subtree_q
from tongxin.lifecycle.models import DuesCategory, DuesKind, DuesPayment
from tongxin.lifecycle.services.dues import (
    DUES_STATUSES,
    JOIN_DATE_FIELDS,
    add_months,
    effective_basis,
    first_of_month,
    monthly_amount,
    owes_month,
    owing_q,
    profile_of,
)
from tongxin.orgs.models import STEP_WIDTH, Organization, OrgStatus
from tongxin.people.models import MembershipStatus, Person

ARREARS_MONTHS = 6
# What a ledger row needs of a person (and the join dates that decide which months they owe).
LEDGER_COLUMNS = ["name", "name_pinyin", "occupation", "political_status", "league_join_date", "party_join_date",
                  "org_path", "branch_id", "status"]  # fmt: skip


# --- the ledger of a branch --------------------------------------------------------------------------------


@dataclass
class LedgerRow:
    person: Person
    category: str
    has_profile: bool
    amount: Decimal | None  # None: the income is needed to work it out
    owes: bool  # False: joined after this month
    payment: DuesPayment | None

    @property
    def category_label(self) -> str:
        return str(DuesCategory(self.category).label)

    @property
    def paid(self) -> bool:
        return self.payment is not None

    @property
    def paid_on(self) -> datetime.date | None:
        return self.payment.paid_on if self.payment else None

    @property
    def can_mark(self) -> bool:
        return self.owes and not self.paid and self.amount is not None


@dataclass
class Ledger:
    branch: Organization
    kind: str
    month: datetime.date
    rows: list[LedgerRow]
    members: int = 0
    paid: int = 0
    due_total: Decimal = Decimal("0.00")
    collected: Decimal = Decimal("0.00")
    income_needed: int = 0

    @property
    def unpaid(self) -> int:
        return self.members - self.paid


def ledger(branch: Organization, kind: str, month: datetime.date) -> Ledger:
    """Every active member of ``branch`` who pays ``kind`` dues, with category, amount due and payment for
    ``month`` (two queries). Members who joined after the month are listed as not owing it."""
    month = first_of_month(month)
    people_qs = Person.objects.filter(
        branch=branch, status=MembershipStatus.ACTIVE, political_status__in=DUES_STATUSES[kind]
    )
    people = list(
        people_qs.select_related("dues_profile")
        .only(*LEDGER_COLUMNS, "dues_profile__category", "dues_profile__monthly_income")
        .order_by("name_pinyin", "id")
    )
    payments = {
        p.person_id: p
        for p in DuesPayment.objects.filter(kind=kind, month=month, person__in=people_qs.values("pk")).only(
            "person_id", "amount", "paid_on", "month", "kind", "org_path"
        )
    }
    result = Ledger(branch=branch, kind=kind, month=month, rows=[])
    for person in people:
        profile = profile_of(person)
        category, _income = effective_basis(person, profile)
        owes = owes_month(person, kind, month)
        payment = payments.get(person.pk)
        amount = payment.amount if payment is not None else monthly_amount(person, kind, profile)
        row = LedgerRow(person, category, profile is not None, amount, owes, payment)
        result.rows.append(row)
        if owes or payment is not None:
            result.members += 1
            if amount is not None:
                result.due_total += amount
            else:
                result.income_needed += 1
        if payment is not None:
            result.paid += 1
            result.collected += payment.amount
    return result


# --- arrears ----------------------------------------------------------------------------------------------


def arrears_window(
    months: int = ARREARS_MONTHS, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """(first, last) month of the arrears window: the ``months`` months before the current one."""
    current = first_of_month(today or timezone.localdate())
    return add_months(current, -months), add_months(current, -1)


def arrears(org: Organization, kind: str, months: int = ARREARS_MONTHS, *,
            today: datetime.date | None = None) -> QuerySet[Any]:  # fmt: skip
    """Active members of ``org``'s subtree with unpaid ``kind`` dues in the last ``months`` complete months
    (months before they joined not counted), most months unpaid first.

    Each Person is annotated with ``unpaid_months`` and ``last_paid_month`` (the latest month paid ever, or
    None); one query.
    """
    start, end = arrears_window(months, today)
    join = JOIN_DATE_FIELDS[kind]
    # The first month owed and how many months are owed, as one CASE over the window's months: plain date
    # comparisons, no month arithmetic on each row (on SQLite TruncMonth and Extract* are Python functions
    # called for every member of the subtree, which made the district's page take a second).
    firsts = [add_months(start, i) for i in range(months)]
    joined_by = [Q(**{f"{join}__isnull": True}) | Q(**{f"{join}__lt": add_months(start, 1)})] + [
        Q(**{f"{join}__lt": add_months(first, 1)}) for first in firsts[1:]
    ]
    owed_from = Case(
        *(When(q, then=Value(first)) for q, first in zip(joined_by, firsts, strict=True)),
        default=Value(add_months(end, 1)),
        output_field=DateField(),
    )
    owed_months = Case(
        *(When(q, then=Value(months - i)) for i, q in enumerate(joined_by)),
        default=Value(0),
        output_field=IntegerField(),
    )
    paid = (
        DuesPayment.objects.filter(person=OuterRef("pk"), kind=kind, month__gte=OuterRef("owed_from"), month__lte=end)
        .order_by()
        .values("person")
        .annotate(n=Count("id"))
        .values("n")
    )
    last_paid = DuesPayment.objects.filter(person=OuterRef("pk"), kind=kind).order_by("-month").values("month")[:1]
    return (
        Person.objects.filter(subtree_q("org_path", org.path), owing_q(kind, end))
        .annotate(owed_from=owed_from)
        .annotate(owed_months=owed_months, paid_months=Coalesce(Subquery(paid, output_field=IntegerField()), 0))
        .annotate(unpaid_months=Coalesce("owed_months", 0) - Coalesce("paid_months", 0))
        .annotate(last_paid_month=Subquery(last_paid, output_field=DateField()))
        .filter(unpaid_months__gt=0)
        .select_related("branch")
        .only("name", "name_pinyin", "org_path", "branch__name", "branch__short_name", "political_status", join)
        .order_by("-unpaid_months", "org_path", "name_pinyin", "id")
    )


def arrears_page(org: Organization, kind: str, months: int, number: Any, per_page: int) -> Page[Any]:
    """One page of :func:`arrears`, in two queries instead of the paginator's COUNT and slice, which each
    worked out every member's unpaid months (0.29 and 0.40 s at the demo district on PostgreSQL): the ids
    of every row in order (the heavy query, once; a few thousand integers at most), then the page's rows by
    id with their annotations."""
    queryset = arrears(org, kind, months)
    ids = list(queryset.values_list("id", flat=True))
    page = Paginator(ids, per_page).get_page(number)
    rows = {person.pk: person for person in queryset.filter(pk__in=list(page.object_list)).order_by()}
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


# --- the monthly summary of a subtree ---------------------------------------------------------------------


@dataclass
class SummaryRow:
    org: Organization  # a child; for the total row, the organisation summarised
    members: int = 0
    paid: int = 0
    collected: Decimal = field(default_factory=lambda: Decimal("0.00"))

    @property
    def unpaid(self) -> int:
        return max(self.members - self.paid, 0)

    @property
    def rate(self) -> float | None:
        """Share of the members who owe the month that have paid it (0–1), None without members."""
        return share(self.paid, self.members)

    @property
    def percent(self) -> str:
        return percent(self.rate)


@dataclass
class Summary:
    org: Organization
    kind: str
    month: datetime.date
    rows: list[SummaryRow]
    total: SummaryRow


def monthly_summary(org: Organization, kind: str, month: datetime.date) -> Summary:
    """Per active child of ``org`` (and in total): members who owe ``kind`` dues of ``month``, how many of
    them have paid it, and the amount collected in that child's subtree (payments marked there, whoever
    paid). Four queries: the children and three aggregates grouped by the child's path prefix."""
    month = first_of_month(month)
    key_length = len(org.path) + STEP_WIDTH
    children = list(
        Organization.objects.filter(parent=org, status=OrgStatus.ACTIVE)
        .only("id", "name", "short_name", "kind", "path", "code")
        .order_by("kind", "code", "id")
    )
    members_qs = Person.objects.filter(subtree_q("org_path", org.path), owing_q(kind, month))
    members = dict(
        members_qs.annotate(child=Substr("org_path", 1, key_length))
        .order_by()
        .values("child")
        .annotate(n=Count("id"))
        .values_list("child", "n")
    )
    paid = dict(
        DuesPayment.objects.filter(kind=kind, month=month)
        .filter(Exists(members_qs.filter(pk=OuterRef("person_id"))))
        .annotate(child=Substr("person__org_path", 1, key_length))
        .order_by()
        .values("child")
        .annotate(n=Count("id"))
        .values_list("child", "n")
    )
    collected = dict(
        DuesPayment.objects.filter(subtree_q("org_path", org.path), kind=kind, month=month)
        .annotate(child=Substr("org_path", 1, key_length))
        .order_by()
        .values("child")
        .annotate(total=Sum("amount"))
        .values_list("child", "total")
    )
    rows = [
        SummaryRow(
            child,
            members.get(child.path, 0),
            paid.get(child.path, 0),
            _money(collected.get(child.path)),
        )
        for child in children
    ]
    total = SummaryRow(
        org,
        sum(members.values()),
        sum(paid.values()),
        _money(sum((_money(v) for v in collected.values()), Decimal(0))),
    )
    return Summary(org=org, kind=kind, month=month, rows=rows, total=total)


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


# --- the secretary's inbox --------------------------------------------------------------------------------


def secretary_prefixes(user: Any) -> list[str]:
    """The subtrees where ``user`` marks dues as a secretary: those they may change but not manage (an
    administrator's whole committee or district is left out: their inbox would count thousands of people
    on every page). No query beyond the user's role assignments, which every page reads anyway."""
    change, manage = scope_for(user, CHANGE), scope_for(user, MANAGE)
    if change.everything:
        return []
    return [prefix for prefix in change.prefixes if not manage.covers_path(prefix)]


def unmarked_last_month_count(prefixes: list[str], today: datetime.date | None = None) -> int:
    """Members of the subtrees ``prefixes`` who owe last month's dues (league or party, by status) and are
    not marked paid for it: one COUNT query."""
    return unmarked_count(prefixes, add_months(first_of_month(today or timezone.localdate()), -1))


def unmarked_count(prefixes: list[str], month: datetime.date) -> int:
    """Members of the subtrees ``prefixes`` who owe ``month``'s dues and are not marked paid for it (one COUNT)."""
    unpaid_q = Q()
    for kind in (DuesKind.LEAGUE, DuesKind.PARTY):
        paid = DuesPayment.objects.filter(person=OuterRef("pk"), kind=kind, month=month)
        unpaid_q |= owing_q(kind, month) & Q(~Exists(paid))
    return Person.objects.filter(Scope(prefixes=tuple(prefixes)).q("org_path")).filter(unpaid_q).count()


def pending_dues(user: Any) -> list[PendingItem]:
    """The inbox provider (``tongxin.core.inbox``): last month's dues not yet marked paid, for secretaries
    (see :func:`secretary_prefixes`); nothing, without a query, for anyone else."""
    prefixes = secretary_prefixes(user)
    if not prefixes:
        return []
    month = add_months(first_of_month(timezone.localdate()), -1)
    count = unmarked_last_month_count(prefixes)
    label = _("Dues of %(month)s not yet marked paid") % {"month": f"{month:%Y-%m}"}
    return [PendingItem(label, count, f"{reverse('lifecycle:dues_home')}?month={month:%Y-%m}")]


def unmarked_this_month(user: Any) -> str:
    """The workbench's dues card: for a secretary, how many of her members are not yet marked paid for this
    month (one COUNT); blank (the card without a figure) for an administrator, whose whole committee or
    district would be counted on every home page view."""
    prefixes = secretary_prefixes(user)
    if not prefixes:
        return ""
    count = unmarked_count(prefixes, first_of_month(timezone.localdate()))
    return _("%(count)d unpaid this month") % {"count": count}
