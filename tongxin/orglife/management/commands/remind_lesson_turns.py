"""Remind the lecturers of lessons in turn, and their secretaries, before the quarter of the turn (daily job)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongxin.orglife.services.lessons import remind_lesson_turns


class Command(BaseCommand):
    help = "Remind the lecturers of lessons in turn whose quarter begins soon, and their secretaries (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(_("%(count)d lessons in turn reminded.") % {"count": remind_lesson_turns()})
