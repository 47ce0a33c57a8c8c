"""Statements of a hot path written once per process from the models' metadata, their rows made into instances
as the ORM makes them (issue 14: the weekly study peak).

The ORM builds and compiles a query on every call: for a read with joins and correlated subqueries, a few
milliseconds of Python, more than the round trip. Where one request of many thousand runs the same read, the
service writes the statement once (the table and column names from ``_meta``, quoted by the connection, values
bound per call) and builds the instances from its row with :class:`Columns`: the same column values, the same
database converters (JSON text decoded, SQLite's dates parsed), the instance marked as loaded from the database.
Everything else (scoping, the checks) stays in the service, which names the semantics it keeps.

    PERSON = Columns(Person, ("name", "status", "branch", "org_path"))
    sql = f"SELECT {PERSON.select(connection, 'm')} FROM {PERSON.table(connection)} m WHERE m.id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    person = PERSON.build(connection, row)  # a Person with those columns loaded, the others deferred

The writes: :func:`insert` and :func:`update` are ``obj.save()`` for a new row and ``obj.save(update_fields=…)``,
with the same steps (related objects checked, ``pre_save`` and ``post_save`` sent, each field's ``pre_save`` and
``get_db_prep_save``, the database-made key read back), the statement written once per model and database.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from django.db import DatabaseError, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class Columns(Generic[M]):
    """Some concrete fields of ``model`` (``names``: field names or attnames; all of them when None; the primary
    key always), in the model's field order: the column list of a statement and the instance made from its row."""

    def __init__(self, model: type[M], names: Iterable[str] | None = None) -> None:
        wanted = None if names is None else set(names)
        meta = model._meta
        self.model = model
        self.fields = tuple(
            field
            for field in meta.concrete_fields
            if wanted is None or field.primary_key or field.name in wanted or field.attname in wanted
        )
        if wanted is not None:
            unknown = wanted - {f.name for f in self.fields} - {f.attname for f in self.fields}
            if unknown:
                raise ValueError(f"{meta.label} has no concrete fields {sorted(unknown)}")
        self.attnames = tuple(field.attname for field in self.fields)
        self.columns = tuple(str(field.column) for field in self.fields)
        self._converters: dict[str, tuple[tuple[int, tuple[Converter, ...], Any], ...]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def table(self, connection: BaseDatabaseWrapper) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    def column(self, connection: BaseDatabaseWrapper, alias: str, name: str) -> str:
        """One column by its field name (or attname), qualified by the table's ``alias`` in the statement."""
        field = self.model._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete:
            raise ValueError(f"{self.model._meta.label}.{name} is not a column")
        return f"{alias}.{connection.ops.quote_name(str(field.column))}"

    def select(self, connection: BaseDatabaseWrapper, alias: str) -> str:
        """``alias."col", alias."col", …``: the columns, in the order :meth:`build` reads them."""
        quote = connection.ops.quote_name
        return ", ".join(f"{alias}.{quote(column)}" for column in self.columns)

    def _converters_for(self, connection: BaseDatabaseWrapper) -> tuple[tuple[int, tuple[Converter, ...], Any], ...]:
        """What the ORM's compiler applies to each column read (``SQLCompiler.get_converters``), once per database."""
        found = self._converters.get(connection.alias)
        if found is None:
            table = self.model._meta.db_table
            found_list = []
            for index, field in enumerate(self.fields):
                col = field.get_col(table)
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if converters:
                    found_list.append((index, tuple(converters), col))
            found = self._converters[connection.alias] = tuple(found_list)
        return found

    def build(self, connection: BaseDatabaseWrapper, row: Sequence[Any], start: int = 0) -> M:
        """The instance of the model from ``row[start:start + len(self)]``, as the ORM's iterable makes it
        (``Model.from_db``: the other fields deferred, loaded from ``connection``'s database)."""
        values = list(row[start : start + len(self.fields)])
        for index, converters, col in self._converters_for(connection):
            value = values[index]
            for convert in converters:
                value = convert(value, col, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.attnames, values)

    def json_rows(self, connection: BaseDatabaseWrapper, alias: str) -> str:
        """An aggregate of the rows of ``alias`` as one JSON array of arrays, the columns in :meth:`build`'s order:
        a column of related rows read in their parent's statement (:meth:`build_json` makes the instances), a round
        trip less than a statement of their own. The JSON columns go in as their text, as a cursor hands them to
        the fields' converters; only columns that JSON carries as they are (numbers, text, booleans, JSON)."""
        carried = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
                   "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "ForeignKey",
                   "CharField", "TextField", "SlugField", "BooleanField", "JSONField"}  # fmt: skip
        odd = [field.name for field in self.fields if field.get_internal_type() not in carried]
        if odd:
            raise ValueError(f"{self.model._meta.label}: JSON does not carry {odd} as the database would")
        quote = connection.ops.quote_name
        postgres = connection.vendor == "postgresql"
        values = []
        for field in self.fields:
            column = f"{alias}.{quote(str(field.column))}"
            values.append(f"{column}::text" if postgres and field.get_internal_type() == "JSONField" else column)
        if postgres:
            return f"json_agg(json_build_array({', '.join(values)}))"
        return f"json_group_array(json_array({', '.join(values)}))"

    def build_json(self, connection: BaseDatabaseWrapper, value: Any) -> list[M]:
        """The instances of a :meth:`json_rows` column's value (None or ``[]``: no rows)."""
        rows = json.loads(value) if isinstance(value, str) else value
        return [self.build(connection, row) for row in rows or ()]

    def build_into(
        self, parent: models.Model, name: str, connection: BaseDatabaseWrapper, row: Sequence[Any], start: int = 0
    ) -> M:
        """:meth:`build`, cached on ``parent`` as its related object ``name`` (what ``select_related`` does)."""
        obj = self.build(connection, row, start)
        parent._meta.get_field(name).set_cached_value(parent, obj)  # type: ignore[union-attr]
        return obj


