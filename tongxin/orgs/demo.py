"""A late seed_demo step: recompute every tally from the records the earlier steps wrote.

The demo writes its people, meetings and records in bulk (hundreds of thousands of rows), not one service
call at a time, so the dashboards' figures are counted once at the end, as ``manage.py rebuild_rollups`` does.
"""

from __future__ import annotations

from tongxin.core.registry import DemoRun
from tongxin.orgs import tallies


def seed(run: DemoRun) -> None:
    rows = tallies.rebuild()
    run.progress(f"tallies: {rows}")
