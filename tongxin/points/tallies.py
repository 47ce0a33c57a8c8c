"""The points' figure in the organisations' tallies (``orgs.tallies``): ``points``, the points booked in each
month (the ledger's booking month), counted at the member's branch and rolled up to its ancestors, in hundredths
(the tallies hold whole numbers; the dashboard shows them as points).

The ledger's two writers (``services.ledger.append`` and the batch ``_add_many_to_scores``) move the tallies
with the monthly roll-ups, in the same transaction; ``direct()`` sums the ledger for a rebuild.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Sum

from tongxin.orgs import tallies
from tongxin.orgs.models import path_ids
from tongxin.points.models import PointEntry

FACETS = ("points",)


def entry_counts(entries: Iterable[PointEntry]) -> Counter[tallies.Key]:
    counts: Counter[tallies.Key] = Counter()
    for entry in entries:
        if entry.org_path:
            counts[(entry.org_path, "points", f"{entry.month:%Y%m}")] += int(entry.points * 100)
    return counts


def direct() -> Iterable[tuple[int, str, str, int]]:
    rows = PointEntry.objects.exclude(org_path="").order_by().values_list("org_path", "month")
    for path, month, total in rows.annotate(total=Sum("points")):
        if total:
            yield path_ids(path)[-1], "points", f"{month:%Y%m}", int(total * 100)
