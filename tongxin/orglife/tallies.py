"""The meetings' figure in the organisations' tallies (``orgs.tallies``): ``meetings_held``, one per meeting
recorded as held, by the month of its date (local time), counted at the organisation that recorded it (a joint
activity counts once, at the recording organisation) and rolled up to its ancestors.

Recording (``services.meetings.record_meeting``, also behind ``record_held_meeting``) is the only way a meeting
becomes held and a held meeting stays held (cancelling leaves from planned only; there is no undo or delete), so
that service adjusts by the difference of ``meeting_counts`` before and after, in its own transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tongxin.orglife.models import Meeting, MeetingStatus
from tongxin.orgs import tallies

FACETS = ("meetings_held",)


def meeting_counts(meeting: Meeting) -> Counter[tallies.Key]:
    """What ``meeting`` adds to its organisation's (and its ancestors') figures as it is now."""
    if meeting.status != MeetingStatus.HELD or not meeting.org_path:
        return Counter()
    return Counter({(meeting.org_path, "meetings_held", tallies.month(meeting.starts_at)): 1})


def direct() -> Iterable[tuple[int, str, str, int]]:
    """The same counted from the meetings, per organisation and month (one grouped query)."""
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    for org_id, bucket, n in tallies.by_month(held, "organization_id", "starts_at"):
        yield org_id, "meetings_held", bucket, n
