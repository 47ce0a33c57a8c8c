"""Query parameters, read once (issue 12 §3): every ``?month=``, ``?year=``, date, whole number or id a page or
an API reads from a request goes through these parsers, which accept only values inside
:mod:`tongxin.core.bounds` (the date windows, :data:`~tongxin.core.bounds.INT32`,
:data:`~tongxin.core.bounds.ID_RANGE`), so nothing out of range reaches the database or date arithmetic.

The ``parse_*`` functions answer the value or None: a page then shows its default (the current month) or
"no such row"; the API's filters (:mod:`tongxin.core.filters`) answer 400 naming the parameter and the rule.
"""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.bounds import ID_RANGE, INT32, Window, any_window, int_refusal

_INT_RE = re.compile(r"^-?[0-9]{1,40}$")  # ASCII digits only: no "١٢", "1_000" or "1e3"
# Any whole number the parser reads at all (for telling "a number no row can have" from "not a number").
ANY_DIGITS = (-(10**40), 10**40)
_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def parse_int(text: str | None, bounds: tuple[int, int] = INT32) -> int | None:
    """``text`` as a whole number inside ``bounds`` (default: the 32-bit column range), else None."""
    if text is None:
        return None
    text = str(text).strip()
    if not _INT_RE.match(text):
        return None
    value = int(text)
    return value if int_refusal(value, bounds) is None else None


def parse_id(text: str | int | None) -> int | None:
    """A database id (:data:`ID_RANGE`): a positive whole number a primary key column can hold, else None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if ID_RANGE[0] <= text <= ID_RANGE[1] else None
    return parse_int(text, ID_RANGE)


def parse_date(text: str | None, window: Window | None = None) -> datetime.date | None:
    """``yyyy-mm-dd`` inside ``window`` (default :func:`any_window`), else None."""
    match = _DATE_RE.match((text or "").strip())
    if not match:
        return None
    try:
        day = datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return day if day in (window or any_window()) else None


def parse_month(text: str | None, window: Window | None = None) -> datetime.date | None:
    """``yyyy-mm`` as the first day of that month, when the whole month lies inside ``window`` (default
    :func:`any_window`), so the months either side can be computed and compared; else None."""
    match = _MONTH_RE.match((text or "").strip())
    if not match:
        return None
    year, month = (int(part) for part in match.groups())
    if not 1 <= month <= 12 or not 1 <= year <= 9998:
        return None
    first = datetime.date(year, month, 1)
    last = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    window = window or any_window()
    return first if first in window and last in window else None


def current_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def month_or_current(text: str | None) -> datetime.date:
    """A page's ``?month=``: the month asked for when it is a sane one, else the current month."""
    return parse_month(text) or current_month()


def month_param(request: HttpRequest, name: str = "month") -> datetime.date:
    """A page's ``?month=``: the month asked for when it is a sane one; else the current month, with a message
    saying why when one was given (the page answers, never a 500)."""
    text = request.GET.get(name)
    month = parse_month(text)
    if month is not None:
        return month
    if text:
        messages.warning(request, month_refusal())
    return current_month()


def month_refusal() -> str:
    window = any_window()
    return _("Give the month as yyyy-mm, between %(first)s and %(last)s.") % {
        "first": f"{window.first:%Y-%m}",
        "last": f"{window.last:%Y-%m}",
    }


def parse_ids(values: list[str], limit: int | None = None) -> list[int]:
    """The ids among ``values`` (a form's repeated field), in order, without the ones no row can have."""
    ids = [pk for pk in (parse_id(value) for value in values) if pk is not None]
    return ids if limit is None else ids[:limit]
