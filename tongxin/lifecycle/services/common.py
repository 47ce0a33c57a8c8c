"""What the workflows share: month arithmetic, the committee above a branch, the date rules of a step, a
count typed in a form, the reason a step requires."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_text
from tongxin.orgs.models import STEP_WIDTH


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier); the month's last day when it is shorter (31 Jan + 1 →
    28/29 Feb). The first of a month stays the first, so month keys (dues) move by whole months."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def committee_path(branch_path: str) -> str:
    """The path of the organisation directly above the one at ``branch_path`` ("" for a root): the
    basic-level committee that pre-checks and approves a branch's decisions."""
    return branch_path[:-STEP_WIDTH]


def check_step_date(on: datetime.date | None, previous: datetime.date | None, previous_label: str) -> datetime.date:
    """A workflow step's date: given, not in the future, not before the previous step's date."""
    if on is None:
        raise DomainError("on", _("Enter the date of this step."))
    if on > timezone.localdate():
        raise DomainError(
            "on",
            _("The date %(date)s is in the future: record a step once it has happened.") % {"date": on.isoformat()},
        )
    if previous is not None and on < previous:
        raise DomainError(
            "on",
            _("This step cannot be dated before the previous one (%(step)s, %(date)s).")
            % {"step": previous_label, "date": previous.isoformat()},
        )
    return on


def check_count(value: Any, field: str) -> int:
    """A count of people or votes as typed: a whole number, 0 or more (DomainError on ``field`` if not)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(field, _("Enter a whole number.")) from None
    if number < 0:
        raise DomainError(field, _("Enter a whole number, 0 or more."))
    return number


REASON_LENGTH = 500


def check_reason(reason: str | None, message: str) -> str:
    """The reason a step requires (a rejection, a return, a withdrawal) on one line, at most 500 characters
    (longer is refused, never cut: issue 12 §3); DomainError on "reason" with ``message`` (saying who will read
    it) when none is given."""
    reason = checked_text("reason", reason, max_length=REASON_LENGTH)
    if not reason:
        raise DomainError("reason", message)
    return reason
