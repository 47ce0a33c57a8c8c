"""Recompute the keyed hashes of ID numbers and phones after TONGXIN_LOOKUP_KEY has changed.

The hashes find an encrypted value (duplicate checks, transfers, recruitment, imports): under a new lookup
key every stored hash is stale, and those lookups miss until this command has run. Run it right after
deploying the new key (during a maintenance window: a duplicate slipping in meanwhile is not detected).
The work is ``core.services.rehash_personal_data``: the models come from the registry the apps fill
(``core.registry.register_lookup_hashes``), and each leaves a ChangeLog row.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tongxin.core.services import rehash_personal_data
from tongxin.core.tqdm_progress import TableProgress


class Command(BaseCommand):
    help = "Recompute the keyed hashes of ID numbers and phones (run after changing TONGXIN_LOOKUP_KEY)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] < 1
        with TableProgress(self.stderr, disable=quiet) as progress:
            done = rehash_personal_data(None, batch=options["batch"], progress=progress)
        if not quiet:
            self.stdout.write(_("Recomputed the lookup hashes of %(count)d rows.") % {"count": done})
