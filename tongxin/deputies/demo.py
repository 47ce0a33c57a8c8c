"""The demo district's league deputies' studios: the seed_demo step registered in ``DeputiesConfig.ready()``
(order 370, after the venues, 360, whose two 团代表工作室 are the studios).

The district committee's congress (共青团昆明市西山区第十次代表大会), eight deputies drawn from the district's
active members (four at each studio, none of them a demo account's person), a reception day at each studio on
every Tuesday the venues' demo booked for it (团代表接待日) in the past months, and twenty requests young people
brought: closed, answered, followed up, assigned and just received, two of them overdue. Every record goes
through the services, by the district's demo account. The one back-dating: a request answered on a past
reception's follow-up has its ``answered_at`` (set to "now" by the service) moved back to the day it was
answered, so the yearly summary shows it answered in time. Deterministic for a given seed.

Data (names, subjects) is Chinese by nature: it is sample content, not UI text.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.demo import demo_actors
from tongxin.core.registry import DemoRun
from tongxin.deputies import services
from tongxin.deputies.models import ConstituentRequest, Deputy
from tongxin.orgs.models import Organization, OrgKind, OrgStatus
from tongxin.people.models import MembershipStatus, Person
from tongxin.venues.models import Booking, BookingStatus, Venue, VenueKind

RECEPTION_PURPOSE = "团代表接待日"  # what the venues' demo books the studios for
NAMES = [
    "李晓雨",
    "王浩然",
    "张思琪",
    "刘子轩",
    "陈雨桐",
    "杨梓涵",
    "赵一鸣",
    "黄欣怡",
    "周子豪",
    "吴佳琪",
    "徐若曦",
    "孙浩宇",
    "马梓萱",
    "朱俊杰",
    "胡诗涵",
    "郭宇航",
    "何雨欣",
    "高子墨",
    "林可馨",
    "罗嘉豪",
]
SUBJECTS = [
    ("求职就业指导", "刚毕业还没找到工作，希望了解区里的青年就业见习岗位和招聘会信息。"),
    ("创业贷款咨询", "想在滇池路开一家文创小店，想了解创业担保贷款的申请条件。"),
    ("社区篮球场照明", "小区旁边的篮球场晚上没有灯，青年下班后没法打球，希望能加装照明。"),
    ("心理健康支持", "备考压力大、睡不好，想知道哪里有免费的心理咨询。"),
    ("租房押金纠纷", "房东退租时扣了全部押金，想了解可以找谁帮忙维权。"),
    ("志愿服务时长证明", "参加过多次社区志愿服务，需要开具时长证明用于升学。"),
    ("青年夜校课程", "希望青年之家开设晚上的技能课程，比如短视频剪辑、摄影。"),
    ("公交线路调整", "园区到地铁站没有直达公交，早晚通勤很不方便。"),
    ("外卖骑手权益", "作为外卖骑手，希望了解工伤保险怎么参保。"),
    ("婚恋交友活动", "希望团区委组织面向单身青年的联谊活动。"),
]
ORG_ANSWERS = "已联系相关部门，情况已向青年本人电话反馈。"


@dataclass
class DeputiesResult:
    deputies: int
    requests: int
    overdue: int
    seconds: float


def already_seeded() -> str:
    return _("The database already holds league deputies.") if Deputy.objects.exists() else ""


def _studio_days(studio: Venue, today: datetime.date) -> list[datetime.datetime]:
    rows = Booking.objects.filter(venue=studio, purpose=RECEPTION_PURPOSE, status=BookingStatus.CONFIRMED,
                                  starts_at__date__lt=today).order_by("starts_at")  # fmt: skip
    return [b.starts_at for b in rows]


def seed(run: DemoRun) -> DeputiesResult:
    started = time.monotonic()
    actors = demo_actors()
    actor = actors.district
    rng = random.Random(run.seed + 370)
    today = timezone.localdate()
    root = Organization.objects.filter(parent=None, status=OrgStatus.ACTIVE).order_by("path").first()
    studios = list(Venue.objects.filter(kind=VenueKind.DEPUTY_STUDIO).order_by("name", "id")[:2])
    if root is None or not studios:
        return DeputiesResult(0, 0, 0, 0.0)
    with transaction.atomic():
        congress = services.create_congress(
            actor, organization=root, name="共青团昆明市西山区第十次代表大会",
            term_start=today.replace(day=1) - datetime.timedelta(days=3 * 365),
            term_end=today.replace(day=1) + datetime.timedelta(days=2 * 365),
        )  # fmt: skip
        people = list(Person.objects.filter(status=MembershipStatus.ACTIVE, org_path__startswith=root.path,
                                            branch__kind=OrgKind.BRANCH).exclude(pk__in=actors.people)
                      .order_by("id")[:400])  # fmt: skip
        # one from the demo secretary's branch and one from the demo committee, so their accounts see the
        # studios at work; the others drawn across the district
        near = [Person.objects.filter(status=MembershipStatus.ACTIVE, org_path__startswith=path)
                .exclude(pk__in=actors.people).order_by("id").first()
                for path in (actors.branch.path, actors.committee_path)]  # fmt: skip
        chosen = list(dict.fromkeys(p for p in near if p is not None))
        chosen += rng.sample([p for p in people if p not in chosen], min(8 - len(chosen), len(people)))
        deputies = [services.elect_deputy(actor, congress=congress, person=p, studio=studios[i % len(studios)])
                    for i, p in enumerate(chosen)]  # fmt: skip
        # A reception day at each studio on each past Tuesday booked for it, by its deputies in turn.
        days = []
        for s_index, studio in enumerate(studios):
            at_studio = [d for d in deputies if d.studio_id == studio.pk]
            for n, start in enumerate(_studio_days(studio, today)):
                deputy = at_studio[n % len(at_studio)] if at_studio else deputies[s_index]
                days.append(services.hold_reception_day(actor, deputy, studio=studio, starts_at=start,
                                                        ends_at=start + datetime.timedelta(hours=3)))  # fmt: skip
        days.sort(key=lambda d: d.starts_at)
        orgs = list(Organization.objects.filter(status=OrgStatus.ACTIVE, path__startswith=root.path,
                                                kind__in=[OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE])
                    .order_by("path")[:40]) or [root]  # fmt: skip
        committee = Organization.objects.get(path=actors.committee_path)
        orgs = [committee, actors.branch, *orgs]  # the demo accounts' organisations answer some
        requests = _requests(rng, actor, deputies, days, orgs, today)
    overdue = sum(1 for r in requests if r.is_overdue(today))
    run.progress(f"deputies: {len(deputies)}, reception days: {len(days)}, requests: {len(requests)} "
                 f"({overdue} overdue)")  # fmt: skip
    return DeputiesResult(len(deputies), len(requests), overdue, time.monotonic() - started)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _requests(rng, actor, deputies: list[Deputy], days, orgs, today: datetime.date) -> list[ConstituentRequest]:
    """Twenty requests: fourteen from past reception days (closed or answered in time, two assigned and left
    past their due date: overdue), six received in the last days (followed up, assigned, just received)."""
    made: list[ConstituentRequest] = []
    past = days[-7:] if days else []
    plan = ["overdue", "overdue", "closed", "answered", "closed", "answered", "closed"]  # the oldest days first
    for n in range(14):
        day = past[n % len(past)] if past else None
        deputy = day.deputy if day else deputies[n % len(deputies)]
        state = plan[n % len(plan)] if n < 7 else ("closed" if n % 2 else "answered")
        if state == "overdue" and sum(1 for r in made if r.is_overdue(today)) >= 2:
            state = "answered"
        received_on = timezone.localtime(day.starts_at).date() if day else today - datetime.timedelta(days=40 + n)
        made.append(_one(rng, actor, deputy, day, received_on, state, orgs, today))
    for n, state in enumerate(["followed_up", "assigned", "assigned", "received", "received", "followed_up"]):
        deputy = deputies[(n * 3) % len(deputies)]
        made.append(_one(rng, actor, deputy, None, today - datetime.timedelta(days=n + 1), state, orgs, today))
    return made


def _one(rng, actor, deputy, day, received_on, state, orgs, today) -> ConstituentRequest:
    subject, content = rng.choice(SUBJECTS)
    row = services.record_request(actor, deputy, name=rng.choice(NAMES), phone=_phone(rng), subject=subject,
                                  content=content, received_on=received_on, reception_day=day)  # fmt: skip
    if state == "received":
        return row
    row = services.assign_request(actor, row, organization=rng.choice(orgs))
    if state in ("assigned", "overdue"):
        return row
    row = services.follow_up_request(actor, row, note="已与青年本人电话沟通，正在协调办理。")
    if state == "followed_up":
        return row
    row = services.answer_request(actor, row, answer=ORG_ANSWERS)
    answered = min(received_on + datetime.timedelta(days=rng.randint(3, 12)), today)
    answered_at = timezone.make_aware(datetime.datetime.combine(answered, datetime.time(16)))
    ConstituentRequest.objects.filter(pk=row.pk).update(answered_at=answered_at)  # the back-dating (docstring)
    row.refresh_from_db()
    if state == "closed":
        row = services.close_request(actor, row)
    return row


def summary(result: DeputiesResult) -> str:
    return _("League deputies seeded: %(deputies)d deputies, %(requests)d requests (%(overdue)d overdue) in "
             "%(s).1f s.") % {"deputies": result.deputies, "requests": result.requests, "overdue": result.overdue,
                              "s": result.seconds}  # fmt: skip
