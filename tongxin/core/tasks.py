"""Background tasks (django-tasks): the check and the commit of an uploaded import; the points hooks' deliveries
(``core.achievements``).

Pages start them through :func:`start_check` and :func:`start_commit`, which claim the job with one
conditional UPDATE (a second click, or a second person, finds it claimed and is told so) and enqueue the
task. With the database backend the task row is written in the caller's transaction and a worker
(``manage.py db_worker``) runs it; the test suite runs tasks inline. The job row carries the progress,
which the job page polls.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from tongxin.core import achievements
from tongxin.core.exceptions import DomainError
from tongxin.core.imports import run_check, run_commit
from tongxin.core.models import ImportJob

logger = logging.getLogger(__name__)


def _fail(job_id: int) -> None:
    """Leave a job that an unexpected error stopped in a state the user can read (nothing was written:
    the commit runs in one transaction). The traceback goes to the log, which holds no cell values."""
    logger.exception("import job %s stopped by an unexpected error", job_id)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.REFUSED,
        error=_("An unexpected error stopped the work on this file; nothing was written. Please report it."),
    )


@task()
def check_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    try:
        run_check(job)
    except Exception:
        _fail(job_id)
        raise


@task()
def commit_import(job_id: int, valid_only: bool) -> None:
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    try:
        run_commit(job, valid_only=valid_only)
    except Exception:
        _fail(job_id)
        raise


@task()
def deliver_achievements(operations: list[list[Any]]) -> None:
    """What producers offered and withdrew (``core.achievements``), delivered to the receivers (the points
    ledger) in one transaction, after the producer's committed."""
    with transaction.atomic():
        achievements.deliver(operations)


# Statuses from which a new check may start (a corrected mapping), and the one a commit needs.
RECHECKABLE = (ImportJob.Status.CHECKED, ImportJob.Status.REFUSED)


def _claim(job: ImportJob, from_statuses: tuple[str, ...]) -> None:
    claimed = ImportJob.objects.filter(pk=job.pk, status__in=from_statuses).update(
        status=ImportJob.Status.QUEUED, progress_done=0, progress_total=0, error=""
    )
    if not claimed:
        job.refresh_from_db(fields=["status"])
        if job.status == ImportJob.Status.DONE:
            raise DomainError("status", _("This file has already been imported."))
        raise DomainError("status", _("This file is being worked on already: wait for the page to update."))
    job.status = ImportJob.Status.QUEUED


def start_check(job: ImportJob, *, mapping: dict[str, str] | None = None, first: bool = False) -> None:
    """Queue the dry run of ``job`` (again, with a corrected ``mapping`` of column index to column key)."""
    if mapping is not None:
        job.options = {**job.options, "mapping": mapping}
        ImportJob.objects.filter(pk=job.pk).update(options=job.options)
    if not first:
        _claim(job, RECHECKABLE)
    check_import.enqueue(job.pk)


def start_commit(job: ImportJob, *, valid_only: bool) -> None:
    """Queue the import of a checked ``job``: all rows, or with ``valid_only`` the rows without problems."""
    _claim(job, (ImportJob.Status.CHECKED,))
    commit_import.enqueue(job.pk, valid_only)
