"""Shared helpers of the meeting tests: a meeting planned in the past (so it may be recorded), and a member of
the party branch for joint activities."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tongxin.core.testing import person_data
from tongxin.orglife.models import Meeting, MeetingKind
from tongxin.orglife.services import meetings as services
from tongxin.people.services import create_person


def past(hours: int = 2) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def planned(actor, org, kind: str = MeetingKind.LEAGUE_DAY, *, when: datetime.datetime | None = None,
            **extra) -> Meeting:  # fmt: skip
    return services.plan_meeting(actor, organization=org, kind=kind, starts_at=when or past(), topic="学习会", **extra)


def party_member(tree):
    return create_person(None, person_data(tree.party_branch, name="钱党员", political_status="01"))
