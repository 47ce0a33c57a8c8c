"""Reads of activities that need more than a filter: the lists a page shows and the hours of a person."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tongxin.activities.models import HOLDS_PLACE, Activity, ActivityStatus, Registration, RegistrationStatus
from tongxin.core.params import parse_date
from tongxin.core.registry import LinkedRecord
from tongxin.core.scoping import CHANGE, subtree_q
from tongxin.orgs.models import STEP_WIDTH, Organization
from tongxin.orgs.queries import org_from_query, top_organizations
from tongxin.people.models import PoliticalStatus


def activities_for(user: Any) -> QuerySet[Activity]:
    """The activities ``user`` sees, each with its places taken and its waiting list counted (one query)."""
    return (
        Activity.objects.visible_to(user)
        .select_related("organization")
        .annotate(
            taken=Count("registrations", filter=Q(registrations__status__in=HOLDS_PLACE), distinct=True),
            waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING), distinct=True),
        )
        .order_by("-starts_at", "-id")
    )


def registrations_of(activity: Activity) -> QuerySet[Registration]:
    """An activity's registrations, places first, then the waiting list in order."""
    return activity.registrations.select_related("person").order_by("status", "queued_at", "id")


# --- the "activity" link kind (core.registry.register_link_kind): a venue booking names the activity it hosts ----

LINK_CHOICES = 100  # the activities offered when linking one: the coming ones, then the latest past, bounded


def _linked(activity: Activity) -> LinkedRecord:
    title = f"{activity.title} ({timezone.localtime(activity.starts_at):%Y-%m-%d})"
    url = reverse("activities:detail", args=[activity.pk])
    return LinkedRecord(activity.pk, title, url, starts_at=activity.starts_at, ends_at=activity.ends_at)


def find_linked(actor: Any, ids: Iterable[int], action: str) -> dict[int, LinkedRecord]:
    """The activities among ``ids`` that ``actor`` may ``action`` on (``None``: the system, all)."""
    rows = Activity.objects.for_actor(actor, action).filter(pk__in=ids).only("title", "starts_at", "ends_at")
    return {a.pk: _linked(a) for a in rows}


def link_choices(user: Any) -> list[LinkedRecord]:
    """The activities ``user`` may link a booking to: those she may change, not cancelled, from a month ago on."""
    since = timezone.now() - datetime.timedelta(days=31)
    rows = (
        Activity.objects.visible_to(user, CHANGE)
        .exclude(status=ActivityStatus.CANCELLED)
        .filter(starts_at__gte=since)
        .only("title", "starts_at", "ends_at")
        .order_by("starts_at", "id")[:LINK_CHOICES]
    )
    return [_linked(a) for a in rows]


# --- volunteer hours per organisation and period (issue 15: hours per organisation; composition) ---------------


@dataclass
class HoursRow:
    """The hours of the participants belonging to one organisation (its subtree) in a period."""

    organization: Organization | None  # None: the totals row
    people: int = 0
    verified: Decimal = Decimal(0)
    supplementary: Decimal = Decimal(0)
    party: int = 0  # participants by political status: party members (full and probationary)
    league: int = 0  # league members
    others: int = 0  # the rest: young people who are neither, the public

    @property
    def total(self) -> Decimal:
        return self.verified + self.supplementary


PARTY = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY_PARTY_MEMBER)


def hours_by_organisation(
    org: Organization, start: datetime.date, end: datetime.date
) -> tuple[HoursRow, list[HoursRow]]:
    """Hours of the activities held from ``start`` to ``end`` (inclusive) by the participants of ``org``'s
    subtree, per child organisation (where each participant belongs, not who organised), verified and
    supplementary apart, with the participants' composition; and the totals (one grouped query, and the children)."""
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    until = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    rows = Registration.objects.filter(
        subtree_q("person__org_path", org.path), activity__starts_at__gte=begin, activity__starts_at__lt=until
    ).filter(Q(verified_hours__gt=0) | Q(supplementary_hours__gt=0))
    step = len(org.path) + STEP_WIDTH
    children = {c.path: c for c in Organization.objects.filter(parent=org).order_by("path")}
    by_child: dict[str, HoursRow] = {path: HoursRow(child) for path, child in children.items()}
    total = HoursRow(None)
    grouped = (
        rows.annotate(child=Substr("person__org_path", 1, step))
        .values("child", "person__political_status")
        .annotate(
            people=Count("person", distinct=True),
            verified=Sum("verified_hours"),
            supplementary=Sum("supplementary_hours"),
        )
    )
    for group in grouped:
        targets = [total] + ([by_child[group["child"]]] if group["child"] in by_child else [])
        status = group["person__political_status"]
        for row in targets:
            row.verified += group["verified"] or 0
            row.supplementary += group["supplementary"] or 0
            if status in PARTY:
                row.party += group["people"]
            elif status == PoliticalStatus.LEAGUE_MEMBER:
                row.league += group["people"]
            else:
                row.others += group["people"]
    for row in [total, *by_child.values()]:
        row.people = row.party + row.league + row.others
    return total, list(by_child.values())


@dataclass
class HoursReport:
    org: Organization
    start: datetime.date
    end: datetime.date
    total: HoursRow
    rows: list[HoursRow]


def hours_report(user: Any, raw_org: str | None, raw_from: str | None, raw_to: str | None) -> HoursReport:
    """The hours page's and API's report: the organisation ``?org=`` names (default the user's first top; 404
    outside her scope), the period ``?from=``/``?to=`` (default this year to today; swapped when reversed)."""
    org = org_from_query(user, raw_org)
    if org is None:
        tops = top_organizations(user)
        if not tops:
            raise Http404
        org = tops[0]
    today = timezone.localdate()
    start = parse_date(raw_from) or today.replace(month=1, day=1)
    end = parse_date(raw_to) or today
    if end < start:
        start, end = end, start
    total, rows = hours_by_organisation(org, start, end)
    return HoursReport(org, start, end, total, rows)
