"""The project's task backend (tongxin.core.task_backend) writes the row django-tasks-db's own backend writes: the
same columns (status, run_after, queue, priority, backend, arguments), runnable by the worker, in the caller's
transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from tongxin.core.tasks import deliver_achievements

pytestmark = [pytest.mark.django_db(transaction=True)]

COLUMNS = ["status", "priority", "task_path", "queue_name", "backend_name", "run_after", "args_kwargs", "worker_ids",
           "started_at", "finished_at", "return_value", "exception_class_path", "traceback"]  # fmt: skip


def _enqueued(settings, backend: str) -> dict:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": backend}}
    result = deliver_achievements.enqueue([["withdraw", "test.kind", "x:1"]])
    row = DBTaskResult.objects.get(pk=result.id)
    assert result.status == "READY" and str(result.id) == str(row.pk)
    return {name: getattr(row, name) for name in COLUMNS}


def test_the_row_is_the_librarys(settings):
    ours = _enqueued(settings, "tongxin.core.task_backend.DatabaseBackend")
    assert ours == _enqueued(settings, "django_tasks_db.DatabaseBackend")


def test_the_row_is_written_in_the_callers_transaction(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "tongxin.core.task_backend.DatabaseBackend"}}
    with pytest.raises(RuntimeError), transaction.atomic():
        deliver_achievements.enqueue([["withdraw", "test.kind", "x:1"]])
        raise RuntimeError
    assert not DBTaskResult.objects.exists()
