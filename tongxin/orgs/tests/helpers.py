"""Helpers shared by the tests of the tree: its paths are consistent, its roll-ups equal a rebuild."""

from __future__ import annotations

import io

from django.core.management import call_command

from tongxin.orgs.models import STEP_WIDTH, Organization, path_ids, path_step


def assert_paths_consistent() -> None:
    """Each path is the parent's path plus the organisation's own zero-padded id; depth follows."""
    orgs = {o.pk: o for o in Organization.objects.all()}
    assert orgs
    for org in orgs.values():
        assert len(org.path) == STEP_WIDTH * (org.depth + 1), org
        assert org.path.isdigit(), org
        parent_path = orgs[org.parent_id].path if org.parent_id else ""
        assert org.path == parent_path + path_step(org.pk), org
        assert path_ids(org.path)[-1] == org.pk


def rebuilt(rollups) -> dict[int, tuple[int, int, int]]:
    """Run the command and return the recomputed rows (the incremental ones must be read before)."""
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert str(Organization.objects.count()) in out.getvalue()
    return rollups()


def assert_rollups_exact(rollups) -> None:
    incremental = rollups()
    assert len(incremental) == Organization.objects.count()
    assert rebuilt(rollups) == incremental
