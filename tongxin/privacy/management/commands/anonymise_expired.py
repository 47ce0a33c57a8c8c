"""Anonymise the records of former members whose retention period has ended (the yearly job).

``--dry-run`` counts what is due and writes nothing. Each record is anonymised in its own transaction
by ``anonymise_person`` (one ChangeLog row each), so an interrupted run leaves whole records only and
the next run continues where it stopped.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tongxin.core.rules import rule
from tongxin.people.models import MembershipStatus
from tongxin.privacy.models import AnonymisationReason
from tongxin.privacy.services import anonymisation_due, anonymise_person


class Command(BaseCommand):
    help = "Anonymise former members whose retention period has ended (--dry-run: count only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count the records due; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        due = list(anonymisation_due().only("id", "status"))
        by_status = Counter(person.status for person in due)
        years = int(rule("retention_years_after_leaving"))
        self.stdout.write(
            _("%(count)d records of former members are past the retention period (%(years)d years).")
            % {"count": len(due), "years": years}
        )
        for status, count in sorted(by_status.items()):
            self.stdout.write(f"  {MembershipStatus(status).label}: {count}")
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was changed."))
            return
        done = 0
        for person in due:
            anonymise_person(None, person, reason=AnonymisationReason.RETENTION)
            done += 1
        self.stdout.write(_("Anonymised %(count)d records.") % {"count": done})
