"""The meetings' figures in the organisations' tallies (``orgs.tallies``).

``meetings_held``: one per meeting recorded as held, by the month of its date (local time), counted at the
organisation that recorded it (a joint activity counts once, at the recording organisation) and rolled up to
its ancestors.

``meetings_done``: the compliance board's "done" cells (``orglife.queries``) as a roll-up. Bucket
``"YYYY|<frequency><n>|<meeting kind>|<organisation kind>"`` (``done_bucket``), for every period of every
frequency (month 1–12, quarter 1–4, year 1) in which an active organisation held at least one meeting counting
as that kind: the recording organisation and every organisation the meeting lists, a joint activity counting
also as the holder's theme day, exactly as the board counts. The count is of organisations, not meetings: a
second meeting of a kind in a month changes nothing. ``queries.compliance_rates`` divides these by the
organisations of each kind (the ``org_kind`` tally) times the periods ended: the board's rate without reading a
meeting. The organisation kind is in the bucket because the requirements (editable) are per organisation kind.

Who keeps them:
- ``services.meetings.record_meeting`` (also behind ``record_held_meeting``) is the only way a meeting becomes
  held and a held meeting stays held (cancelling leaves from planned only; there is no undo or delete, and the
  organisations a meeting lists are set when it is planned). It takes ``meeting_counts`` of the meeting and
  ``done_counts`` of its organisations before and after, and adjusts by the difference, in its transaction.
- An organisation whose kind or status changes (``orgs.services.update_organization``) moves its own cells
  through ``own_counts``, registered with the source (a dissolved organisation counts none); a moved subtree's
  rows move with it (``orgs.tallies.move_subtree``).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import ExtractMonth, ExtractYear

from tongxin.core.rates import percent, share
from tongxin.orglife.models import Meeting, MeetingKind, MeetingRequirement, MeetingStatus
from tongxin.orglife.queries import FREQUENCY_PERIODS, JOINT_COUNTS_AS, MONTHS_PER_PERIOD, Clock
from tongxin.orgs import tallies
from tongxin.orgs.models import PARTY_KINDS, Organization, OrgStatus

HELD = "meetings_held"
DONE = "meetings_done"
FACETS = (HELD, DONE)


def done_bucket(year: int, frequency: str, index: int, meeting_kind: str, org_kind: str) -> str:
    """The bucket of period ``index`` (0-based) of ``frequency`` in ``year`` for a kind held by a kind."""
    return f"{year}|{frequency}{index + 1}|{meeting_kind}|{org_kind}"


def meeting_counts(meeting: Meeting) -> Counter[tallies.Key]:
    """What ``meeting`` adds to ``meetings_held`` of its organisation (and its ancestors) as it is now."""
    if meeting.status != MeetingStatus.HELD or not meeting.org_path:
        return Counter()
    return Counter({(meeting.org_path, HELD, tallies.month(meeting.starts_at)): 1})


def _held_months(where: Q, through_where: Q) -> set[tuple[int, str, int, int]]:
    """(organisation id, kind counted, year, month) of the held meetings that ``where`` selects (recorded by the
    organisation) and of the links that ``through_where`` selects (listed by a meeting another one recorded):
    two grouped queries, months in local time as ``orgs.tallies.by_month``."""
    recorded = (
        Meeting.objects.filter(where, status=MeetingStatus.HELD)
        .order_by()
        .annotate(y=ExtractYear("starts_at"), m=ExtractMonth("starts_at"))
        .values_list("organization_id", "kind", "y", "m", "organization__kind")
        .distinct()
    )
    through: Any = Meeting.organizations.through  # the plugin cannot follow annotations on the link table
    links = (
        through.objects.filter(through_where, meeting__status=MeetingStatus.HELD)
        .exclude(organization_id=F("meeting__organization_id"))
        .order_by()
        .annotate(y=ExtractYear("meeting__starts_at"), m=ExtractMonth("meeting__starts_at"))
        .values_list("organization_id", "meeting__kind", "y", "m", "organization__kind")
        .distinct()
    )
    cells: set[tuple[int, str, int, int]] = set()
    for org_id, kind, year, month, org_kind in recorded:
        cells.add((org_id, kind, year, month))
        if kind == MeetingKind.JOINT_ACTIVITY:  # the recorder's own theme day too
            cells.add((org_id, JOINT_COUNTS_AS[org_kind in PARTY_KINDS], year, month))
    for org_id, kind, year, month, org_kind in links:
        if kind == MeetingKind.JOINT_ACTIVITY:
            kind = JOINT_COUNTS_AS[org_kind in PARTY_KINDS]
        cells.add((org_id, kind, year, month))
    return cells


def _done_buckets(cells: Iterable[tuple[int, str, int, int]], kinds: dict[int, str]) -> set[tuple[int, str]]:
    """Each (organisation id, bucket) done by the held months ``cells`` (a set: an organisation counts once)."""
    done: set[tuple[int, str]] = set()
    for org_id, meeting_kind, year, month in cells:
        org_kind = kinds.get(org_id)
        if org_kind is None or year is None:
            continue
        for frequency, size in MONTHS_PER_PERIOD.items():
            index = (month - 1) // size
            if index < FREQUENCY_PERIODS[frequency]:
                done.add((org_id, done_bucket(year, frequency, index, meeting_kind, org_kind)))
    return done


def done_counts(orgs: Iterable[Organization], years: Iterable[int] | None = None) -> Counter[tallies.Key]:
    """``meetings_done`` of the organisations ``orgs`` as they are in memory (kind, status, path), in ``years``
    (None: every year); nothing for a dissolved organisation."""
    active = {org.pk: org for org in orgs if org.status == OrgStatus.ACTIVE and org.path and org.pk}
    if not active:
        return Counter()
    where, through_where = Q(organization_id__in=list(active)), Q(organization_id__in=list(active))
    if years is not None:
        years = sorted(set(years))
        where &= Q(starts_at__year__in=years)
        through_where &= Q(meeting__starts_at__year__in=years)
    done = _done_buckets(_held_months(where, through_where), {pk: org.kind for pk, org in active.items()})
    return Counter({(active[org_id].path, DONE, bucket): 1 for org_id, bucket in done})


def own_counts(org: Organization) -> Counter[tallies.Key]:
    """What ``org`` itself adds to the meetings' facets that depends on its kind and status (for
    ``orgs.services.update_organization``; ``meetings_held`` does not)."""
    return done_counts([org])


def direct() -> Iterable[tuple[int, str, str, int]]:
    """The same counted from the meetings, per organisation (grouped queries)."""
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    for org_id, bucket, n in tallies.by_month(held, "organization_id", "starts_at"):
        yield org_id, HELD, bucket, n
    kinds = dict(Organization.objects.filter(status=OrgStatus.ACTIVE).values_list("pk", "kind"))
    for org_id, bucket in _done_buckets(_held_months(Q(), Q()), kinds):
        yield org_id, DONE, bucket, 1


# --- reading: the board's rate from the roll-ups ------------------------------------------------------------------


@dataclass
class Compliance:
    """Required meetings held over the periods of a year that have ended, for an organisation's subtree: the
    compliance board's ``rate`` (done ÷ (done + overdue)), read from the tallies."""

    year: int
    done: int = 0
    required: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # meeting kind -> [done, required]

    @property
    def rate(self) -> float | None:
        return share(self.done, self.required)

    def kinds(self) -> list[tuple[str, str, int, int, float | None]]:
        """(kind, label, done, required, rate) in the board's order of kinds."""
        labels = dict(MeetingKind.choices)
        order = {kind: index for index, kind in enumerate(MeetingKind.values)}
        return [
            (kind, str(labels.get(kind, kind)), done, required, share(done, required))
            for kind, (done, required) in sorted(self.by_kind.items(), key=lambda item: order.get(item[0], 99))
        ]

    def rows(self) -> list[tuple[str, int, int, str]]:
        """(label, done, required, rate as a percent) for a page: the kinds with a period ended."""
        return [(label, done, required, percent(rate))
                for _kind, label, done, required, rate in self.kinds() if required]  # fmt: skip


