"""Uploaded files are personal data: prune_imports deletes the old ones and keeps the audit trail."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from tongxin.core.audit import record_change
from tongxin.core.imports import create_job
from tongxin.core.models import ChangeLog, ImportJob


def test_old_finished_jobs_go_and_recent_or_running_ones_stay(tree, users):
    old = create_job(users.secretary_a, kind="roster", file_name="旧.csv", content=b"x", options={})
    running = create_job(users.secretary_a, kind="roster", file_name="进行中.csv", content=b"x", options={})
    recent = create_job(users.secretary_a, kind="roster", file_name="新.csv", content=b"x", options={})
    ImportJob.objects.filter(pk=old.pk).update(status=ImportJob.Status.DONE,
                                               created_at=timezone.now() - datetime.timedelta(days=31))  # fmt: skip
    ImportJob.objects.filter(pk=running.pk).update(created_at=timezone.now() - datetime.timedelta(days=31))
    ImportJob.objects.filter(pk=recent.pk).update(status=ImportJob.Status.DONE)
    record_change(users.secretary_a, old, ChangeLog.Action.IMPORT, after={"file": "旧.csv", "new": 1})

    call_command("prune_imports", "--days", "30", stdout=io.StringIO())

    assert set(ImportJob.objects.values_list("file_name", flat=True)) == {"进行中.csv", "新.csv"}
    assert ChangeLog.objects.filter(action=ChangeLog.Action.IMPORT, object_repr="旧.csv").exists()
