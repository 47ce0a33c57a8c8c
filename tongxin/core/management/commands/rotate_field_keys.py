"""Re-encrypt every encrypted value (ID numbers, phones, import files) with the first key of TONGXIN_FIELD_KEYS.

Key rotation: put the new key first in TONGXIN_FIELD_KEYS (keep the old ones after it, so everything
still decrypts), restart, run this command, then remove the old keys. Each batch is one transaction, so
the command can be stopped and run again; a value no key opens stops it with the reason.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from tongxin.core.crypto import ENCRYPTED_FIELDS, batched_rows, rotate_token, update_rows


def encrypted_columns() -> list[tuple[str, list[str], Any]]:
    """(table, encrypted columns, model) for every model with an encrypted field."""
    found = []
    for model in apps.get_models():
        columns = [str(f.column) for f in model._meta.concrete_fields if isinstance(f, ENCRYPTED_FIELDS)]
        if columns and not model._meta.proxy and model._meta.managed:
            found.append((model._meta.db_table, columns, model))
    return found


def _rotate(value: Any, where: str) -> Any:
    if value is None or value == "" or value == b"":
        return value
    if isinstance(value, str):
        return rotate_token(value.encode("ascii"), where).decode("ascii")
    return rotate_token(bytes(value), where)


def _rotated(table: str, columns: list[str], row: tuple) -> tuple:
    pk, *values = row
    return (
        pk,
        *(_rotate(value, f"{table}.{column} of row {pk}") for value, column in zip(values, columns, strict=True)),
    )


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the first key of TONGXIN_FIELD_KEYS (run after adding a key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        quiet = options["verbosity"] < 1
        for table, columns, model in encrypted_columns():
            count = model._base_manager.count()
            batch = options["batch"] if model._meta.label != "core.ImportJob" else max(1, options["batch"] // 50)
            with tqdm(total=count, desc=model._meta.label, unit=" rows", disable=quiet, file=self.stderr) as bar:
                for rows in batched_rows(connection, table, columns, batch):
                    with transaction.atomic():
                        update_rows(connection, table, columns, [_rotated(table, columns, row) for row in rows])
                    bar.update(len(rows))
                    total += len(rows)
        if not quiet:
            message = _("Re-encrypted %(count)d rows with the first key of TONGXIN_FIELD_KEYS.")
            self.stdout.write(message % {"count": total})
