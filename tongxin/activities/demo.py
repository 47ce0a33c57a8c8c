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

Across the district (the bulk, ``seed_branch_volunteering``): every other league branch held one volunteer service
day in the last three months, most of its members registered, confirmed, checked in and out: the dashboards'
volunteer hours and the members' points grow with the district (``--scale``). Written in bulk after the checks of
``create_activity``, ``register``, ``confirm`` and ``check_out`` (see the function). Each other community committee
received four micro-wishes (``seed_community_wishes``): one published, one claimed, two fulfilled and closed.

Titles and places are Chinese sample content, not UI text.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.demo import DemoActors, demo_actors
from tongxin.activities import services
from tongxin.activities.models import (
    CAPACITY_MAX,
    Activity,
    ActivityKind,
    ActivityStatus,
    Registration,
    RegistrationStatus,
    Wish,
)
from tongxin.core.achievements import Achievement, offer_many
from tongxin.core.audit import change_entry, snapshot
from tongxin.core.bulkload import insert_rows
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date
from tongxin.core.models import ChangeLog
from tongxin.core.registry import DemoRun
from tongxin.core.scoping import CHANGE, require
from tongxin.orgs.models import Organization, OrgCategory, OrgKind, OrgStatus
from tongxin.people.models import MembershipStatus, Person

# The district's branches' volunteer days (seed_branch_volunteering): titles and places drawn per branch.
VOLUNTEER_TITLES = ["社区环境清洁志愿服务", "关爱空巢老人志愿服务", "文明交通志愿劝导", "滇池湖滨保洁志愿服务",
                    "图书馆整理志愿服务", "敬老院陪伴志愿服务", "垃圾分类宣传志愿服务", "义务植树志愿活动"]  # fmt: skip
VOLUNTEER_PLACES = ["社区新时代文明实践站", "海埂公园", "西山区图书馆", "滇池路口", "社区敬老院", "团结街道苗圃"]
VOLUNTEER_DAYS = (7, 90)  # held between a week and three months ago
REGISTERED, CAME = 0.7, 0.9  # share of a branch's members who registered; of those, who came
OFFER_BATCH = 5_000  # achievements per offer_many
WISH_TEXTS = ["楼道灯坏了，希望有人帮忙更换", "孩子想要一套课外读物", "希望有人每周帮忙买一次菜",
              "希望为留守儿童辅导暑期作业", "家里的旧电视需要有人帮忙搬下楼", "想学用智能手机挂号",
              "希望有人陪老人散步聊天", "社区活动室缺几把椅子"]  # fmt: skip
WISH_NAMES = ["刘阿姨", "张先生", "陈奶奶", "李女士", "王大爷", "赵阿姨"]
WISH_DONE = "组织团员志愿者上门完成，居民表示满意"
# The four wishes of each community committee: (status, days since submitted, claimed, fulfilled, closed ago)
WISH_PLAN = (("published", 10, None, None, None), ("claimed", 20, 15, None, None), ("closed", 60, 55, 45, 40),
             ("closed", 100, 95, 80, 75))  # fmt: skip


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
        made += seed_branch_volunteering(run, actors, today)
        made_wishes += seed_community_wishes(run, actors)
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