# --- statements PostgreSQL plans once per connection ------------------------------------------------------------


PREPARE_THRESHOLD = 5  # psycopg's default; this module's cursors ask for every statement to be prepared anyway


@functools.cache
def _preparing_cursor() -> Any:
    """Django's server-binding cursor class for psycopg 3, every statement executed with ``prepare=True``."""
    from django.db.backends.postgresql.base import ServerBindingCursor  # noqa: PLC0415 - imports psycopg

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None) -> Any:
            return super().execute(query, params, prepare=True, binary=binary)  # type: ignore[misc]

    return PreparingCursor


def prepares(connection: BaseDatabaseWrapper) -> bool:
    """Whether :func:`cursor` prepares its statements on the server: PostgreSQL (psycopg 3), not behind pgbouncer
    (``TONGXIN_PGBOUNCER``: in transaction pooling a named statement may reach another server session)."""
    from django.conf import settings  # noqa: PLC0415 - read per call: the tests switch it

    return connection.vendor == "postgresql" and not getattr(settings, "TONGXIN_PGBOUNCER", False)


def cursor(connection: BaseDatabaseWrapper) -> Any:
    """``connection.cursor()``, on PostgreSQL one whose statements are prepared (psycopg's ``prepare=True``):
    parsed and planned once per server session, then executed with their values bound (issue 14: planning the
    submission's read of the attempt, its period, campaign and member took 0.3-0.4 ms of PostgreSQL's CPU, five
    times its execution). The values are bound on the server, not written into the text: the hot path's
    statements only, whose every parameter is a column's value. Elsewhere (SQLite, pgbouncer) the usual cursor, and
    while queries are logged (DEBUG, the tests' ``CaptureQueriesContext``): Django logs a statement's text from
    psycopg's last query, which a statement executed by its prepared name does not keep (the log would say None)."""
    if not prepares(connection) or connection.queries_logged:
        return connection.cursor()
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID  # noqa: PLC0415 - imports psycopg
    from django.db.backends.postgresql.psycopg_any import register_tzloader  # noqa: PLC0415
    from psycopg.pq import Format  # noqa: PLC0415

    # Django's own steps of connection.cursor() (BaseDatabaseWrapper._cursor and the backend's create_cursor),
    # with the cursor's class swapped.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        if connection.connection.prepare_threshold is None:
            # Django turns preparing off on its connections (for poolers): on for this cursor's class only, as
            # Django's own cursors bind values on the client and psycopg prepares none of their statements.
            connection.connection.prepare_threshold = PREPARE_THRESHOLD
        raw = _preparing_cursor()(connection.connection)
        zone = connection.timezone
        if zone != connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
            register_tzloader(zone, raw)
        return connection._prepare_cursor(raw)  # type: ignore[attr-defined]


