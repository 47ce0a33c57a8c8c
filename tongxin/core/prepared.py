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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

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

    def build_into(
        self, parent: models.Model, name: str, connection: BaseDatabaseWrapper, row: Sequence[Any], start: int = 0
    ) -> M:
        """:meth:`build`, cached on ``parent`` as its related object ``name`` (what ``select_related`` does)."""
        obj = self.build(connection, row, start)
        parent._meta.get_field(name).set_cached_value(parent, obj)  # type: ignore[union-attr]
        return obj


def fetch_one(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
