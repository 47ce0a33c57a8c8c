"""Loading a lot of rows in one transaction on PostgreSQL (``seed_demo``): the foreign keys checked once at the end.

Django makes every foreign key ``DEFERRABLE INITIALLY DEFERRED``, so each row written queues an event that
PostgreSQL fires at commit, one look-up in the referenced table per row and key: 151 s of the 10× demo's commit
(5.5 million rows), most of the load at 100×. ``pg_restore`` loads data the same way as here: without the foreign
keys, then ``ALTER TABLE … ADD CONSTRAINT``, which checks every row of the table in one pass (a join) and fails
if one row breaks the key, so the rules still hold; the definitions put back are PostgreSQL's own text of the
ones dropped (``pg_get_constraintdef``), so the schema after the load is the schema before.

The dropping and the restoring are DDL inside the caller's transaction: if anything fails in between, or a row
breaks a key, the transaction rolls back the rows and the DDL together and the constraints are as before.
SQLite checks its foreign keys per statement (or not at all); there both functions do nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone

_FOREIGN_KEYS = """
    SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
    FROM pg_constraint c
    WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
    ORDER BY 1, 2
"""


@dataclass(frozen=True)
class ForeignKey:
    table: str  # as regclass prints it: quoted when it needs to be
    name: str
    definition: str  # pg_get_constraintdef: "FOREIGN KEY (…) REFERENCES …(…) DEFERRABLE INITIALLY DEFERRED"


def foreign_keys() -> list[ForeignKey]:
    """Every foreign key of the current schema, as PostgreSQL defines it (empty on other databases)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(_FOREIGN_KEYS)
        return [ForeignKey(*row) for row in cursor.fetchall()]


def drop_foreign_keys() -> list[ForeignKey]:
    """Drop every foreign key of the schema for a bulk load; what was dropped, for :func:`restore_foreign_keys`.

    Must run inside a transaction (``transaction.atomic``) that also holds the load and the restoring. Events
    already queued for deferred keys (rows written earlier in the transaction) are checked first: PostgreSQL
    refuses to alter a table with pending trigger events.
    """
    if connection.vendor != "postgresql":
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("drop_foreign_keys() belongs inside the transaction of the load and the restoring")
    dropped = foreign_keys()
    quote = connection.ops.quote_name
    if not dropped:
        return []
    # The table and constraint names are the catalogue's own; nothing here comes from a user. The keys are named
    # (not ALL) so that other deferrable constraints keep their mode.
    names = ", ".join(sorted({quote(key.name) for key in dropped}))
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
        for key in dropped:
            cursor.execute(f"ALTER TABLE {key.table} DROP CONSTRAINT {quote(key.name)}")
    return dropped


def restore_foreign_keys(dropped: list[ForeignKey]) -> None:
    """Add back the keys :func:`drop_foreign_keys` dropped, with their definitions verbatim: each checks every
    row of its table once, and a row that breaks one raises ``IntegrityError`` (the caller's transaction then
    rolls back the load)."""
    if not dropped:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # The checks are hash joins over whole tables: room for the hashes rather than batches on disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for key in dropped:
            # The definitions are PostgreSQL's own text of the keys dropped above.
            cursor.execute(f"ALTER TABLE {key.table} ADD CONSTRAINT {quote(key.name)} {key.definition}")
        cursor.execute("RESET work_mem")


