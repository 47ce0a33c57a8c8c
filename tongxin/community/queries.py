"""Reads of community reporting: the yearly report of one registration (an organisation's or a member's)."""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field

from django.db.models import QuerySet

from tongxin.community.models import CommunityRegistration, ReportStatus, ServiceReport


@dataclass
class YearReport:
    """One registrant's year: the reports, how many, the hours reported and the needs taken up."""

    registration: CommunityRegistration
    year: int
    reports: list[ServiceReport] = field(default_factory=list)
    hours: decimal.Decimal = decimal.Decimal("0")
    take_ups: int = 0

    @property
    def count(self) -> int:
        return len(self.reports)

    @property
    def acknowledged(self) -> int:
        """The reports the community has acknowledged (counted apart from those sent and not yet read)."""
        return sum(1 for r in self.reports if r.status == ReportStatus.ACKNOWLEDGED)

    @property
    def acknowledged_hours(self) -> decimal.Decimal:
        return sum((r.hours for r in self.reports if r.hours is not None and r.status == ReportStatus.ACKNOWLEDGED),
                   decimal.Decimal("0"))  # fmt: skip


REPORTS_SHOWN = 500


def year_of(registration: CommunityRegistration, year: int) -> YearReport:
    """The yearly report (年度报告) of ``registration``: its reports done in ``year`` (two queries)."""
    reports = list(
        registration.reports.filter(done_on__year=year)
        .select_related("take_up__need")
        .order_by("done_on", "id")[:REPORTS_SHOWN]
    )
    hours = sum((r.hours for r in reports if r.hours is not None), decimal.Decimal("0"))
    take_ups = registration.take_ups.filter(created_at__year=year).count()
    return YearReport(registration, year, reports, hours, take_ups)


def reports_of_year(rows: QuerySet[ServiceReport], year: int) -> QuerySet[ServiceReport]:
    return rows.filter(done_on__year=year).select_related("registration__community", "registration__person",
                                                          "registration__organization", "take_up__need")  # fmt: skip
