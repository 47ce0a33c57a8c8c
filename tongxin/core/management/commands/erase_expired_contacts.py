"""Erase the contacts of non-members whose case ended more than ``contact_retention_days`` ago (daily job).

``--dry-run`` counts what is due and writes nothing. See tongxin/core/retention.py.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tongxin.core.retention import erase_expired_contacts
from tongxin.core.rules import rule


class Command(BaseCommand):
    help = "Erase non-members' contacts kept past the retention period (--dry-run: count only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count the contacts due; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        done = erase_expired_contacts(dry_run=options["dry_run"])
        days = int(rule("contact_retention_days"))
        for label, count in done:
            self.stdout.write(
                _("%(what)s: %(count)d contacts kept more than %(days)d days after the case ended")
                % {"what": label, "count": count, "days": days}
            )
        self.stdout.write(_("Dry run: nothing was changed.") if options["dry_run"] else _("Erased."))
