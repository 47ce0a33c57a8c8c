"""The demo seed's points: a locked month confirmed at a recorded general meeting, a published month, an open
month with claims waiting, claims accepted, adjusted and rejected (the reviews by someone else than the filer).

Checked on the demo district that tongxin/core/tests/test_demo_parts.py seeds once for every app's checks.
"""

from __future__ import annotations

from tongxin.accounts.models import User
from tongxin.points.models import Claim, ClaimStatus, CycleStatus, MonthCycle, PointEntry
from tongxin.points.services import ledger


def demo_seeds_a_few_months_one_locked(client):
    secretary = User.objects.get(username="secretary")
    branch = secretary.role_assignments.get().organization
    cycles = {c.status: c for c in MonthCycle.objects.filter(organization=branch)}
    assert CycleStatus.LOCKED in cycles and CycleStatus.PUBLISHED in cycles
    assert cycles[CycleStatus.LOCKED].meeting is not None
    claims = Claim.objects.filter(org_path=branch.path)
    assert {ClaimStatus.ACCEPTED, ClaimStatus.ADJUSTED, ClaimStatus.REJECTED, ClaimStatus.SUBMITTED} <= set(
        claims.values_list("status", flat=True)
    )
    assert PointEntry.objects.filter(org_path=branch.path, kind="orglife.attended").exists()
    for claim in claims.exclude(reviewed_by=None):
        assert claim.reviewed_by_id != claim.created_by_id
    assert ledger.kept_scores() == ledger.scores_from_ledger()
