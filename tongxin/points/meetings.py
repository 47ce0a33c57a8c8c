"""What the points app reads of organisational life: the branch's recorded general meetings, at which a month
is confirmed (现场评). The one module importing orglife's models (pyproject's ignore_imports names it); it
calls no orglife service."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from tongxin.orglife.models import MEMBER_QUORUM_KINDS, Meeting, MeetingStatus


def general_meetings(organization_id: int, since: datetime.date) -> QuerySet[Meeting]:
    """The branch's general meetings recorded as held from ``since`` on, latest first."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    return Meeting.objects.filter(
        organization_id=organization_id, kind__in=MEMBER_QUORUM_KINDS, status=MeetingStatus.HELD, starts_at__gte=start
    ).order_by("-starts_at", "-id")


def confirming_meeting(organization_id: int, meeting_id: int, since: datetime.date) -> Meeting | None:
    """The meeting ``meeting_id`` if it is a general meeting of the branch recorded as held from ``since`` on."""
    return general_meetings(organization_id, since).filter(pk=meeting_id).first()
