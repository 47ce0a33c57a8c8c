"""Age-out (超龄离团): a league member who reaches the age limit without a league post leaves the League.

It is a processed action, never a silent deletion: :func:`age_out_candidates` lists the members who are
due, the branch (or a committee above it) confirms a batch with :func:`confirm_age_out`. A confirmed
member keeps their record: ``Person.status`` becomes ``aged_out``, their open Membership ends with the
reason ``aged_out``, and the roster's status filter still finds them.

Who is due on a day ``on`` (default today, in the deployment's time zone):

* an active member of a league branch (``OrgKind.BRANCH``; a party branch's members are the party's,
  not the League's, so they never age out here);
* aged ``league_max_age`` (a configurable rule, 28) or more on ``on``: born on or before
  :func:`birth_cutoff` — the same count of years as ``Person.age_on``, so someone born on 29 February
  turns a year older on 1 March in other years;
* holding no current cadre position (a league post), whatever their political status: party members
  (01, 02) leave by the same rule.

The list is one query over the roster's (org_path, birth_date) index; confirming a batch costs the same
number of queries for 3 people as for 3,000 (one more UPDATE per branch for the roll-ups).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongxin.accounts.models import Role
from tongxin.core.audit import change_entry, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.inbox import PendingItem
from tongxin.core.models import ChangeLog
from tongxin.core.rules import rule
from tongxin.core.scoping import CHANGE, VIEW, Actor, Scope, normalise_prefixes, scope_for, subtree_q
from tongxin.core.workflow import acts_on_own_case
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.services import adjust_member_counts_many
from tongxin.people.models import CadrePosition, Membership, MembershipStatus, Person
from tongxin.people.tallies import person_counts, retally

# At most this many people per confirmation: every id travels in one IN list (SQLite allows 32,766
# parameters per statement), which keeps the number of queries independent of the batch size.
MAX_BATCH = 10_000
# How many names an error message lists before "and N more".
NAMES_SHOWN = 10


def birth_cutoff(on: datetime.date, years: int) -> datetime.date:
    """The latest birth date of someone at least ``years`` old on ``on``.

    The same rule as ``Person.age_on``: in a year without 29 February, a person born on 29 February
    is a year older from 1 March, so the cutoff of 29 February in such a year is the 28th.
    """
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # ``on`` is 29 February and the year ``years`` back has none
        return on.replace(year=on.year - years, day=28)


def _current_post(on: datetime.date) -> Q:
    return Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gt=on))


def age_out_candidates(
    actor: Actor, org: Organization | None = None, on: datetime.date | None = None
) -> QuerySet[Person]:
    """Members due to age out on ``on`` (default today) in ``actor``'s subtrees, within ``org``'s if given.

    One query when evaluated: no per-person lookups. ``actor=None`` is the system (the whole tree).
    Ordered by branch (org_path), then the oldest first.
    """
    on = on or timezone.localdate()
    cutoff = birth_cutoff(on, int(rule("league_max_age")))
    posts = CadrePosition.objects.filter(_current_post(on), person=OuterRef("pk"))
    qs = Person.objects.filter(
        status=MembershipStatus.ACTIVE, birth_date__lte=cutoff, branch__kind=OrgKind.BRANCH
    ).filter(~Exists(posts))
    # No self-service grant: a member without a role does not list (or confirm) their own age-out.
    qs = qs.for_actor(actor, VIEW, self_service=False)
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    return qs.order_by("org_path", "birth_date", "name_pinyin", "id")


@dataclass(frozen=True)
class BranchCount:
    branch_id: int
    name: str
    code: str
    path: str
    count: int


def age_out_counts(actor: Actor, org: Organization | None = None, on: datetime.date | None = None) -> list[BranchCount]:
    """How many members are due per branch (one GROUP BY query), in tree order."""
    rows = (
        age_out_candidates(actor, org, on)
        .order_by()
        .values("branch_id", "branch__name", "branch__code", "org_path")
        .annotate(n=Count("id"))
        .order_by("org_path")
    )
    return [BranchCount(r["branch_id"], r["branch__name"], r["branch__code"], r["org_path"], r["n"]) for r in rows]


# --- confirming a batch --------------------------------------------------------------------------------


def _names(labels: Sequence[str]) -> str:
    text = pgettext("list separator", ", ").join(labels[:NAMES_SHOWN])
    if len(labels) > NAMES_SHOWN:
        text = _("%(names)s and %(count)d more") % {"names": text, "count": len(labels) - NAMES_SHOWN}
    return text


def _ids(person_ids: Iterable[Any]) -> list[int]:
    ids: set[int] = set()
    for value in person_ids:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = 0
        if not 0 < pk < 2**63:
            raise DomainError("person_ids", _("Choose members from the list."))
        ids.add(pk)
    if not ids:
        raise DomainError("person_ids", _("Choose at least one member to confirm."))
    if len(ids) > MAX_BATCH:
        message = _("Confirm at most %(max)d members at once: choose an organisation lower in the tree.")
        raise DomainError("person_ids", message % {"max": MAX_BATCH})
    return sorted(ids)  # one order for every batch: two batches lock their rows in the same order


def _check(actor: Actor, ids: list[int], people: list[Person], on: datetime.date) -> None:
    """Refuse the whole batch, naming everyone who is out of scope or not (or no longer) due."""
    change = scope_for(actor, CHANGE) if actor is not None else None
    view = scope_for(actor, VIEW) if actor is not None else None
    years = int(rule("league_max_age"))
    cutoff = birth_cutoff(on, years)
    holders = set(
        CadrePosition.objects.filter(_current_post(on), person_id__in=ids).values_list("person_id", flat=True)
    )
    found = {p.pk for p in people}
    # Someone the actor may not see is named by the id they sent, like an id that does not exist.
    outside = [f"#{pk}" for pk in ids if pk not in found]
    gone: list[str] = []
    left: list[str] = []
    not_league: list[str] = []
    young: list[str] = []
    posted: list[str] = []
    own: list[str] = []
    for person in people:
        if acts_on_own_case(actor, person.pk):  # four eyes: another person responsible confirms hers
            own.append(person.name)
        elif change is not None and not change.covers_path(person.org_path):
            visible = view is not None and view.covers_path(person.org_path)
            outside.append(person.name if visible else f"#{person.pk}")
        elif person.status == MembershipStatus.AGED_OUT:
            gone.append(person.name)
        elif person.status != MembershipStatus.ACTIVE or person.branch is None:
            left.append(person.name)
        elif person.branch.kind != OrgKind.BRANCH:
            not_league.append(person.name)
        elif person.birth_date > cutoff:
            young.append(f"{person.name} ({person.age_on(on)})")
        elif person.pk in holders:
            posted.append(person.name)
    messages: list[str] = []
    if outside:
        messages.append(_("Not members of your organisations: %(people)s.") % {"people": _names(outside)})
    if gone:
        messages.append(_("Already confirmed as aged out: %(people)s.") % {"people": _names(gone)})
    if left:
        messages.append(_("No longer active members: %(people)s.") % {"people": _names(left)})
    if not_league:
        messages.append(
            _("Members of a party branch, not of a league branch: %(people)s.") % {"people": _names(not_league)}
        )
    if young:
        messages.append(
            _("Younger than %(age)d on %(day)s: %(people)s.")
            % {"age": years, "day": on.isoformat(), "people": _names(young)}
        )
    if posted:
        messages.append(_("Holding a league post, so they stay: %(people)s.") % {"people": _names(posted)})
    if own:
        messages.append(
            _("You cannot confirm your own age-out: another person responsible does (%(people)s).")
            % {"people": _names(own)}
        )
    if messages:
        raise DomainError(errors={"person_ids": messages})


def check_age_out(actor: Actor, *, person_ids: Iterable[Any], on: datetime.date | None = None) -> list[Person]:
    """The people of a batch, checked as :func:`confirm_age_out` checks them, without writing (the page's
    confirmation step). Raises the same DomainError; the rows are not locked, so the confirmation checks
    them again."""
    on = on or timezone.localdate()
    ids = _ids(person_ids)
    people = list(Person.objects.select_related("branch").filter(pk__in=ids).order_by("org_path", "birth_date", "id"))
    _check(actor, ids, people, on)
    return people


@transaction.atomic
def confirm_age_out(actor: Actor, *, person_ids: Iterable[Any], on: datetime.date | None = None) -> int:
    """Confirm that the members ``person_ids`` leave the League on ``on`` (default today); how many.

    All or nothing: the rows are locked (in id order, so two batches cannot deadlock), then every person
    is checked again — in the actor's CHANGE scope, still an active member of a league branch, old enough
    on ``on``, holding no current post. If any is not, DomainError names them and nothing is written.
    Otherwise each person's status becomes ``aged_out`` and their open Membership ends on ``on`` with the
    reason ``aged_out``; the roll-ups move once per branch; one ChangeLog row per person, in bulk.
    """
    on = on or timezone.localdate()
    ids = _ids(person_ids)
    # Lock the person rows only: the branch is a nullable join, which PostgreSQL cannot lock.
    people = list(Person.objects.select_for_update(of=("self",)).select_related("branch").filter(pk__in=ids)
                  .order_by("pk"))  # fmt: skip
    _check(actor, ids, people, on)

    befores = {p.pk: snapshot(p) for p in people}
    counted_before = [person_counts(p) for p in people]
    now = timezone.now()
    Person.objects.filter(pk__in=ids).update(status=MembershipStatus.AGED_OUT, updated_at=now)
    Membership.objects.filter(person_id__in=ids, end__isnull=True).update(end=on, end_reason=Membership.Reason.AGED_OUT)
    adjust_member_counts_many({path: -count for path, count in Counter(p.org_path for p in people).items()})
    entries: list[ChangeLog] = []
    for person in people:
        person.status = MembershipStatus.AGED_OUT
        person.updated_at = now
        entry = change_entry(actor, person, ChangeLog.Action.UPDATE, before=befores[person.pk],
                             after=snapshot(person), org_path=person.org_path)  # fmt: skip
        if entry is not None:
            entries.append(entry)
    ChangeLog.objects.bulk_create(entries, batch_size=1000)
    retally(counted_before, people)
    return len(people)


# --- the inbox ---------------------------------------------------------------------------------------------


def pending_age_outs(user: Any) -> list[PendingItem]:
    """The "waiting for me" item of a branch secretary: members due to age out where she is secretary.

    Registered with ``tongxin.core.inbox`` in ``LifecycleConfig.ready()``. Only the secretary role
    counts (the branch confirms; the committees above may, but it is not their daily work), read from
    the user's cached role rows: no query without one, else one COUNT over her subtrees.
    """

    rows = user._assignment_rows() if hasattr(user, "_assignment_rows") else []
    prefixes = normalise_prefixes([path for role, path in rows if role == Role.SECRETARY])
    if not prefixes:
        return []
    count = age_out_candidates(None).filter(Scope(prefixes=prefixes).q("org_path")).order_by().count()
    return [PendingItem(_("Members to confirm as aged out"), count, reverse("lifecycle:age_out"))]
