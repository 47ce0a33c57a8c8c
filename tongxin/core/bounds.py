"""What "a sane value" means, in one place (issue 12 §3): the windows dates and months must fall in, and
the ranges whole numbers must fall in, before anything reaches the database.

Two date windows:

* **history** (birth dates, join dates, dissolution dates, anything that already happened): from
  ``TONGXIN_HISTORY_FIRST_YEAR``-01-01 (default 1900) to one year after today (a date typed a few days
  ahead is a slip a user corrects, a date in 9999 is not a date);
* **plan** (meetings, deadlines, terms, filters over them): today ± ``TONGXIN_PLAN_YEARS`` years
  (default 5) for a new plan; a filter or a calendar accepts the union of both windows, so old records
  stay reachable.

Whole numbers: a value outside the column's range would be a database error (PostgreSQL's ``integer`` is
32-bit), so every integer a user types is checked against :data:`INT32` or :data:`BIGINT` first.

The form fields, serializer fields, query-parameter parsers and the import engine read these functions;
nothing else defines a window of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

INT32 = (-(2**31), 2**31 - 1)
BIGINT = (-(2**63), 2**63 - 1)
# A positive database id (AutoField / BigAutoField): anything outside is "no such row", never a 500.
ID_RANGE = (1, 2**63 - 1)


@dataclass(frozen=True)
class Window:
    """A closed range of dates ``first``..``last``."""

    first: datetime.date
    last: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.first <= day <= self.last

    def refusal(self, day: datetime.date) -> str | None:
        """Why ``day`` is refused (naming the window, in the user's language), or None when it is inside."""
        if day in self:
            return None
        return _("Enter a date between %(first)s and %(last)s.") % {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
        }


def _today() -> datetime.date:
    return timezone.localdate()


def _shift_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def history_window(today: datetime.date | None = None) -> Window:
    """Dates of things that happened: ``TONGXIN_HISTORY_FIRST_YEAR``-01-01 .. today + 1 year."""
    today = today or _today()
    return Window(datetime.date(settings.TONGXIN_HISTORY_FIRST_YEAR, 1, 1), _shift_years(today, 1))


def plan_window(today: datetime.date | None = None) -> Window:
    """Dates of things being planned: today ± ``TONGXIN_PLAN_YEARS`` years."""
    today = today or _today()
    years = settings.TONGXIN_PLAN_YEARS
    return Window(_shift_years(today, -years), _shift_years(today, years))


def any_window(today: datetime.date | None = None) -> Window:
    """What a filter, a calendar or a report accepts: from the start of history to the end of the plan window."""
    today = today or _today()
    return Window(history_window(today).first, max(history_window(today).last, plan_window(today).last))


def int_refusal(value: int, bounds: tuple[int, int] = INT32) -> str | None:
    """Why the whole number ``value`` is refused (outside ``bounds``), or None."""
    low, high = bounds
    if low <= value <= high:
        return None
    return _("Enter a whole number between %(low)s and %(high)s.") % {"low": low, "high": high}
