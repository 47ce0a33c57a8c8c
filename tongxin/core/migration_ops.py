"""Migration helpers shared by the apps."""

from __future__ import annotations

from django.db import migrations


def binary_collation(table: str, column: str, length: int = 255) -> migrations.RunPython:
    """Give a materialized-path column the "C" collation on PostgreSQL.

    Subtree queries are byte-order ranges on the path; the C collation makes the B-tree index order
    match them (and serve LIKE 'prefix%'). SQLite's default BINARY collation already does.
    """

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length}) COLLATE "C"')

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({length})')

    return migrations.RunPython(forward, backward, elidable=False)


def postgresql_only(sql: str, reverse_sql: str) -> migrations.RunPython:
    """Run ``sql`` on PostgreSQL and nothing elsewhere (SQLite): for what only PostgreSQL can declare, such as
    an exclusion constraint over a time range with the btree_gist extension (venues' no-double-booking rule).
    The models do not know it, so ``makemigrations`` never tries to write or drop it."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql)

    return migrations.RunPython(forward, backward, elidable=False)
