"""Back up the database into TONGXIN_BACKUP_DIR (docs/operations.md): one timestamped file and its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from tongxin.core import backups


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database (SQLite online backup, or pg_dump -Fc on PostgreSQL) into "
        "TONGXIN_BACKUP_DIR; with --keep N delete all but the newest N backups there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, help="backup directory (default: TONGXIN_BACKUP_DIR)")
        parser.add_argument("--keep", type=int, help="afterwards, keep only the newest N backups in the directory")
        parser.add_argument("--prune-only", action="store_true", help="apply --keep without making a backup")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["dir"] or backups.backup_dir()
        if options["prune_only"] and options["keep"] is None:
            raise CommandError(_("--prune-only needs --keep N."))
        try:
            if not options["prune_only"]:
                backup = backups.make_backup(options["database"], directory)
                self.stdout.write(
                    _("Backed up %(rows)d rows of %(tables)d tables to %(path)s.")
                    % {"rows": backup.rows, "tables": len(backup.counts), "path": backup.path}
                )
            if options["keep"] is not None:
                for path in backups.prune(options["keep"], directory):
                    self.stdout.write(_("Deleted the old backup %(path)s.") % {"path": path})
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
