"""Recompute the keyed hashes of ID numbers and phones after TONGXIN_LOOKUP_KEY has changed.

The hashes find an encrypted value (duplicate checks, transfers, recruitment, imports): under a new lookup
key every stored hash is stale, and those lookups miss until this command has run. Run it right after
deploying the new key (during a maintenance window: a duplicate slipping in meanwhile is not detected).
The work is ``core.services.rehash_personal_data``: the models come from the registry the apps fill
(``core.registry.register_lookup_hashes``), and each leaves a ChangeLog row.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from tongxin.core.management.batch import BatchCommand
from tongxin.core.services import rehash_personal_data
from tongxin.core.tqdm_progress import TableProgress


class Command(BatchCommand):
    help = "Recompute the keyed hashes of ID numbers and phones (run after changing TONGXIN_LOOKUP_KEY)."
    done_message = gettext_lazy("Recomputed the lookup hashes of %(count)d rows.")

    def work(self, batch: int, progress: TableProgress) -> int:
        return rehash_personal_data(None, batch=batch, progress=progress)
