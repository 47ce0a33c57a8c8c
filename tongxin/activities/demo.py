"""Activities in the demo district (the seed_demo step registered in ``ActivitiesConfig.ready()``, after the demo
accounts and organisational life): written through the services, by the demo accounts as they would have.

* Last month: a volunteer service day of the demo branch with a partner alliance (保护滇池), members registered
  and confirmed by the secretary, checked in and out with the rotating code (the services' clock set to that day),
  one supplementary entry with its reason: verified hours, and the points hook offered. One member is checked in
  by the secretary typing his personal code; two ask for a correction of their hours: one accepted, one pending.
* Next week: a salon open to the public, nearly full, the demo member registered and a waiting list.
* In two weeks: a theme league day of the demo committee with its branches.
* Micro-wishes to the first community organisation: one awaiting screening (its text holds a phone number, so it is
  flagged), one published, one claimed by the demo member, one fulfilled and closed (on the public list).

Titles and places are Chinese sample content, not UI text.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.demo import demo_actors
from tongxin.activities import services
from tongxin.activities.models import ActivityKind, Registration
from tongxin.core.registry import DemoRun
from tongxin.orgs.models import Organization, OrgCategory
from tongxin.people.models import MembershipStatus, Person


@dataclass(frozen=True)
class ActivitiesResult:
    activities: int
    registrations: int
    seconds: float


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


def seed(run: DemoRun) -> ActivitiesResult:
    started = time.monotonic()
    actors = demo_actors()
    branch, secretary = actors.branch, actors.secretary
    today = timezone.localdate()
    members = list(
        Person.objects.filter(branch=branch, status=MembershipStatus.ACTIVE)
        .exclude(pk__in=[pk for pk in (secretary.person_id,) if pk])
        .order_by("name_pinyin", "id")[:12]
    )
    made = 0
    with transaction.atomic():
        # Last month: volunteer service with verified hours.
        day = today - datetime.timedelta(days=30)
        start, end = _at(day, 9), _at(day, 12)
        volunteer = services.create_activity(
            secretary, organization=branch, kind=ActivityKind.VOLUNTEER, title="保护滇池·湖滨清洁志愿服务",
            starts_at=start, ends_at=end, capacity=10, place="海埂公园湖滨步道", partners=["环滇党建联盟"],
            description="党员+团员+志愿者：湖滨垃圾清理、文明劝导。请穿运动鞋，自带水杯。",
        )  # fmt: skip
        made += 1
        for person in members[:8]:
            registration = services.register(None, volunteer, person, now=start - datetime.timedelta(days=5))
            services.confirm(secretary, registration)
        for index, person in enumerate(members[:7]):
            arrive = start + datetime.timedelta(minutes=5 * index)
            if index == 6:  # no signal on his phone: the secretary typed his personal code
                services.check_in_person(None, volunteer, services.personal_code(person.pk, arrive)[1], now=arrive)
            else:
                _token, digits, _left = services.current_code(volunteer, services.CHECK_IN, arrive)
                services.check_in(None, volunteer, digits, now=arrive, person=person)
            leave = end - datetime.timedelta(minutes=10 * (index % 3))
            _token, digits, _left = services.current_code(volunteer, services.CHECK_OUT, leave)
            services.check_out(None, volunteer, digits, now=leave, person=person)
        forgot = Registration.objects.get(activity=volunteer, person=members[7]) if len(members) > 7 else None
        if forgot is not None:
            services.set_supplementary_hours(secretary, forgot, "2.5", "手机没电未能签到，经现场负责人核实")
        # Corrections of hours asked by two volunteers who left early (through the services, as they would have):
        # one accepted by the secretary, one waiting for her decision (in her inbox).
        early = [Registration.objects.get(activity=volunteer, person=p) for p in members[1:3] if len(members) > 2]
        if early:
            asked = services.request_correction(None, early[0], "清理结束后留下整理工具，实际服务到活动结束", "3")
            services.decide_correction(secretary, asked, accept=True, reason="经现场负责人核实，工具整理至12点",
                                       hours="3")  # fmt: skip
            services.request_correction(None, early[1], "签退时扫码失败，重扫晚了，实际在现场到最后", "3")
        # Next week: a public salon, nearly full, the demo member registered, a waiting list.
        day = today + datetime.timedelta(days=7)
        salon = services.create_activity(
            secretary, organization=branch, kind=ActivityKind.SALON, title="青年读书沙龙：我们的城市",
            starts_at=_at(day, 19), ends_at=_at(day, 21), capacity=4, place="党群服务中心二楼", public=True,
            partners=["楼宇党建联盟"],
        )  # fmt: skip
        made += 1
        queue = [p for p in members[:5] if p.pk != actors.member.person_id]
        if actors.member.person_id:
            services.register(actors.member, salon)
        for person in queue[:4]:
            services.register(secretary, salon, person)
        # In two weeks: the committee's theme league day for all its branches.
        day = today + datetime.timedelta(days=14)
        committee = branch.parent or branch
        services.create_activity(
            actors.committee, organization=committee, kind=ActivityKind.LEAGUE_DAY,
            title="主题团日：学雷锋志愿服务进社区", starts_at=_at(day, 14), ends_at=_at(day, 17), capacity=60,
            place="社区新时代文明实践站",
        )  # fmt: skip
        made += 1
        made_wishes = seed_wishes(actors)
    count = Registration.objects.count()
    run.progress(f"activities: {made}, registrations: {count}, wishes: {made_wishes}")
    return ActivitiesResult(made, count, time.monotonic() - started)


def seed_wishes(actors) -> int:
    """Four wishes through the services, screened by the district admin (whose scope holds every community)."""
    community = (Organization.objects.filter(category=OrgCategory.COMMUNITY, status="active").order_by("path").first()
                 or actors.branch)  # fmt: skip
    texts = [
        ("独居老人家里的灯坏了，希望有人帮忙更换，电话 13912345678", "刘阿姨", "13912345678"),
        ("孩子想要一套课外读物，希望爱心人士帮助", "张先生", "13800001111"),
        ("腿脚不便，希望每周有人帮忙买一次菜", "陈奶奶", "13700002222"),
        ("希望为小区留守儿童组织一次暑期作业辅导", "李女士", "13600003333"),
    ]
    wishes = [services.submit_wish(community=community, text=t, contact_name=n, contact_phone=p) for t, n, p in texts]
    for wish in wishes[1:]:
        services.screen_wish(actors.district, wish, publish=True)
    if actors.member.person_id:
        services.claim_wish(actors.member, wishes[2])
    if actors.secretary.person_id:
        services.claim_wish(actors.secretary, wishes[3])
        services.fulfil_wish(actors.secretary, wishes[3], "组织团员志愿者开展了两次作业辅导，12名儿童参加")
        services.close_wish(actors.district, wishes[3])
    return len(wishes)


def summary(result: ActivitiesResult) -> str:
    return _("Activities seeded: %(n)d activities, %(r)d registrations in %(s).1f s.") % {
        "n": result.activities,
        "r": result.registrations,
        "s": result.seconds,
    }
