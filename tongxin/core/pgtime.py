"""PostgreSQL's ``timestamptz`` values read by psycopg's compiled loader (issue 14: the weekly study peak).

Django registers on each connection a loader that reads a ``timestamptz`` into the connection's time zone
(``psycopg_any.BaseTzLoader``); it derives from psycopg's pure-Python ``TimestamptzLoader``, because the compiled
one (psycopg[binary]) cannot be subclassed, so every timestamp read is parsed in Python: a regular expression and
a dozen calls (Django ticket #36960, psycopg issue #1273). The study peak's requests read some thirty.

On each new connection :func:`use_compiled_loader` registers in its place a loader that does the same (the value
parsed, then its ``tzinfo`` replaced by Django's zone for the connection, exactly as ``BaseTzLoader.load``), the
parsing done by the loader psycopg itself registers for ``timestamptz`` (the compiled one when psycopg[binary] is
installed), reached through psycopg's public ``adapters.get_loader``. It carries Django's ``timezone`` attribute,
so Django's per-cursor check (``create_cursor``: "register the cursor timezone only if the connection
disagrees") leaves it in place. Without the compiled implementation nothing changes.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.adapt import Loader
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader


def use_compiled_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: the compiled ``timestamptz`` loader on a new PostgreSQL connection."""
    if connection.vendor != "postgresql":
        return
    oid = psycopg.postgres.types["timestamptz"].oid
    adapters = connection.connection.adapters
    django_loader = adapters.get_loader(oid, Format.TEXT)  # Django's, made for this connection's zone
    compiled = psycopg.adapters.get_loader(oid, Format.TEXT)  # psycopg's default: compiled if available
    if compiled is None or issubclass(compiled, TimestamptzLoader) or not hasattr(django_loader, "timezone"):
        return  # the pure-Python implementation: Django's loader is as fast
    zone = django_loader.timezone
    parser: Any = compiled  # a loader class (psycopg.abc.Loader), checked above

    class CompiledTzLoader(Loader):
        timezone = zone  # what Django's create_cursor compares with its own

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._parse = parser(oid, context).load

        def load(self, data: Any) -> Any:
            return self._parse(data).replace(tzinfo=zone)

    adapters.register_loader(oid, CompiledTzLoader)
