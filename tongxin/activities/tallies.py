"""The activities' figures in the organisations' tallies (``orgs.tallies``), counted at the organisation where
they happen and rolled up to its ancestors:

- ``volunteer_minutes``: the hours of confirmed participants of volunteer-service activities (verified plus
  supplementary, so an accepted ``HoursCorrection`` counts as it changes them), in minutes (each registration's
  hours × 60, rounded half up), at the activity's lead organisation, by the month of the activity's start (local
  time). Kept by ``confirm`` and ``cancel_registration`` (a confirmed place with hours comes or goes), check-out
  (``check_out``, ``check_out_person``), ``set_supplementary_hours`` and ``decide_correction``. Cancelling the
  activity keeps the hours recorded, as the certificates do.
- ``wishes_fulfilled``: wishes fulfilled (fulfilled, then closed), at the community organisation, by the month
  fulfilled; ``fulfil_wish`` adds, nothing takes a fulfilment back.

Each service adjusts by the difference of the record's counts before and after, in its own transaction;
``direct`` counts the same from the records for ``rebuild_rollups``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from tongxin.activities.models import (
    Activity,
    ActivityKind,
    Registration,
    RegistrationStatus,
    Wish,
    WishStatus,
)
from tongxin.orgs import tallies

FACETS = ("volunteer_minutes", "wishes_fulfilled")
FULFILLED = (WishStatus.FULFILLED, WishStatus.CLOSED)


def minutes(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value(rounding=ROUND_HALF_UP))


def registration_counts(registration: Registration, activity: Activity) -> Counter[tallies.Key]:
    """The volunteer minutes ``registration`` (of ``activity``) adds as it is now."""
    if activity.kind != ActivityKind.VOLUNTEER or registration.status != RegistrationStatus.CONFIRMED:
        return Counter()
    total = minutes(registration.verified_hours + registration.supplementary_hours)
    if not total or not activity.org_path:
        return Counter()
    return Counter({(activity.org_path, "volunteer_minutes", tallies.month(activity.starts_at)): total})


def wish_counts(wish: Wish) -> Counter[tallies.Key]:
    if wish.status not in FULFILLED or wish.fulfilled_at is None or not wish.org_path:
        return Counter()
    return Counter({(wish.org_path, "wishes_fulfilled", tallies.month(wish.fulfilled_at)): 1})


def retally(before: Counter[tallies.Key], after: Counter[tallies.Key]) -> None:
    tallies.adjust(tallies.difference(before, after))


def direct() -> Iterable[tuple[int, str, str, int]]:
    """The same counted from the records. Minutes are rounded per registration, as the services count them, so
    the registrations with hours are read one by one (only those: a few columns each)."""
    timed = Registration.objects.filter(
        Q(verified_hours__gt=0) | Q(supplementary_hours__gt=0),
        status=RegistrationStatus.CONFIRMED, activity__kind=ActivityKind.VOLUNTEER,
    ).order_by()  # fmt: skip
    rows = timed.values_list("activity__organization_id", "activity__starts_at", "verified_hours",
                             "supplementary_hours")  # fmt: skip
    counts: Counter[tuple[int, str]] = Counter()
    for org_id, starts_at, verified, supplementary in rows.iterator(chunk_size=5000):
        counts[(org_id, tallies.month(starts_at))] += minutes(verified + supplementary)
    for (org_id, bucket), n in counts.items():
        yield org_id, "volunteer_minutes", bucket, n
    fulfilled = Wish.objects.filter(status__in=FULFILLED, fulfilled_at__isnull=False)
    for org_id, bucket, n in tallies.by_month(fulfilled, "community_id", "fulfilled_at"):
        yield org_id, "wishes_fulfilled", bucket, n
