"""Keyset (cursor) pagination: the cost of a page does not grow with its position in the list.

The queryset must be ordered by ``keys`` (ascending, non-null, the last one unique, e.g. ``id``).
A cursor is the key values of a boundary row, with a direction, encrypted into a URL-safe string: the keys
may be personal (a name's pinyin when the list is sorted by name), and a cursor travels in URLs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from tongxin.core.crypto import fernet


def encode_cursor(values: list[Any], direction: str) -> str:
    raw = json.dumps([direction, values], separators=(",", ":"), ensure_ascii=False, default=str)
    return fernet().encrypt(raw.encode()).decode("ascii").rstrip("=")  # a Fernet token is URL-safe base64


def decode_cursor(cursor: str | None) -> tuple[str, list[Any]] | None:
    if not cursor:
        return None
    try:
        raw = fernet().decrypt((cursor + "=" * (-len(cursor) % 4)).encode("ascii"))
        direction, values = json.loads(raw)
    except (InvalidToken, ValueError, TypeError):  # tampered, another deployment's, or not ASCII
        return None
    if direction not in ("after", "before", "last") or not isinstance(values, list):
        return None
    return direction, values


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    first_cursor: str | None
    last_cursor: str | None
    is_first: bool


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


def keyset_page(
    qs: QuerySet, keys: list[tuple[str, str]], cursor: str | None, size: int, *, descending: bool = False
) -> Page:
    """One page of ``qs``. ``keys`` are (attribute, qualified SQL column) pairs, in sort order; with
    ``descending`` the list runs from the largest keys down (a log, newest first)."""
    names = [name for name, _column in keys]
    decoded = decode_cursor(cursor)
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
    if direction == "after":
        rows = list(_row_filter(qs, keys, values, later).order_by(*forward)[: size + 1])
        has_more_after, has_more_before = len(rows) > size, True
        rows = rows[:size]
    elif direction == "before":
        rows = list(_row_filter(qs, keys, values, earlier).order_by(*backward)[: size + 1])
        has_more_before, has_more_after = len(rows) > size, True
        rows = rows[:size][::-1]
        if not has_more_before:  # back at the start: show a whole first page, as the "First" link does
            return keyset_page(qs, keys, None, size, descending=descending)
    elif direction == "last":
        rows = list(qs.order_by(*backward)[: size + 1])
        has_more_before, has_more_after = len(rows) > size, False
        rows = rows[:size][::-1]
    else:
        rows = list(qs.order_by(*forward)[: size + 1])
        has_more_after, has_more_before = len(rows) > size, False
        rows = rows[:size]

    def key_of(row: Any) -> list[Any]:
        return [getattr(row, n) for n in names]

    return Page(
        rows=rows,
        next_cursor=encode_cursor(key_of(rows[-1]), "after") if rows and has_more_after else None,
        prev_cursor=encode_cursor(key_of(rows[0]), "before") if rows and has_more_before else None,
        first_cursor="" if has_more_before else None,
        last_cursor=encode_cursor([], "last") if has_more_after else None,
        is_first=not has_more_before,
    )
