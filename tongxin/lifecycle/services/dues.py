"""Dues (团费, 党费): the monthly amount from the configurable standards, profiles and payments.

Amounts come from the rules in :mod:`tongxin.core.rules` (``league_dues_*``, ``party_dues_*``; DOMAIN.md,
Dues), read on every call, so a change by the district admin applies to the next month marked. A payment
keeps the amount computed when it was marked.

Who pays what: league members (status 03) pay league dues; party members and probationary members (01,
02) pay party dues only (a party member who keeps league membership pays no league dues). A person owes
a month from the month they joined (league or party join date; no date: every month).

The basis of the amount is the person's :class:`DuesProfile`. Without one, the category follows the
person's occupation (student, unemployed; anyone else is a wage earner whose income is not known yet),
and a wage earner or retiree without an income has no amount: the ledger shows "income needed" instead
of a guess, and marking them paid is refused until it is entered.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongxin.core import params
from tongxin.core.audit import change_entry, record_change, record_update, snapshot
from tongxin.core.codes import PARTY_STATUSES, PoliticalStatus
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, Actor, by, require
from tongxin.core.workflow import refuse_own_case
from tongxin.lifecycle import tallies
from tongxin.lifecycle.models import DuesCategory, DuesKind, DuesPayment, DuesProfile
from tongxin.lifecycle.services.common import add_months
from tongxin.orgs.models import Organization
from tongxin.people.models import MembershipStatus, Occupation, Person

CENT = Decimal("0.01")

# Who owes each kind of dues, by political status (GB/T 4762).
DUES_STATUSES: dict[str, frozenset[str]] = {
    DuesKind.LEAGUE: frozenset({PoliticalStatus.LEAGUE_MEMBER}),
    DuesKind.PARTY: frozenset(PARTY_STATUSES),
}
# The date a person starts owing each kind of dues (its month counts).
JOIN_DATE_FIELDS: dict[str, str] = {DuesKind.LEAGUE: "league_join_date", DuesKind.PARTY: "party_join_date"}
# Categories that pay the flat amount of each kind (the party's rules treat the unemployed like those on
# relief); the others pay by income.
FLAT_CATEGORIES: dict[str, frozenset[str]] = {
    DuesKind.LEAGUE: frozenset({DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.RELIEF}),
    DuesKind.PARTY: frozenset({DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.RELIEF}),
}
INCOME_CATEGORIES = frozenset({DuesCategory.WAGE, DuesCategory.RETIREE})


# --- months ----------------------------------------------------------------------------------------------


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def parse_month(text: str | None) -> datetime.date | None:
    """``"2025-01"`` → 2025-01-01; None for anything else, a month outside the window included
    (``core.params.parse_month``: 9999-12 has no next month to compare with)."""
    return params.parse_month(text)


def current_month() -> datetime.date:
    return first_of_month(timezone.localdate())


def default_kind(org: Organization) -> str:
    """Party dues in a party organisation, league dues elsewhere."""
    return DuesKind.PARTY if org.is_party else DuesKind.LEAGUE


def kind_label(kind: str) -> str:
    return str(DuesKind(kind).label)


def owing_q(kind: str, month: datetime.date, prefix: str = "") -> Q:
    """People (fields prefixed with ``prefix``, e.g. ``"person__"``) who owe ``kind`` dues for ``month``:
    active, of a paying status, and a member by the end of that month."""
    join = f"{prefix}{JOIN_DATE_FIELDS[kind]}"
    return Q(**{f"{prefix}status": MembershipStatus.ACTIVE, f"{prefix}political_status__in": DUES_STATUSES[kind]}) & (
        Q(**{f"{join}__isnull": True}) | Q(**{f"{join}__lt": add_months(month, 1)})
    )


def owes_month(person: Person, kind: str, month: datetime.date) -> bool:
    joined = getattr(person, JOIN_DATE_FIELDS[kind])
    return joined is None or first_of_month(joined) <= month


# --- amounts ---------------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number in a dues rule: {value!r}") from None


def default_category(person: Person) -> str:
    """The category of a person without a dues profile, from their occupation."""
    if person.occupation == Occupation.STUDENT:
        return DuesCategory.STUDENT
    if person.occupation == Occupation.UNEMPLOYED:
        return DuesCategory.UNEMPLOYED
    return DuesCategory.WAGE


def effective_basis(person: Person, profile: DuesProfile | None) -> tuple[str, Decimal | None]:
    """(category, monthly income) the amount is worked out from."""
    if profile is None:
        return default_category(person), None
    return profile.category, profile.monthly_income


def league_amount(category: str, income: Decimal | None) -> Decimal | None:
    if category in FLAT_CATEGORIES[DuesKind.LEAGUE]:
        return _decimal(rule("league_dues_flat_yuan")).quantize(CENT)
    if income is None:
        return None
    if income < _decimal(rule("league_dues_low_wage_limit")):
        return _decimal(rule("league_dues_low_wage_yuan")).quantize(CENT)
    amount = (income * _decimal(rule("league_dues_wage_permille")) / 1000).to_integral_value(ROUND_FLOOR)
    return min(amount, _decimal(rule("league_dues_max_yuan"))).quantize(CENT)


def _bracket_rate(income: Decimal, brackets: Iterable[Any]) -> Decimal:
    """The rate of the first bracket whose upper bound (inclusive; None: no bound) the income is within."""
    rate = Decimal(0)
    for bound, bracket_rate in brackets:
        rate = _decimal(bracket_rate)
        if bound is None or income <= _decimal(bound):
            return rate
    return rate  # brackets configured without an open top: the last rate applies above it


def party_amount(category: str, income: Decimal | None) -> Decimal | None:
    if category in FLAT_CATEGORIES[DuesKind.PARTY]:
        return _decimal(rule("party_dues_flat_yuan")).quantize(CENT)
    if income is None:
        return None
    name = "party_dues_retiree_brackets" if category == DuesCategory.RETIREE else "party_dues_brackets"
    return (income * _bracket_rate(income, rule(name))).quantize(CENT, ROUND_HALF_UP)


def monthly_amount(person: Person, kind: str, profile: DuesProfile | None) -> Decimal | None:
    """The monthly dues of ``person`` of ``kind`` (yuan, two decimals) from the current rules.

    ``profile`` is the person's dues profile, or None when they have none (the caller has fetched it, so a
    ledger costs no query per person). None is returned when the amount depends on an income that is not
    known: show "income needed", never a guess. League dues: the flat amount for students, the unemployed
    and those on relief; a wage (or pension) below the limit pays the low amount, from the limit the
    per-mille rate of it rounded down to the yuan, at most the maximum. Party dues: the flat amount for
    students, the unemployed and those on relief; wage earners by the income brackets, retirees by theirs,
    rounded to the fen.
    """
    category, income = effective_basis(person, profile)
    if kind == DuesKind.LEAGUE:
        return league_amount(category, income)
    if kind == DuesKind.PARTY:
        return party_amount(category, income)
    raise ValueError(f"unknown dues kind {kind!r}")


def profile_of(person: Person) -> DuesProfile | None:
    """The person's dues profile from a ``select_related("dues_profile")`` row (no query), else fetched."""
    try:
        return person.dues_profile
    except DuesProfile.DoesNotExist:
        return None


