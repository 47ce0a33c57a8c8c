"""Shared helpers of the positions tests: a venue of branch A open every day 09:00–21:00 for 40 people, and
aware times on a given day (a Saturday a few weeks ahead, inside the plan window)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tongxin.venues import services


def saturday(weeks: int = 2) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(5 - today.weekday()) % 7 + 7 * weeks)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_venue(host, *, name="甲青年之家", capacity=40, days="1234567", division="530112", actor=None, **extra):
    values = {
        "name": name, "kind": "youth_home", "address": "西山区前卫街道1号", "division_code": division,
        "opens_at": datetime.time(9), "closes_at": datetime.time(21), "open_days": days, "capacity": capacity,
        "partner": "新华书店", "facilities": "投影仪、桌椅",
    }  # fmt: skip
    values.update(extra)
    return services.create_venue(actor, host=host, **values)


def book(actor, venue, org, day, start=14, end=16, people=30, purpose="青年沙龙"):
    return services.book(actor, venue=venue, organization=org, starts_at=at(day, start), ends_at=at(day, end),
                         purpose=purpose, expected_attendance=people)  # fmt: skip
