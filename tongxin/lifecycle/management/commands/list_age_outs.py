"""The yearly age-out run (超龄离团): how many members are due, per branch.

It only lists: each branch checks and confirms its own members on the age-out page (the domain rule:
a processed action listed for the branch to confirm, never a silent deletion), so there is no
``--confirm``. Runs as the system (the whole tree, or one organisation's subtree with ``--org``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongxin.core.rules import rule
from tongxin.lifecycle.services.ageout import age_out_counts
from tongxin.orgs.models import Organization


class Command(BaseCommand):
    help = "List how many members are due to age out, per branch (the branches confirm them on the age-out page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="CODE", help="the organisation's code (default: the whole system)")
        parser.add_argument("--on", metavar="YYYY-MM-DD", help="the day to count ages on (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = None
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(_("No organisation has the code %(code)s.") % {"code": options["org"]})
        on = timezone.localdate()
        if options["on"]:
            try:
                on = datetime.date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError(_("Write the day as YYYY-MM-DD, e.g. 2026-12-31.")) from None
        counts = age_out_counts(None, org, on)
        self.stdout.write(
            _("Members due to age out on %(day)s (aged %(age)d or more, holding no league post):")
            % {"day": on.isoformat(), "age": rule("league_max_age")}
        )
        for row in counts:
            self.stdout.write(f"{row.count:8d}  {row.name} ({row.code})")
        total = sum(row.count for row in counts)
        self.stdout.write(
            ngettext(
                "Total: %(count)d member in %(branches)d branches.",
                "Total: %(count)d members in %(branches)d branches.",
                total,
            )
            % {"count": total, "branches": len(counts)}
        )
        if total:
            url = reverse("lifecycle:age_out")
            self.stdout.write(_("Each branch confirms its members on the age-out page: %(url)s") % {"url": url})
