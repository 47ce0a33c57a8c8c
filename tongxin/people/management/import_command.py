"""What ``import_roster`` and ``import_orgs`` share: check a file, print the counts, write the error report
next to it, then import (unless ``--dry-run``), with a progress bar on standard error.

Runs as the system (no user), so every organisation is in reach; the ChangeLog rows it leaves have no
actor. The engine and its rules are those of the import page (``tongxin.core.imports``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from tongxin.core import imports
from tongxin.core.exceptions import DomainError
from tongxin.core.import_report import report_file_name, write_audited_error_report
from tongxin.core.models import ImportJob
from tongxin.orgs.models import Organization


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the .xlsx, .xls or .csv file")
        parser.add_argument("--org", metavar="CODE", help="the default organisation's code, for rows that name none")
        parser.add_argument("--dry-run", action="store_true", help="check only: print the counts, write nothing")
        parser.add_argument("--valid-only", action="store_true",
                            help="import the rows without problems even when other rows have some")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Could not read %(file)s: %(error)s") % {"file": path, "error": exc}) from exc
        job_options: dict[str, Any] = {"org_id": None}
        org_path = ""
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).only("pk", "path").first()
            if org is None:
                raise CommandError(_("No organisation has the code %(code)s.") % {"code": options["org"]})
            job_options["org_id"], org_path = org.pk, org.path
        try:
            job = imports.create_job(None, kind=self.kind, file_name=path.name, content=content,
                                     options=job_options, org_path=org_path)  # fmt: skip
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        quiet = options["verbosity"] == 0
        stream = options.get("stderr") or sys.stderr
        with tqdm(total=0, unit=" rows", desc=_("Checking"), file=stream, disable=quiet) as bar:
            job = imports.run_check(job, progress=_updater(bar))
        self._finish_if_refused(job)
        self._print_counts(job)
        report = self._write_report(job, path)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        with tqdm(total=0, unit=" rows", desc=_("Importing"), file=stream, disable=quiet) as bar:
            job = imports.run_commit(job, valid_only=options["valid_only"], progress=_updater(bar))
        self._finish_if_refused(job)
        if job.status != ImportJob.Status.DONE:
            if job.error:
                raise CommandError(job.error)
            rejected = (job.report or {}).get("counts", {}).get(imports.REJECTED, 0)
            raise CommandError(
                _("Nothing was written: %(count)d rows have problems (see %(report)s). "
                  "Correct them, or import the other rows with --valid-only.") % {"count": rejected, "report": report}
            )  # fmt: skip
        counts = (job.result or {}).get("counts", {})
        self.stdout.write(_("Imported: %(new)d new, %(updated)d updated.") % {
            "new": counts.get(imports.NEW, 0), "updated": counts.get(imports.UPDATED, 0)})  # fmt: skip

    def _finish_if_refused(self, job: ImportJob) -> None:
        if job.status == ImportJob.Status.REFUSED:
            raise CommandError(job.error)

    def _print_counts(self, job: ImportJob) -> None:
        report = job.report or {}
        counts = report.get("counts", {})
        self.stdout.write(
            _("%(rows)d rows: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(rejected)d with problems.")
            % {"rows": report.get("rows", 0), **{key: counts.get(key, 0) for key in imports.OUTCOMES}}
        )
        fields = report.get("fields", {})
        if report.get("missing"):
            missing = "、".join(fields.get(key, key) for key in report["missing"])
            raise CommandError(_("These required columns were not found: %(columns)s.") % {"columns": missing})

    def _write_report(self, job: ImportJob, path: Path) -> Path | None:
        if not (job.report or {}).get("issues"):
            return None
        target = path.with_name(report_file_name(path.name))
        try:
            count = write_audited_error_report(None, job, target)
        except OSError as exc:
            raise CommandError(_("Could not write %(file)s: %(error)s") % {"file": target, "error": exc}) from exc
        self.stdout.write(_("%(count)d problems are marked in %(file)s.") % {"count": count, "file": target})
        return target


def _updater(bar: tqdm) -> imports.Progress:
    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update
