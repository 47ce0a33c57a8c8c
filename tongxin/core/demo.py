"""The last seed_demo step (registered in ``CoreConfig.ready()``, after every app's): refresh the database's
statistics on the tables the demo just filled.

The demo writes half a million rows in one transaction. PostgreSQL's autovacuum analyses them some time
later; SQLite never does unless asked. Without statistics SQLite plans the lapse list's "last meeting
attended" subquery by walking every held meeting in date order (the ``meeting_due_idx`` index) and probing
the attendance of each for the member: 31.7 s for the district's list after seeding, 0.13 s after ANALYZE
(which takes about half a second).
"""

from __future__ import annotations

from django.db import connection

from tongxin.core.registry import DemoRun


def seed(run: DemoRun) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    run.progress("statistics refreshed (ANALYZE)")