def insert_objects(
    model: type[models.Model], objs: Sequence[models.Model], batch_size: int | None = None, *, ids: bool = False
) -> int:
    """``bulk_create(objs)``: on PostgreSQL one ``COPY … FROM STDIN`` of their columns (the same table
    constraints checked, errors raised as Django's), elsewhere ``bulk_create``. Without ``ids`` the ids are left
    unset (for rows nobody refers to); with ``ids`` they are drawn from the table's sequence first (one query)
    and set on the objects, as ``bulk_create`` sets them. ``auto_now``/``auto_now_add`` fields get the time of
    the call, as ``bulk_create`` gives them.

    For the big batches of a load (a month's points of a district, every tally row): ``bulk_create`` spends most
    of its time compiling one parameter per value; the 10× demo's points and tallies are millions of values.
    """
    if not objs:
        return 0
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return len(objs)
    pk = model._meta.pk
    assert pk is not None
    generated = isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
    # A generated id is written only when drawn here; a key of the object's own (a one-to-one) always is.
    fields = [f for f in model._meta.concrete_fields if ids or not (f.primary_key and generated)]
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(objs)],
            )
            for obj, pk_value in zip(objs, sorted(v for (v,) in cursor.fetchall()), strict=True):  # in list order
                obj.pk = pk_value
                obj._state.adding, obj._state.db = False, connection.alias
    now = timezone.now()
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for field in stamped:
            setattr(obj, field.attname, now)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    names = [f.attname for f in fields]
    # Django's plain fields store the Python value as it is (psycopg writes it); any other field (encrypted,
    # JSON, a project's own) goes through its get_db_prep_save as bulk_create would.
    prepare = [None if _plain(f) else f for f in fields]
    # The names are the model's own (quoted); the values are data, not SQL.
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        if not any(prepare):
            for obj in objs:
                copy.write_row([getattr(obj, name) for name in names])
        else:
            db = cursor.db  # the connection itself, not the proxy (looked up on every use)
            for obj in objs:
                copy.write_row([
                    getattr(obj, name) if field is None else field.get_db_prep_save(getattr(obj, name), db)
                    for name, field in zip(names, prepare, strict=True)
                ])  # fmt: skip
    return len(objs)


_PLAIN = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField", "DateTimeField",
    "DecimalField", "ForeignKey", "IntegerField", "OneToOneField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
}  # fmt: skip


def _plain(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    return type(field).__module__.startswith("django.db.models") and type(field).__name__ in _PLAIN


def _adapt_decimal(field: Any, value: Any) -> Any:
    return connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)


def insert_rows(model: type[models.Model], names: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
    """INSERT ``rows`` (tuples of the values of the fields ``names``, already checked by the caller as the
    service would) into ``model``'s table with one executemany per 20,000 rows; the number written:
    ``bulk_create`` without the model instances.

    For the hundreds of thousands of rows of a demo year (attendance, dues): ``bulk_create`` spends most of
    the seed building a model instance per row and compiling each value. Dates, times and decimals go
    through the backend's own adapters; the fields' defaults are not applied (name every column). On
    PostgreSQL the rows are streamed with ``COPY … FROM STDIN`` instead (the same values, the same table
    constraints checked): a tenth of executemany's time on the 10× demo's 4.7 million attendance rows.
    """
    fields = {f.name: f for f in model._meta.concrete_fields}
    chosen = [fields[name] for name in names]
    ops = connection.ops
    adapters: list[Callable[[Any], Any] | None] = []
    for field in chosen:
        internal = field.get_internal_type()
        if internal == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif internal == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif internal == "DecimalField":
            adapters.append(functools.partial(_adapt_decimal, field))
        else:
            adapters.append(None)
    columns = ", ".join(ops.quote_name(str(field.column)) for field in chosen)
    if connection.vendor == "postgresql":
        # PostgreSQL's adapters for dates, times and decimals return the value as it is (psycopg writes it).
        return copy_rows(ops.quote_name(model._meta.db_table), columns, rows)
    marks = ", ".join(["%s"] * len(chosen))
    # The names are the model's own (quoted); the values are parameters.
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    written = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(a(v) if a and v is not None else v for a, v in zip(adapters, row, strict=True)))
            if len(batch) >= 20_000:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def copy_rows(table: str, columns: str, rows: Iterable[Sequence[Any]]) -> int:
    """PostgreSQL: one ``COPY`` of every row into ``table`` (``columns``: the quoted column list, or "" for all of
    them in order; psycopg writes each value in the text format). The number written."""
    written = 0
    # The names are the models' own or a temporary table's (quoted or literal); the values are data, not SQL.
    sql = f"COPY {table}{f' ({columns})' if columns else ''} FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def temporary_table(name: str, definition: str, rows: Iterable[Sequence[Any]] = ()) -> int:
    """PostgreSQL: a temporary table ``name`` (``definition``: its columns and types) for a bulk step's rows,
    dropped at the commit, filled with ``rows`` by :func:`copy_rows` (more may be copied in later). The number
    written."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({definition}) ON COMMIT DROP")
    return copy_rows(name, "", rows)