def fetch_one(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with cursor(connection) as rows:
        rows.execute(sql, params)
        return rows.fetchone()


def fetch_all(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with cursor(connection) as rows:
        rows.execute(sql, params)
        return rows.fetchall()


# --- writes ------------------------------------------------------------------------------------------------------


@functools.cache
def _plain(model: type[models.Model]) -> bool:
    """A model :func:`insert` and :func:`update` write as ``save()`` does: its own ``save()`` not overridden, one
    table (no parent), no order kept by Django, nothing made by the database on insert but an auto key."""
    meta = model._meta
    return (
        model.save is models.Model.save
        and model.save_base is models.Model.save_base
        and not meta.parents
        and not meta.order_with_respect_to
        and all(f is meta.auto_field for f in meta.db_returning_fields)
    )


@functools.cache
def _insert_sql(model: type[models.Model], alias: str, with_pk: bool) -> tuple[str, tuple[models.Field, ...]]:
    connection, meta = connections[alias], model._meta
    quote = connection.ops.quote_name
    fields = tuple(f for f in meta.local_concrete_fields if not f.generated and (with_pk or f is not meta.auto_field))
    returning = ", ".join(quote(str(f.column)) for f in meta.db_returning_fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608 - names
        f"VALUES ({', '.join(['%s'] * len(fields))}){f' RETURNING {returning}' if returning else ''}"
    )
    return sql, fields


@functools.cache
def _update_sql(model: type[models.Model], alias: str, names: tuple[str, ...]) -> tuple[str, tuple[models.Field, ...]]:
    connection, meta = connections[alias], model._meta
    quote = connection.ops.quote_name
    fields = tuple(
        f
        for f in meta.local_concrete_fields
        if not f.primary_key and not f.generated and (f.name in names or f.attname in names)
    )
    if len(fields) != len(set(names)):
        raise ValueError(f"{meta.label} cannot update {sorted(names)}")
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(str(f.column))} = %s' for f in fields)} "  # noqa: S608
        f"WHERE {quote(str(meta.pk.column))} = %s"
    )
    return sql, fields


def insert(obj: models.Model) -> None:
    """``obj.save()`` for a new row (``Model.objects.create``), the INSERT written once per model and database."""
    model, meta = type(obj), obj._meta
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    if not _plain(model) or not connection.features.can_return_columns_from_insert:
        obj.save(force_insert=True, using=using)
        return
    saving: Any = obj  # Model's own steps of save(), private to Django
    saving._prepare_related_fields_for_save(operation_name="save")
    with transaction.mark_for_rollback_on_error(using):
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        if not saving._is_pk_set(meta):
            setattr(obj, meta.pk.attname, meta.pk.get_pk_value_on_save(obj))
        sql, fields = _insert_sql(model, using, saving._is_pk_set(meta))
        values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
        with cursor(connection) as rows:
            rows.execute(sql, values)
            returned = rows.fetchone() if meta.db_returning_fields else None
        for value, field in zip(returned or (), meta.db_returning_fields, strict=False):
            setattr(obj, field.attname, value)
        obj._state.adding, obj._state.db = False, using
        post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using)


def update(obj: models.Model, fields: Iterable[str]) -> None:
    """``obj.save(update_fields=fields)`` of a saved row, the UPDATE written once per model, fields and database."""
    model, meta = type(obj), obj._meta
    names = tuple(sorted(set(fields)))
    using = router.db_for_write(model, instance=obj)
    connection = connections[using]
    if not _plain(model) or not names:
        obj.save(update_fields=names, using=using)
        return
    if obj.pk is None:
        raise ValueError("Cannot force an update in save() with no primary key.")
    saving: Any = obj  # Model's own steps of save(), private to Django
    saving._prepare_related_fields_for_save(operation_name="save", fields=[meta.get_field(n) for n in names])
    with transaction.mark_for_rollback_on_error(using):
        update_fields = frozenset(names)
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=update_fields)
        sql, columns = _update_sql(model, using, names)
        values = [field.get_db_prep_save(field.pre_save(obj, False), connection) for field in columns]
        with cursor(connection) as rows:
            rows.execute(sql, [*values, meta.pk.get_db_prep_value(obj.pk, connection)])
            if rows.rowcount == 0:
                raise DatabaseError("Save with update_fields did not affect any rows.")
        obj._state.adding, obj._state.db = False, using
        post_save.send(sender=model, instance=obj, created=False, update_fields=update_fields, raw=False, using=using)
