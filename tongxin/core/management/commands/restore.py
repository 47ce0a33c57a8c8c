"""Restore a backup made by ``manage.py backup`` (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from tongxin.core import backups


class Command(BaseCommand):
    help = (
        "Restore a backup into the database. Checks the file first; refuses a database that has tables unless "
        "--force; asks for confirmation unless --no-input. Without FILE, the newest backup in TONGXIN_BACKUP_DIR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="a backup file, or its name in the backup directory")
        parser.add_argument("--dir", type=Path, help="backup directory (default: TONGXIN_BACKUP_DIR)")
        parser.add_argument("--force", action="store_true", help="replace everything in a non-empty database")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive")
        parser.add_argument("--check-only", action="store_true", help="check the file and stop")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        try:
            path = backups.resolve(options["file"], options["dir"])
            manifest = backups.check_file(path, alias)
            rows = sum(manifest["counts"].values()) if manifest else None
            self.stdout.write(
                _("%(path)s is a readable backup (%(rows)s rows).") % {"path": path, "rows": rows or _("unknown")}
            )
            if manifest is None:
                self.stdout.write(self.style.WARNING(_("It has no manifest: the restored counts cannot be checked.")))
            if options["check_only"]:
                return
            tables = backups.target_tables(alias)
            if tables and not options["force"]:
                raise CommandError(
                    _("The target database is not empty (%(n)d tables): restoring would replace them. Use --force.")
                    % {"n": len(tables)}
                )
            if options["interactive"]:
                name = connections[alias].settings_dict["NAME"]
                question = _("Replace everything in database %(name)s with %(file)s? Type 'yes' to continue: ") % {
                    "name": name, "file": path.name}  # fmt: skip
                if input(question).strip().lower() != "yes":
                    raise CommandError(_("Restore cancelled."))
            mismatches = backups.restore_backup(path, alias, force=options["force"])
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if mismatches:
            details = ", ".join(f"{table}: {want} → {got}" for table, (want, got) in sorted(mismatches.items()))
            raise CommandError(
                _("Restored, but some row counts differ from the backup's: %(details)s") % {"details": details}
            )
        self.stdout.write(self.style.SUCCESS(_("Restored %(path)s.") % {"path": path}))
