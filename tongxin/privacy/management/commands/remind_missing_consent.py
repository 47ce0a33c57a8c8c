"""Remind the users who answer for each branch of the minors there whose consent is not on record (cron).

One inbox notification per branch and recipient (the branch's secretary, else the committee above), with
the count and a link to the minors page narrowed to the branch. Safe to run again: an unread reminder is
updated, not repeated; once the branch's gap is closed its unread reminder goes
(``privacy.services.remind_missing_consent``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongxin.privacy.services import remind_missing_consent


class Command(BaseCommand):
    help = "Notify each branch's secretary of the minors lacking consent there (one reminder per branch)."

    def handle(self, *args: Any, **options: Any) -> None:
        run = remind_missing_consent()
        self.stdout.write(
            _(
                "Branches with minors lacking consent: %(branches)d. Reminders created: %(created)d, "
                "updated: %(updated)d, cleared: %(cleared)d."
            )
            % {"branches": run.branches, "created": run.created, "updated": run.updated, "cleared": run.cleared}
        )
