"""Re-encrypt every encrypted value (ID numbers, phones, import files) with the first key of TONGXIN_FIELD_KEYS.

Key rotation: put the new key first in TONGXIN_FIELD_KEYS (keep the old ones after it, so everything
still decrypts), restart, run this command, then remove the old keys. Each batch is one transaction, so
the command can be stopped and run again; a value no key opens stops it with the reason. The work is
``core.services.rotate_field_keys``, which finds the encrypted fields through the app registry and leaves
a ChangeLog row per table.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tongxin.core.services import rotate_field_keys
from tongxin.core.tqdm_progress import TableProgress


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the first key of TONGXIN_FIELD_KEYS (run after adding a key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] < 1
        with TableProgress(self.stderr, disable=quiet) as progress:
            total = rotate_field_keys(None, batch=options["batch"], progress=progress)
        if not quiet:
            message = _("Re-encrypted %(count)d rows with the first key of TONGXIN_FIELD_KEYS.")
            self.stdout.write(message % {"count": total})