# --- writes ----------------------------------------------------------------------------------------------


@transaction.atomic
def set_dues_profile(actor: Actor, person: Person, category: str, monthly_income: Decimal | None) -> DuesProfile:
    """Set the basis of ``person``'s dues. An income is required for wage earners and retirees and not kept
    for the flat categories. One ChangeLog row (none when nothing changed)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    require(actor, CHANGE, person.org_path)
    refuse_own_case(actor, person.pk, "category", _("Your own dues basis is set by another person responsible."))
    if category not in DuesCategory.values:
        raise DomainError("category", _("Choose a dues category."))
    if category in INCOME_CATEGORIES:
        if monthly_income is None:
            raise DomainError(
                "monthly_income", _("Enter the monthly income after tax: the dues of this category depend on it.")
            )
        if monthly_income < 0:
            raise DomainError("monthly_income", _("The monthly income cannot be negative."))
        monthly_income = _decimal(monthly_income).quantize(CENT, ROUND_HALF_UP)
    else:
        monthly_income = None
    fields = ["category", "monthly_income"]
    profile = DuesProfile.objects.select_for_update().filter(person=person).first()
    if profile is None:
        profile = DuesProfile.objects.create(person=person, category=category, monthly_income=monthly_income)
        after = snapshot(profile, fields)
        record_change(actor, profile, ChangeLog.Action.CREATE, after=after, org_path=person.org_path)
        return profile
    before = snapshot(profile, fields)
    profile.category, profile.monthly_income = category, monthly_income
    profile.save(update_fields=[*fields, "updated_at"])
    record_update(actor, profile, before, fields, org_path=person.org_path)
    return profile


def _names(people: Iterable[Person]) -> str:
    return _(", ").join(person.name for person in people)


@transaction.atomic
def mark_paid(actor: Actor, *, branch: Organization, kind: str, month: datetime.date, person_ids: Iterable[int],
              paid_on: datetime.date) -> list[DuesPayment]:  # fmt: skip
    """Mark the dues of ``month`` paid for the members ``person_ids`` of ``branch``, all or none.

    The people's rows are locked (in id order), so two secretaries marking the same person at once are
    serialised: the second one finds the month paid and is refused. Refused with nothing written: a branch
    outside the actor's CHANGE scope (PermissionDenied); anyone who is not an active member of the branch
    owing these dues for that month, anyone already marked paid for it (named), anyone whose amount needs
    an income not entered yet (named). The payments carry the amount computed now; one ChangeLog row each,
    written in bulk. The number of queries does not depend on the number of people.
    """
    if kind not in DuesKind.values:
        raise DomainError("kind", _("Choose league dues or party dues."))
    month = first_of_month(month)
    ids = sorted({int(pk) for pk in person_ids})
    if not ids:
        raise DomainError("person_ids", _("Choose at least one member to mark paid."))
    branch = Organization.objects.get(pk=branch.pk)
    require(actor, CHANGE, branch.path)
    own_dues = _("You cannot mark your own dues paid: another person responsible records your payment.")
    refuse_own_case(actor, ids, "person_ids", own_dues)
    if not branch.holds_members:
        raise DomainError("branch", _("Dues are marked in a branch, not in %(org)s.") % {"org": branch.name})
    if paid_on > timezone.localdate():
        raise DomainError("paid_on", _("The payment date cannot be in the future."))
    people = list(
        Person.objects.select_for_update(of=("self",))
        .select_related("dues_profile")
        .filter(pk__in=ids, branch=branch)
        .filter(owing_q(kind, month))
        .order_by("pk")
    )
    if len(people) != len(ids):
        missing = len(ids) - len(people)
        message = ngettext(
            "%(count)d of the chosen people does not owe %(kind)s of %(month)s in %(branch)s: nothing was marked.",
            "%(count)d of the chosen people do not owe %(kind)s of %(month)s in %(branch)s: nothing was marked.",
            missing,
        )
        values = {"count": missing, "kind": kind_label(kind), "month": f"{month:%Y-%m}", "branch": branch.name}
        raise DomainError("person_ids", message % values)
    paid_ids = set(
        DuesPayment.objects.filter(person_id__in=ids, kind=kind, month=month).values_list("person_id", flat=True)
    )
    if paid_ids:
        raise DomainError(
            "person_ids",
            _("Already marked paid for %(month)s: %(names)s. Nothing was marked.")
            % {"month": f"{month:%Y-%m}", "names": _names(p for p in people if p.pk in paid_ids)},
        )
    amounts = {person.pk: monthly_amount(person, kind, profile_of(person)) for person in people}
    unknown = [person for person in people if amounts[person.pk] is None]
    if unknown:
        raise DomainError(
            "person_ids",
            _("Enter the monthly income of %(names)s first: their dues depend on it. Nothing was marked.")
            % {"names": _names(unknown)},
        )
    due = {pk: amount for pk, amount in amounts.items() if amount is not None}
    payments = [
        DuesPayment(
            person=person,
            kind=kind,
            month=month,
            amount=due[person.pk],
            paid_on=paid_on,
            recorded_by=by(actor) if getattr(actor, "pk", None) else None,
            org_path=branch.path,
        )
        for person in people
    ]
    try:
        with transaction.atomic():
            DuesPayment.objects.bulk_create(payments, batch_size=500)
    except IntegrityError:  # a payment written without the person's lock (should not happen): same answer
        raise DomainError(
            "person_ids", _("Someone marked some of these people paid for %(month)s just now: nothing was marked.")
            % {"month": f"{month:%Y-%m}"}
        ) from None  # fmt: skip
    entries = [
        change_entry(actor, payment, ChangeLog.Action.CREATE, after=snapshot(payment), org_path=branch.path)
        for payment in payments
    ]
    ChangeLog.objects.bulk_create([entry for entry in entries if entry is not None], batch_size=1000)
    # The dashboards' dues collected in the month paid, at the branch: one upsert whatever the number of people.
    tallies.retally(Counter(), sum((tallies.payment_counts(payment) for payment in payments), Counter()))
    return payments


@transaction.atomic
def undo_payment(actor: Actor, payment: DuesPayment) -> None:
    """Remove a payment marked by mistake (audited, with what it said)."""
    locked = DuesPayment.objects.select_for_update(of=("self",)).select_related("person").filter(pk=payment.pk).first()
    if locked is None:
        raise DomainError(None, _("This payment has already been removed."))
    require(actor, CHANGE, locked.org_path)
    refuse_own_case(actor, locked.person_id, None, _("Your own payment is corrected by another person responsible."))
    record_change(actor, locked, ChangeLog.Action.DELETE, before=snapshot(locked), org_path=locked.org_path)
    tallies.retally(tallies.payment_counts(locked), Counter())  # the reversal leaves the figures too
    locked.delete()
