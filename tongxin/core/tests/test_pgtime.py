"""PostgreSQL's timestamps read by psycopg's compiled loader (core.pgtime, issue 14): the same values, in the same
zone object, as Django's own loader reads them, and Django's per-cursor check keeps it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql_only(reason="psycopg's loaders are PostgreSQL's")]

ZONES = st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=8)),
                         datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))])  # fmt: skip


def _loader_of(cursor):
    import psycopg
    from psycopg.pq import Format

    return cursor.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, Format.TEXT)


def test_a_new_connection_reads_timestamps_with_the_compiled_loader():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        loader = _loader_of(cursor.cursor)
    assert loader.__name__ == "CompiledTzLoader" and loader.timezone == connection.timezone


@settings(max_examples=150, deadline=None)
@given(st.datetimes(min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30), timezones=ZONES))
def test_the_values_read_are_djangos(moment):
    sql = "SELECT %s::timestamptz, now(), NULL::timestamptz"
    with connection.cursor() as cursor:
        cursor.execute(sql, [moment])
        fast = cursor.fetchone()
        raw = cursor.cursor  # the psycopg cursor, given Django's loader as Django registers it
        register_tzloader(connection.timezone, raw)
        raw.execute(sql, [moment])
        django = raw.fetchone()
    assert fast[0] == moment
    for mine, theirs in zip(fast, django, strict=True):
        assert mine == theirs and type(mine) is type(theirs)
        if mine is not None:
            assert (mine.tzinfo, mine.utcoffset(), mine.replace(tzinfo=None)) == (
                theirs.tzinfo,
                theirs.utcoffset(),
                theirs.replace(tzinfo=None),
            )
