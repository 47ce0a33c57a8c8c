"""Shared builders of the activities tests (imported by the test modules; a test module imports no other)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tongxin.activities import services
from tongxin.activities.models import ActivityKind


def make_activity(tree, *, capacity: int = 2, hours_ago: float = -24, length_hours: float = 3, **kwargs):
    """An activity of branch A for branch A's members (starting ``-hours_ago`` hours from now)."""
    start = timezone.now() - datetime.timedelta(hours=hours_ago)
    end = start + datetime.timedelta(hours=length_hours)
    values = {"organization": tree.branch_a, "kind": ActivityKind.VOLUNTEER, "title": "湖滨清洁",
              "starts_at": start, "ends_at": end, "capacity": capacity}  # fmt: skip
    values.update(kwargs)
    return services.create_activity(None, **values)