def seed_branch_volunteering(run: DemoRun, actors: DemoActors, today: datetime.date) -> int:
    """One volunteer service day of every active league branch but the demo branch, a week to three months ago,
    written in bulk by the account whose scope holds the branch, after the checks the services make:
    ``create_activity``'s (the actor's scope, an active organisation, a title, the planning window, an end after
    the start within a week, the capacity's range), ``register``'s (active members of the audience, one
    registration each, within the capacity, before the activity ended), and ``check_out``'s hours
    (``services.verified_hours``: between check-in and check-out, within the activity). Each activity's creation
    leaves its ChangeLog row, as ``create_activity``'s does; the registrations' confirmation, check-in and
    check-out leave none (as the bulk meetings' attendance). Each attendant's participation and hours are offered
    to the points hooks in batches (``offer_many``, the achievements ``check_in`` and ``check_out`` offer). The
    volunteer minutes are not added to the tallies here: the "tallies" demo step (order 990, after this one)
    rebuilds every tally from the records, the activities' source among them. Returns the activities made."""
    rng = random.Random(run.seed + 351)
    tz = timezone.get_current_timezone()
    branches = list(Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
                    .exclude(pk=actors.branch.pk).order_by("path"))  # fmt: skip
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    active = Person.objects.filter(branch__in=branches, status=MembershipStatus.ACTIVE).order_by("id")
    demo_people = actors.people
    for pk, branch_id, path in active.values_list("id", "branch_id", "org_path").iterator(chunk_size=5000):
        if pk not in demo_people:
            members[branch_id].append((pk, path))
    activities: list[Activity] = []
    attendants: list[list[tuple[int, str, datetime.datetime | None, datetime.datetime | None]]] = []
    for org in branches:
        people = members.get(org.pk)
        if not people:
            continue
        actor = actors.for_path(org.path)
        require(actor, CHANGE, org.path)  # create_activity's checks
        day = today - datetime.timedelta(days=rng.randint(*VOLUNTEER_DAYS))
        hour = rng.choice((9, 14))
        starts_at = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=tz)
        ends_at = starts_at + datetime.timedelta(hours=rng.choice((2, 3, 3, 4)))
        checked_date("starts_at", starts_at, "plan")
        checked_date("ends_at", ends_at, "plan")
        capacity = min(len(people), CAPACITY_MAX)
        if not starts_at < ends_at <= starts_at + datetime.timedelta(days=7) or not 1 <= capacity <= CAPACITY_MAX:
            raise DomainError("ends_at", f"{org.name}: a volunteer day out of the activities' rules")
        activity = Activity(
            organization=org, org_path=org.path, kind=ActivityKind.VOLUNTEER, status=ActivityStatus.OPEN,
            title=rng.choice(VOLUNTEER_TITLES), starts_at=starts_at, ends_at=ends_at,
            place=rng.choice(VOLUNTEER_PLACES), capacity=capacity, audience=org, audience_path=org.path,
            public=False, description="", created_by=actor,
        )  # fmt: skip
        # register's checks: active members of the audience (the branch's), once each, within the capacity,
        # registered before the activity ended
        chosen = [p for p in people if rng.random() < REGISTERED][:capacity]
        rows: list[tuple[int, str, datetime.datetime | None, datetime.datetime | None]] = []
        for pk, path in chosen:
            if rng.random() < CAME:
                arrive = starts_at + datetime.timedelta(minutes=rng.randrange(-10, 20))
                leave = ends_at - datetime.timedelta(minutes=rng.randrange(0, 30))
                rows.append((pk, path, arrive, leave))
            else:
                rows.append((pk, path, None, None))  # confirmed, never came: no hours
        activities.append(activity)
        attendants.append(rows)
    Activity.objects.bulk_create(activities, batch_size=1000)
    Through = Activity.organizations.through
    Through.objects.bulk_create([Through(activity_id=a.pk, organization_id=a.organization_id) for a in activities],
                                batch_size=2000)  # fmt: skip
    ChangeLog.objects.bulk_create(
        [e for a in activities if (e := change_entry(a.created_by, a, ChangeLog.Action.CREATE, after=snapshot(a),
                                                     org_path=a.org_path))],
        batch_size=1000,
    )  # fmt: skip
    confirmed = str(RegistrationStatus.CONFIRMED)
    zero = Decimal("0.00")
    insert_rows(
        Registration,
        ("activity", "org_path", "person", "status", "queued_at", "decided_by", "reason", "checked_in_at",
         "checked_out_at", "verified_hours", "supplementary_hours", "supplementary_reason", "created_at"),
        (
            (a.pk, a.org_path, pk, confirmed, a.starts_at - datetime.timedelta(days=5), a.created_by_id, "",
             arrive, leave, services.verified_hours(a, arrive, leave) if arrive and leave else zero, zero, "",
             a.starts_at - datetime.timedelta(days=5))
            for a, rows in zip(activities, attendants, strict=True)
            for pk, _path, arrive, leave in rows
        ),
    )  # fmt: skip
    _offer_volunteering(activities, attendants)
    return len(activities)


