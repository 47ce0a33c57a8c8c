"""Delete uploaded import files older than the retention period (they hold personal data).

The audit trail stays: each import's ChangeLog rows (who, file name, counts, each person's change) are
kept, and each deletion adds one (``core.services.prune_import_files``); only the stored file and its check
report go. Meant for a daily cron job or systemd timer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tongxin.core.services import prune_import_files


class Command(BaseCommand):
    help = "Delete uploaded import files (and their check reports) older than --days (default: the setting)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.TONGXIN_IMPORT_KEEP_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        count = prune_import_files(None, days=options["days"])
        self.stdout.write(_("Deleted %(count)d uploaded files older than %(days)d days.") % {
            "count": count, "days": options["days"]})  # fmt: skip
