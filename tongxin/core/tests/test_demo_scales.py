"""``seed_demo --scale N`` grows the features' data with the district, not only the tree and the roster (issue 18):
the branches' volunteer days and their registrations, the community committees' micro-wishes, the street youth
homes' bookings, and the points these earn, at scale 2 about twice those of scale 1.

The whole seed at scale 2 takes minutes on SQLite, so this seeds the district and the demo accounts (the steps
the features' bulk stands on), then runs the bulk functions of the features scaled, at each scale (the first
run rolled back).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tongxin.accounts.demo import demo_actors
from tongxin.activities.demo import seed_branch_volunteering, seed_community_wishes
from tongxin.activities.models import Activity, ActivityKind, Registration, Wish
from tongxin.core.registry import DemoRun, demo_steps
from tongxin.points.defaults import install_now
from tongxin.points.models import PointEntry
from tongxin.points.services import ledger
from tongxin.venues.demo import seed_street_homes
from tongxin.venues.models import Booking


def _seed_and_count(scale: int) -> dict[str, int]:
    run = DemoRun(scale=scale, seed=2026, progress=lambda _m: None)
    for step in demo_steps():
        if step.name in ("people", "accounts"):
            run.results[step.name] = step.seed(run)
    install_now()
    actors = demo_actors()
    today = timezone.localdate()
    seed_branch_volunteering(run, actors, today)
    seed_community_wishes(run, actors)
    seed_street_homes(run, actors, today)
    return {
        "volunteer days": Activity.objects.filter(kind=ActivityKind.VOLUNTEER).count(),
        "registrations": Registration.objects.count(),
        "volunteer hours": int(Registration.objects.aggregate(h=Sum("verified_hours"))["h"] or 0),
        "wishes": Wish.objects.count(),
        "bookings": Booking.objects.count(),
        "point entries": PointEntry.objects.count(),
    }


@pytest.mark.django_db
def test_scale_two_seeds_about_twice_the_features_rows_of_scale_one():
    with transaction.atomic():
        one = _seed_and_count(1)
        transaction.set_rollback(True)
    two = _seed_and_count(2)
    assert all(one.values()), one
    for name, count in one.items():
        assert two[name] >= 1.6 * count, (name, count, two[name])
    # The points booked in bulk are the ledger's: its monthly roll-ups agree with it.
    assert ledger.kept_scores() == ledger.scores_from_ledger()