def seed_community_wishes(run: DemoRun, actors: DemoActors) -> int:
    """Four micro-wishes at each active community committee and working committee but the one ``seed_wishes``
    uses (WISH_PLAN: published, claimed, two fulfilled and closed), claimed by active members of its subtree.
    Written in bulk after the checks of ``submit_wish`` (an active community, a text, a contact name and phone)
    and ``screen_wish`` (a published wording without phone or ID numbers); each wish leaves its creation's
    ChangeLog row; the fulfilments are offered to the points hooks as ``close_wish`` offers them (on the day
    closed). The wishes fulfilled are counted by the "tallies" demo step's rebuild (order 990, after this one).
    Returns the wishes made."""
    rng = random.Random(run.seed + 352)
    now = timezone.now()
    taken = (Organization.objects.filter(category=OrgCategory.COMMUNITY, status="active").order_by("path")
             .values_list("pk", flat=True).first())  # fmt: skip
    communities = list(Organization.objects.filter(category=OrgCategory.COMMUNITY, status=OrgStatus.ACTIVE,
                                                   kind__in=[OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE])
                       .exclude(pk=taken or 0).order_by("path"))  # fmt: skip
    # The active members of community branches. The branches are read first and the roster filtered here: inside
    # the seed's transaction the roster has no statistics yet, and the join probed the whole status index once per
    # community branch (41 s at 10×, growing with branches × people).
    community_branches = set(Organization.objects.filter(category=OrgCategory.COMMUNITY).values_list("pk", flat=True))
    people = (
        Person.objects.filter(status=MembershipStatus.ACTIVE).order_by("id").values_list("id", "branch_id", "org_path")
    )
    members: dict[str, list[tuple[int, str]]] = defaultdict(list)
    prefixes = {c.path for c in communities}
    demo_people = actors.people
    for pk, branch_id, path in people.iterator(chunk_size=5000):
        if branch_id not in community_branches:
            continue
        for prefix in {path[:n] for n in range(8, len(path) + 1, 8)} & prefixes:
            if pk not in demo_people:
                members[prefix].append((pk, path))
    wishes: list[Wish] = []
    submitted: list[datetime.datetime] = []
    closers: list[tuple[int, str] | None] = []
    for community in communities:
        near = members.get(community.path)
        if not near:
            continue
        for status, days, claimed, fulfilled, closed in WISH_PLAN:
            text = rng.choice(WISH_TEXTS)
            name, phone = rng.choice(WISH_NAMES), f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            if community.status != OrgStatus.ACTIVE or len(text) < 5 or not name or not 7 <= len(phone) <= 20:
                raise DomainError("text", f"{community.name}: a wish out of submit_wish's rules")
            if services.holds_personal_numbers(text):  # screen_wish: published without personal numbers
                raise DomainError("published_text", "a published wording holds a phone or ID number")
            claimer = rng.choice(near) if claimed else None
            wishes.append(Wish(
                community=community, org_path=community.path, text=text, published_text=text, contact_name=name,
                contact_phone=phone, flagged=False, status=status, claimed_by_id=claimer[0] if claimer else None,
                claimed_at=now - datetime.timedelta(days=claimed) if claimed else None,
                fulfilment=WISH_DONE if fulfilled else "",
                fulfilled_at=now - datetime.timedelta(days=fulfilled) if fulfilled else None,
                closed_at=now - datetime.timedelta(days=closed) if closed else None,
            ))  # fmt: skip
            submitted.append(now - datetime.timedelta(days=days))
            closers.append(claimer if closed else None)
    Wish.objects.bulk_create(wishes, batch_size=1000)
    for wish, at in zip(wishes, submitted, strict=True):
        wish.submitted_at = at  # bulk_create stamped them now (auto_now_add); submitted days before
    Wish.objects.bulk_update(wishes, ["submitted_at"], batch_size=1000)
    ChangeLog.objects.bulk_create(
        [e for w in wishes if (e := change_entry(None, w, ChangeLog.Action.CREATE, after=snapshot(w),
                                                 org_path=w.org_path))],
        batch_size=1000,
    )  # fmt: skip
    done = [
        Achievement(services.WISH_FULFILLED, person_id=claimer[0], org_path=claimer[1],
                    occurred_on=timezone.localdate(wish.closed_at), source=f"activities.wish:{wish.pk}")
        for wish, claimer in zip(wishes, closers, strict=True)
        if claimer is not None and wish.closed_at is not None
    ]  # fmt: skip
    for start in range(0, len(done), OFFER_BATCH):
        offer_many(done[start : start + OFFER_BATCH])
    return len(wishes)


def _offer_volunteering(activities: list[Activity], attendants: list[list[tuple]]) -> int:
    """What ``check_in`` and ``check_out`` offer the points hooks for each attendant (participation on the day,
    then the hours of the volunteer activity: the same source, so in batches of their own), in batches; the
    registrations read back for their ids (the source). Returns the achievements offered."""
    by_activity = {a.pk: a for a in activities}
    came = {(a.pk, pk) for a, rows in zip(activities, attendants, strict=True) for pk, _p, arrive, _l in rows if arrive}
    paths = {pk: path for rows in attendants for pk, path, _a, _l in rows}
    regs = Registration.objects.filter(activity__in=[a.pk for a in activities]).order_by("id")
    columns = ("id", "activity_id", "person_id", "checked_in_at", "verified_hours", "supplementary_hours")
    participations: list[Achievement] = []
    hours: list[Achievement] = []
    for reg_id, activity_id, person_id, checked_in_at, verified, supplementary in regs.values_list(*columns).iterator(
        5000
    ):
        if (activity_id, person_id) not in came:
            continue
        source = f"activities.registration:{reg_id}"
        path = paths[person_id]
        participations.append(Achievement(services.PARTICIPATION, person_id=person_id, org_path=path,
                                          occurred_on=timezone.localdate(checked_in_at), source=source))  # fmt: skip
        total = verified + supplementary
        if total > 0:
            hours.append(Achievement(services.VOLUNTEER_HOURS, person_id=person_id, org_path=path,
                                     occurred_on=timezone.localdate(by_activity[activity_id].starts_at),
                                     source=source, quantity=total))  # fmt: skip
    for achievements in (participations, hours):
        for start in range(0, len(achievements), OFFER_BATCH):
            offer_many(achievements[start : start + OFFER_BATCH])
    return len(participations) + len(hours)


def summary(result: ActivitiesResult) -> str:
    return _("Activities seeded: %(n)d activities, %(r)d registrations in %(s).1f s.") % {
        "n": result.activities,
        "r": result.registrations,
        "s": result.seconds,
    }
