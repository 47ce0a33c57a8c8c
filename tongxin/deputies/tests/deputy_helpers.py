"""Shared helpers of the deputies tests: committee 1's congress, a studio it hosts, person a1 of branch A
elected to it, a reception day and requests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tongxin.deputies import services
from tongxin.venues.services import create_venue


def studio(host, name="甲团代表工作室"):
    return create_venue(None, host=host, name=name, kind="deputy_studio", address="前卫街道办事处1楼",
                        opens_at=datetime.time(9), closes_at=datetime.time(17), open_days="12345",
                        capacity=15)  # fmt: skip


def congress(org, actor=None):
    today = timezone.localdate()
    return services.create_congress(actor, organization=org, name="共青团第一委员会第三次代表大会",
                                    term_start=today - datetime.timedelta(days=400),
                                    term_end=today + datetime.timedelta(days=700))  # fmt: skip


def deputy(tree, person=None, actor=None, with_studio=True):
    held = congress(tree.committee1)
    room = studio(tree.committee1) if with_studio else None
    return services.elect_deputy(actor, congress=held, person=person or tree.people.a1, studio=room)


def reception(actor, dep, days_ago=3):
    start = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() - datetime.timedelta(days=days_ago), datetime.time(9))
    )
    return services.hold_reception_day(actor, dep, starts_at=start, ends_at=start + datetime.timedelta(hours=3))


def request(actor, dep, **values):
    data: dict[str, Any] = {"name": "李晓雨", "phone": "13812345678", "subject": "求职就业指导",
                            "content": "希望了解就业见习岗位。"}  # fmt: skip
    data.update(values)
    return services.record_request(actor, dep, **data)
