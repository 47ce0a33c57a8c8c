"""Tell the organisation above about each transfer left waiting longer than the rule allows (daily cron)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongxin.lifecycle.services.transfers import escalate_stalled


class Command(BaseCommand):
    help = "Notify the organisation above the side that must act on each stalled transfer."

    def handle(self, *args: Any, **options: Any) -> None:
        count = escalate_stalled()
        self.stdout.write(_("%(count)d stalled transfers escalated.") % {"count": count})
