"""The venues' figures in the organisations' tallies (``orgs.tallies``), counted at the organisation where they
happen and rolled up to its ancestors:

- ``bookings``: confirmed bookings, at the booking organisation, by the month of the booked day (its start, local
  time). ``book`` and ``book_series`` (every confirmed occurrence, in bulk) add, ``add_back`` adds a skipped
  occurrence booked after all, ``cancel_booking`` subtracts; a skipped occurrence never counts.
- ``honours``: honours awarded and not revoked (valid, or under review), at the holder (the organisation, or the
  person's branch when awarded), by the month the honour was recorded in the system (``created_at``: there is no
  approval step, an honour is valid once awarded, and its ``year`` alone gives no month). ``award_honour`` adds,
  ``revoke_honour`` subtracts; a review and its confirmation change nothing.

Each service adjusts by the difference of ``booking_counts``/``honour_counts`` before and after its change, in
its own transaction; ``direct`` counts the same from the records for ``rebuild_rollups``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tongxin.orgs import tallies
from tongxin.venues.models import Booking, BookingStatus, Honour, HonourStatus

FACETS = ("bookings", "honours")


def booking_counts(booking: Booking) -> Counter[tallies.Key]:
    if booking.status != BookingStatus.CONFIRMED or not booking.org_path:
        return Counter()
    return Counter({(booking.org_path, "bookings", tallies.month(booking.starts_at)): 1})


def honour_counts(honour: Honour) -> Counter[tallies.Key]:
    if honour.status == HonourStatus.REVOKED or not honour.org_path or honour.created_at is None:
        return Counter()
    return Counter({(honour.org_path, "honours", tallies.month(honour.created_at)): 1})


def direct() -> Iterable[tuple[int, str, str, int]]:
    """The same counted from the records: one grouped query per facet."""
    confirmed = Booking.objects.filter(status=BookingStatus.CONFIRMED)
    for org_id, bucket, n in tallies.by_month(confirmed, "organization_id", "starts_at"):
        yield org_id, "bookings", bucket, n
    standing = Honour.objects.exclude(status=HonourStatus.REVOKED)
    for org_id, bucket, n in tallies.by_month(standing, "organization_id", "created_at"):
        yield org_id, "honours", bucket, n
