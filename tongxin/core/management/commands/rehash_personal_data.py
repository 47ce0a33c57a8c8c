"""Recompute the keyed hashes of ID numbers and phones after TONGXIN_LOOKUP_KEY has changed.

The hashes find an encrypted value (duplicate checks, transfers, recruitment, imports): under a new lookup
key every stored hash is stale, and those lookups miss until this command has run. Run it right after
deploying the new key (during a maintenance window: a duplicate slipping in meanwhile is not detected).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from tongxin.lifecycle.models import Recruitment
from tongxin.people.models import LOOKUP_FIELDS, Person


class Command(BaseCommand):
    help = "Recompute the keyed hashes of ID numbers and phones (run after changing TONGXIN_LOOKUP_KEY)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch"]
        quiet = options["verbosity"] < 1
        done = 0
        for model, fields, only in (
            (Person, list(LOOKUP_FIELDS), ("id", "id_number", "phone")),
            (Recruitment, ["id_hash"], ("id", "id_number")),
        ):
            manager: Any = model._base_manager
            last = 0
            with tqdm(total=manager.count(), desc=model._meta.label, unit=" rows", disable=quiet,
                      file=self.stderr) as bar:  # fmt: skip
                while True:
                    with transaction.atomic():
                        rows: list[Any] = list(manager.filter(pk__gt=last).order_by("pk").only(*only)[:size])
                        if not rows:
                            break
                        for row in rows:
                            row.set_lookup_fields()
                        manager.bulk_update(rows, fields)
                    last = rows[-1].pk
                    bar.update(len(rows))
                    done += len(rows)
        if not quiet:
            self.stdout.write(_("Recomputed the lookup hashes of %(count)d rows.") % {"count": done})
