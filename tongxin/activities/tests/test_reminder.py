"""The day-before reminder: each confirmed participant of tomorrow's activities gets one notification with
the time and place, once however often the job runs; a cancelled activity and the activity of the day after
tomorrow remind no one."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongxin.activities import services
from tongxin.activities.tests.helpers import make_activity
from tongxin.core.models import Notification

pytestmark = pytest.mark.usefixtures("english")


def _tomorrow_at(hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _hours_from_now(moment: datetime.datetime) -> float:
    return -(moment - timezone.now()).total_seconds() / 3600


def test_confirmed_participants_are_reminded_once(tree, users):
    tomorrow = make_activity(tree, capacity=1, hours_ago=_hours_from_now(_tomorrow_at(9)), place="滇池湖畔")
    confirmed = services.register(users.member, tomorrow)
    services.confirm(users.secretary_a, confirmed)
    later = make_activity(tree, hours_ago=_hours_from_now(_tomorrow_at(9) + datetime.timedelta(days=1)),
                          title="后天的活动")  # fmt: skip
    services.confirm(users.secretary_a, services.register(users.member, later))
    before = Notification.objects.filter(recipient=users.member).count()

    out = StringIO()
    call_command("remind_activities", stdout=out)
    assert out.getvalue().startswith("1 participants")
    reminders = Notification.objects.filter(recipient=users.member).order_by("-id")
    assert reminders.count() == before + 1
    text = reminders[0].text
    assert "09:00" in text and tomorrow.title in text and "滇池湖畔" in text
    call_command("remind_activities", stdout=StringIO())  # again: nobody twice
    assert Notification.objects.filter(recipient=users.member).count() == before + 1


def test_a_cancelled_activity_reminds_no_one(tree, users):
    activity = make_activity(tree, hours_ago=_hours_from_now(_tomorrow_at(15)))
    services.confirm(users.secretary_a, services.register(users.member, activity))
    services.cancel_activity(users.secretary_a, activity)
    assert services.remind_tomorrow() == 0
