"""Re-encrypt every encrypted value (ID numbers, phones, import files) with the first key of TONGXIN_FIELD_KEYS.

Key rotation: put the new key first in TONGXIN_FIELD_KEYS (keep the old ones after it, so everything
still decrypts), restart, run this command, then remove the old keys. Each batch is one transaction, so
the command can be stopped and run again; a value no key opens stops it with the reason. The work is
``core.services.rotate_field_keys``, which finds the encrypted fields through the app registry and leaves
a ChangeLog row per table.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from tongxin.core.management.batch import BatchCommand
from tongxin.core.services import rotate_field_keys
from tongxin.core.tqdm_progress import TableProgress


class Command(BatchCommand):
    help = "Re-encrypt every encrypted value with the first key of TONGXIN_FIELD_KEYS (run after adding a key)."
    done_message = gettext_lazy("Re-encrypted %(count)d rows with the first key of TONGXIN_FIELD_KEYS.")

    def work(self, batch: int, progress: TableProgress) -> int:
        return rotate_field_keys(None, batch=batch, progress=progress)
