"""Remind each confirmed participant of tomorrow's activities (daily job, e.g. in the evening)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongxin.activities.services import remind_tomorrow


class Command(BaseCommand):
    help = "Remind the confirmed participants of activities starting tomorrow (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(_("%(count)d participants reminded of tomorrow's activities.") % {"count": remind_tomorrow()})
