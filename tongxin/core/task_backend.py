"""The project's task backend: django-tasks-db's ``DatabaseBackend`` (``manage.py db_worker`` runs its rows), its
enqueue lighter for the hot paths that queue a task per request (issue 14: the points hook of every quiz
submission of the weekly peak).

The same row, written in the caller's transaction by the same steps as the library's: the row's
``DBTaskResult(...)`` with the library's own values, saved as ``objects.create`` saves it (its ``pre_save``
handler sets ``run_after``), the INSERT written once per process (:func:`tongxin.core.prepared.insert`) rather
than compiled by the ORM each time; and the task's result made once for ``task_enqueued`` and the caller, not
twice. ``settings.TASKS`` names it (``TONGXIN_TASKS_BACKEND`` may name another).
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.backend import DatabaseBackend as LibraryBackend
from django_tasks_db.compat import normalize_json, task_enqueued

from tongxin.core.prepared import insert


class DatabaseBackend(LibraryBackend):
    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> Any:
        from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 - as the library: not before the apps

        row: Any = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        insert(row)
        return row

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result