def requirements() -> list[tuple[str, str, str]]:
    """The requirements in force: (organisation kind, meeting kind, frequency)."""
    return list(MeetingRequirement.objects.filter(active=True).values_list("org_kind", "meeting_kind", "frequency"))


def compliance(
    figures: Mapping[str, Counter[str]],
    year: int,
    today: datetime.date,
    required: Iterable[tuple[str, str, str]],
) -> Compliance:
    """The compliance of one organisation's subtree in ``year`` from its tallies (``orgs.tallies.figures``:
    ``org_kind`` and ``meetings_done``) and the ``required`` meetings: for every requirement and every period of
    it that has ended, the organisations of that kind in the subtree (today's) are required, those that held
    one are done. No query."""
    clock = Clock.of(year, today)
    units, done = figures.get("org_kind", Counter()), figures.get(DONE, Counter())
    result = Compliance(year)
    for org_kind, meeting_kind, frequency in required:
        n = units.get(org_kind, 0)
        if not n or frequency not in FREQUENCY_PERIODS:
            continue
        ended = [i for i in range(FREQUENCY_PERIODS[frequency]) if clock.phase(frequency, i) == "ended"]
        held = sum(min(n, done.get(done_bucket(year, frequency, i, meeting_kind, org_kind), 0)) for i in ended)
        cell = result.by_kind.setdefault(meeting_kind, [0, 0])
        cell[0] += held
        cell[1] += n * len(ended)
        result.done += held
        result.required += n * len(ended)
    return result


def compliance_of_many(org_ids: Iterable[int], year: int, today: datetime.date) -> dict[int, Compliance]:
    """The same for several organisations (the index's children): two queries."""
    required = requirements()
    many = tallies.figures_of_many(org_ids, ["org_kind", DONE])
    return {pk: compliance(many.get(pk, {}), year, today, required) for pk in org_ids}
