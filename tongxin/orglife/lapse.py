"""Lapse detection (自行脱团): league members who for ``lapse_months`` (default 6) consecutive months have
neither paid league dues nor attended a held meeting. The list is for the branch meeting to decide; the
higher committee approves (DOMAIN.md, League membership). Nothing here writes.

This module reads the dues ledger of the lifecycle app (``DuesPayment``, its records only: no service is
called), as ARCHITECTURE.md allows a consumer to read a producer's records.

One query whatever the number of members: the last league-dues month and the last meeting attended are
correlated subqueries (on the payment table's (person, kind, month) unique index and the attendance
table's (person, status) index), filtered in the database.
"""

from __future__ import annotations

import datetime

from django.db.models import DateField, DateTimeField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tongxin.core.codes import PoliticalStatus
from tongxin.core.rules import rule
from tongxin.core.scoping import VIEW, Actor, require, subtree_q
from tongxin.lifecycle.models import DuesKind, DuesPayment
from tongxin.orglife.models import Attendance, AttendanceStatus, MeetingStatus
from tongxin.orgs.models import Organization
from tongxin.people.models import MembershipStatus, Person


def months_before(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved back ``months`` calendar months (the day clipped to the month's length)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def lapse_since(today: datetime.date) -> datetime.date:
    """The start of the window: a member with no dues for a month from this one on, and no meeting attended
    since this day, is listed."""
    return months_before(today, int(rule("lapse_months")))


def with_last_activity(qs: QuerySet[Person]) -> QuerySet[Person]:
    """``qs`` annotated with ``last_dues_month`` (league dues) and ``last_attended_at`` (a held meeting
    attended)."""
    last_dues = (
        DuesPayment.objects.filter(person=OuterRef("pk"), kind=DuesKind.LEAGUE).order_by("-month").values("month")[:1]
    )
    last_attended = (
        Attendance.objects.filter(
            person=OuterRef("pk"), status=AttendanceStatus.PRESENT, meeting__status=MeetingStatus.HELD
        )
        .order_by("-meeting__starts_at")
        .values("meeting__starts_at")[:1]
    )
    return qs.annotate(
        last_dues_month=Subquery(last_dues, output_field=DateField()),
        last_attended_at=Subquery(last_attended, output_field=DateTimeField()),
    )


def lapse_candidates(actor: Actor, org: Organization | None, *, today: datetime.date | None = None) -> QuerySet[Person]:
    """Active league members (political status 03) of ``org``'s subtree (``None``: the actor's whole
    scope) with no league dues for a month in the window and no meeting attended in it; in branch order.

    A member who joined the League within the window is not listed.
    """
    today = today or timezone.localdate()
    since = lapse_since(today)
    since_month = since.replace(day=1)
    since_at = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    qs = Person.objects.for_actor(actor, VIEW).filter(
        status=MembershipStatus.ACTIVE, political_status=PoliticalStatus.LEAGUE_MEMBER, branch__isnull=False
    )
    if org is not None:
        require(actor, VIEW, org.path)
        qs = qs.filter(subtree_q("org_path", org.path))
    qs = qs.filter(Q(league_join_date__isnull=True) | Q(league_join_date__lt=since))
    return (
        with_last_activity(qs)
        .filter(Q(last_dues_month__isnull=True) | Q(last_dues_month__lt=since_month))
        .filter(Q(last_attended_at__isnull=True) | Q(last_attended_at__lt=since_at))
        .order_by("org_path", "name_pinyin", "id")
    )
