"""Keyset (cursor) pagination: the cost of a page does not grow with its position in the list.

The queryset must be ordered by ``keys`` (ascending, non-null, the last one unique, e.g. ``id``).
A cursor is the key values of a boundary row, with a direction, encrypted into a URL-safe string: the keys
may be personal (a name's pinyin when the list is sorted by name), and a cursor travels in URLs.

Page numbers ("第 3/268 页") come without counting rows before the page: the cursor carries the number of
the page it leads to, the caller passes the list's ``total`` (often from the roll-ups), the last page holds
the remainder (so stepping back from it meets the same pages as stepping forward), and a jump to page n
(``jump``) finds its boundary row with an index-only OFFSET from the nearer end of the list: at most half
the list is skipped, never the rows themselves loaded.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from tongxin.core.crypto import fernet


def encode_cursor(values: list[Any], direction: str, number: int | None = None) -> str:
    payload: list[Any] = [direction, values] if number is None else [direction, values, number]
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)
    return fernet().encrypt(raw.encode()).decode("ascii").rstrip("=")  # a Fernet token is URL-safe base64


def decode_cursor(cursor: str | None) -> tuple[str, list[Any]] | None:
    decoded = _decode(cursor)
    return (decoded[0], decoded[1]) if decoded else None


def _decode(cursor: str | None) -> tuple[str, list[Any], int | None] | None:
    if not cursor:
        return None
    try:
        raw = fernet().decrypt((cursor + "=" * (-len(cursor) % 4)).encode("ascii"))
        direction, values, *rest = json.loads(raw)
    except (InvalidToken, ValueError, TypeError):  # tampered, another deployment's, or not ASCII
        return None
    if direction not in ("after", "before", "last") or not isinstance(values, list):
        return None
    number = rest[0] if rest and type(rest[0]) is int and 0 < rest[0] < 2**31 else None
    return direction, values, number


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    first_cursor: str | None
    last_cursor: str | None
    is_first: bool
    number: int | None = None  # this page's number, when known
    pages: int | None = None  # how many pages, when the caller gave the total


def _db_values(qs: QuerySet, keys: list[tuple[str, str]], values: list[Any]) -> list[Any]:
    """Cursor values (plain JSON) as the database stores them: a datetime key must compare as a datetime,
    not as its JSON text (on SQLite "…05.123456+00:00" sorts after the stored "…05.123456")."""
    connection = connections[qs.db]
    result = []
    for (name, _column), value in zip(keys, values, strict=True):
        if isinstance(value, bool | float | dict | list) or (isinstance(value, int) and abs(value) >= 2**63):
            raise ValueError("a cursor value out of range")
        try:
            field = qs.model._meta.get_field(name)
        except FieldDoesNotExist:
            result.append(value)
            continue
        result.append(field.get_db_prep_value(field.to_python(value), connection))
    return result


def _row_filter(qs: QuerySet, keys: list[tuple[str, str]], values: list[Any], op: str) -> QuerySet:
    # A row-value comparison "(a, b, c) > (x, y, z)" lets the index seek straight to the boundary on
    # PostgreSQL and SQLite alike.
    values = _db_values(qs, keys, values)
    columns = ", ".join(column for _name, column in keys)
    placeholders = ", ".join(["%s"] * len(keys))
    # Columns and operator come from code (the view's sort table), never from the request; values are bound.
    sql = f"({columns}) {op} ({placeholders})"
    seek = qs.filter(RawSQL(sql, values, output_field=BooleanField()))  # noqa: S611
    # Put the seek first in WHERE. The subtree filter also bounds the leading column (org_path >= prefix);
    # SQLite's planner, with two equally costed lower bounds, keeps the first one it meets as the index
    # start, and would otherwise read the whole subtree up to the cursor (O(position)). PostgreSQL uses
    # both bounds either way. (Top-level WHERE children are ANDed, so their order does not change results.)
    where = seek.query.where
    where.children.insert(0, where.children.pop())
    return seek


def _boundary(qs: QuerySet, names: list[str], forward: list[str], backward: list[str], jump: int, size: int,
              total: int) -> list[Any] | None:  # fmt: skip
    """The keys of the last row before page ``jump`` (an index-only OFFSET from the nearer end)."""
    before = (jump - 1) * size  # rows before the page
    if before <= total - before:
        row = qs.order_by(*forward).values_list(*names)[before - 1 : before]
    else:
        row = qs.order_by(*backward).values_list(*names)[total - before : total - before + 1]
    found = list(row)
    return list(found[0]) if found else None


def keyset_page(
    qs: QuerySet,
    keys: list[tuple[str, str]],
    cursor: str | None,
    size: int,
    *,
    descending: bool = False,
    total: int | None = None,
    jump: int | None = None,
) -> Page:
    """One page of ``qs``. ``keys`` are (attribute, qualified SQL column) pairs, in sort order; with
    ``descending`` the list runs from the largest keys down (a log, newest first). With the list's
    ``total`` the page knows its number and the number of pages, and ``jump`` opens page ``jump``."""
    names = [name for name, _column in keys]
    pages = max(1, math.ceil(total / size)) if total is not None else None
    carried = _decode(cursor)
    number = carried[2] if carried else None
    decoded = (carried[0], carried[1]) if carried else None
    if decoded and decoded[1] and len(decoded[1]) == len(keys):
        try:
            _db_values(qs, keys, decoded[1])
        except (ValidationError, TypeError, ValueError, OverflowError):
            decoded = None  # a tampered cursor: start from the first page
    forward = [*names]
    backward = [f"-{n}" for n in names]
    later, earlier = ">", "<"
    if descending:
        forward, backward, later, earlier = backward, forward, earlier, later
    direction = "first"
    if decoded and (decoded[0] == "last" or len(decoded[1]) == len(keys)):
        direction, values = decoded
    if jump is not None and pages is not None and total is not None:
        jump = min(max(jump, 1), pages)
        direction, number = "first", 1
        if jump == pages and jump > 1:
            direction, number = "last", pages
        elif jump > 1:
            boundary = _boundary(qs, names, forward, backward, jump, size, total)
            if boundary is not None:
                direction, values, number = "after", boundary, jump
    if direction == "first":
        number = 1
    elif direction == "last":
        number = pages
    if direction == "after":
        rows = list(_row_filter(qs, keys, values, later).order_by(*forward)[: size + 1])
        has_more_after, has_more_before = len(rows) > size, True
        rows = rows[:size]
    elif direction == "before":
        rows = list(_row_filter(qs, keys, values, earlier).order_by(*backward)[: size + 1])
        has_more_before, has_more_after = len(rows) > size, True
        rows = rows[:size][::-1]
        if not has_more_before:  # back at the start: show a whole first page, as the "First" link does
            return keyset_page(qs, keys, None, size, descending=descending, total=total)
    elif direction == "last":
        # With the total, the last page holds the remainder: the pages before it are those met going forward.
        tail = total - (pages - 1) * size if total is not None and pages is not None and total > 0 else size
        rows = list(qs.order_by(*backward)[: tail + 1])
        has_more_before, has_more_after = len(rows) > tail, False
        rows = rows[:tail][::-1]
    else:
        rows = list(qs.order_by(*forward)[: size + 1])
        has_more_after, has_more_before = len(rows) > size, False
        rows = rows[:size]

    def key_of(row: Any) -> list[Any]:
        return [getattr(row, n) for n in names]

    def step(by: int) -> int | None:
        return number + by if number is not None and number + by >= 1 else None

    return Page(
        rows=rows,
        next_cursor=encode_cursor(key_of(rows[-1]), "after", step(1)) if rows and has_more_after else None,
        prev_cursor=encode_cursor(key_of(rows[0]), "before", step(-1)) if rows and has_more_before else None,
        first_cursor="" if has_more_before else None,
        last_cursor=encode_cursor([], "last") if has_more_after else None,
        is_first=not has_more_before,
        number=number if pages is None or (number is not None and number <= pages) else None,
        pages=pages,
    )
