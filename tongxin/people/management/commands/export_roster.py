"""Export the roster of an organisation's subtree, or of the whole system, to an .xlsx file.

Runs as the system (no user): the AccessLog row it leaves has no actor. The rows are those the roster
page lists for the same organisation (active members, in organisation then name order).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm
from xlsxwriter.exceptions import FileCreateError

from tongxin.core.audit import record_access
from tongxin.core.models import AccessLog
from tongxin.orgs.models import Organization
from tongxin.people.exports import export_roster
from tongxin.people.filters import PersonFilter
from tongxin.people.models import Person


class Command(BaseCommand):
    help = "Export the active members of an organisation's subtree (default: the whole system) to an .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="CODE", help="the organisation's code (default: the whole system)")
        parser.add_argument("-o", "--output", metavar="FILE", required=True, help="the .xlsx file to write")
        parser.add_argument("--full", action="store_true", help="write ID numbers and phones in full (default: masked)")

    def handle(self, *args: Any, **options: Any) -> None:
        code: str | None = options["org"]
        data: dict[str, Any] = {}
        org = None
        if code:
            org = Organization.objects.filter(code=code).only("pk", "path").first()
            if org is None:
                raise CommandError(_("No organisation has the code %(code)s.") % {"code": code})
            data["org"] = org.pk
        filterset = PersonFilter(data, queryset=Person.objects.all())
        if not filterset.is_valid():  # cannot happen with the values above
            raise CommandError(str(filterset.errors))
        qs = filterset.qs.order_by(*(attribute for attribute, _column in filterset.sort_keys))

        stream = options.get("stderr") or sys.stderr
        output = options["output"]
        with tqdm(total=qs.count(), unit=" rows", file=stream, disable=options["verbosity"] == 0) as bar:
            try:
                rows = export_roster(qs, output, full=options["full"], progress=lambda n: bar.update(n - bar.n))
            except (OSError, FileCreateError) as exc:
                raise CommandError(_("Could not write %(file)s: %(error)s") % {"file": output, "error": exc}) from exc
        record_access(
            None,
            AccessLog.Action.EXPORT,
            fields="id_number,phone" if options["full"] else "",
            filters={"org": code} if code else {},
            row_count=rows,
            org_path=org.path if org is not None else "",
        )
        self.stdout.write(_("Exported %(count)d people to %(file)s.") % {"count": rows, "file": output})
