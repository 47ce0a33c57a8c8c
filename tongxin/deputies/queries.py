"""Reads of the deputies' studios that need more than a filter: the deputies list with their open and overdue
counts, and the yearly summary per deputy (received, answered, overdue, by month)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tongxin.deputies.models import OPEN_STATUSES, ConstituentRequest, Deputy, RequestStatus, overdue_q

ANSWERED = (RequestStatus.ANSWERED, RequestStatus.CLOSED)


def with_counts(deputies: QuerySet[Deputy]) -> QuerySet[Deputy]:
    """Each deputy with ``open_count`` and ``overdue_count`` of her requests (one grouped query)."""
    today = timezone.localdate()
    return deputies.annotate(
        open_count=Count("requests", filter=Q(requests__status__in=OPEN_STATUSES)),
        overdue_count=Count("requests", filter=Q(requests__status__in=OPEN_STATUSES, requests__due_on__lt=today)),
    )


def was_late(row: ConstituentRequest, today: datetime.date) -> bool:
    """Answered after its due date, or still open past it."""
    if row.answered_at is not None:
        return timezone.localtime(row.answered_at).date() > row.due_on
    return row.status in OPEN_STATUSES and row.due_on < today


@dataclass
class MonthRow:
    month: int
    received: int = 0
    answered: int = 0
    overdue: int = 0


@dataclass
class Summary:
    year: int
    months: list[MonthRow] = field(default_factory=list)
    received: int = 0
    answered: int = 0
    overdue: int = 0
    open_now: int = 0


def yearly_summary(deputy: Deputy, year: int) -> Summary:
    """The requests ``deputy`` received in ``year``, month by month: how many, how many answered, how many were
    overdue (answered late or still open past the due date). One query."""
    today = timezone.localdate()
    rows = ConstituentRequest.objects.filter(deputy=deputy, received_on__year=year).only(
        "received_on", "status", "due_on", "answered_at"
    )
    months = {m: MonthRow(m) for m in range(1, 13)}
    summary = Summary(year, list(months.values()))
    for row in rows:
        line = months[row.received_on.month]
        line.received += 1
        if row.status in ANSWERED:
            line.answered += 1
        if was_late(row, today):
            line.overdue += 1
        if row.status in OPEN_STATUSES:
            summary.open_now += 1
    summary.received = sum(m.received for m in summary.months)
    summary.answered = sum(m.answered for m in summary.months)
    summary.overdue = sum(m.overdue for m in summary.months)
    return summary


def overdue(rows: QuerySet[ConstituentRequest]) -> QuerySet[ConstituentRequest]:
    return rows.filter(overdue_q())
