"""The demo district's community reporting (双报到双报告): the seed_demo step registered in
``CommunityConfig.ready()`` (order 380, after the activities, 350, whose micro-wishes go to the same communities).

Two communities (the first two organisations of category community), each with three registered units (the demo
committee and branch among them) and a dozen serving party members (the demo member's person too, so the member's
card and phone page show her reports), four needs and projects, take-ups and reports through the year. The demo
member also reports service done without a posted need (free-standing, no photo): one the community acknowledged,
one it sent back to be completed, one waiting. Every record goes through the services: by the district's demo
account, the member's own reports by the member, acknowledged or sent back by the district's account.
Deterministic for a given seed.

Across the district (the bulk, ``seed_units_reporting``): every other community committee has three units (branches
of schools, companies and offices) registered with it, each with a few reports of service done: these grow with the
district (``--scale``), written in bulk after the services' checks (see the function).

Data (titles, report texts) is Chinese by nature: it is sample content, not UI text.
"""

from __future__ import annotations

import datetime
import decimal
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.demo import DemoActors, demo_actors
from tongxin.community import services
from tongxin.community.models import CommunityRegistration, RegistrationStatus, ServiceReport
from tongxin.core.audit import change_entry, snapshot
from tongxin.core.codes import PARTY_STATUSES
from tongxin.core.exceptions import DomainError
from tongxin.core.fields import checked_date
from tongxin.core.models import ChangeLog
from tongxin.core.registry import DemoRun
from tongxin.core.scoping import CHANGE, actor_scope
from tongxin.orgs.models import Organization, OrgCategory, OrgKind, OrgStatus
from tongxin.people.models import MembershipStatus, Person

NEEDS = [
    ("need", "独居老人探访", "每周探访社区独居老人，陪伴聊天、帮忙买菜。", 10),
    ("need", "社区环境整治", "清理楼道堆积物，整理公共绿地。", 20),
    ("project", "四点半课堂", "放学后为双职工家庭的孩子辅导作业。", 8),
    ("project", "防诈骗宣传进社区", "在社区广场设点讲解常见诈骗手法。", None),
]
REPORTS = [
    "探访了两户独居老人，帮忙购买了生活用品。",
    "和社区志愿者一起清理了三个单元的楼道。",
    "辅导了五名小学生完成作业。",
    "在广场发放防诈骗宣传册约一百份，解答居民提问。",
    "参加社区议事会，提出停车管理建议。",
]


FREE_STANDING = [  # (days ago, what was done, hours, people, what the community does with it)
    (40, "周末参加社区“洁净家园”义务劳动，清理了两处卫生死角。", "3.0", 12, "acknowledge"),
    (20, "为社区老年活动室修理了三把椅子。", None, None, "send_back"),
    (5, "在社区服务站协助居民办理医保参保登记。", "2.5", None, ""),
]
SEND_BACK_REASON = "请补充服务时长和参与人数，便于计入年度报告。"


@dataclass
class CommunityResult:
    registrations: int
    needs: int
    reports: int


def already_seeded() -> str:
    return _("The database already holds community registrations.") if CommunityRegistration.objects.exists() else ""


def seed(run: DemoRun) -> CommunityResult:
    actors = demo_actors()
    actor = actors.district
    rng = random.Random(run.seed + 380)
    today = timezone.localdate()
    communities = list(Organization.objects.filter(category=OrgCategory.COMMUNITY, status=OrgStatus.ACTIVE)
                       .order_by("path")[:2])  # fmt: skip
    if not communities:
        return CommunityResult(0, 0, 0)
    committee = Organization.objects.get(path=actors.committee_path)
    units = [committee, actors.branch, *Organization.objects.filter(status=OrgStatus.ACTIVE, kind__in=[
        OrgKind.PARTY_BRANCH, OrgKind.BRANCH]).exclude(pk=actors.branch.pk).order_by("path")[:4]]  # fmt: skip
    members = list(Person.objects.filter(status=MembershipStatus.ACTIVE, political_status__in=PARTY_STATUSES)
                   .exclude(pk__in=actors.people).order_by("id")[:200])  # fmt: skip
    chosen = rng.sample(members, min(24, len(members)))
    own = actors.member.person
    start = today.replace(month=1, day=1) - datetime.timedelta(days=200)
    registrations, needs, reports = [], [], 0
    with transaction.atomic():
        for i, community in enumerate(communities):
            for unit in units[i * 3 : i * 3 + 3]:
                registrations.append(services.register(actor, community=community, organization=unit,
                                                       started_on=start))  # fmt: skip
            people = chosen[i * 12 : i * 12 + 12]
            if i == 0 and own is not None and own.status == MembershipStatus.ACTIVE:
                people = [own, *people]
            for person in people:
                joined = start + datetime.timedelta(days=rng.randrange(150))
                registrations.append(services.register(actor, community=community, person=person, started_on=joined))
            for kind, title, description, capacity in NEEDS:
                needs.append(services.post_need(actor, community=community, kind=kind, title=title,
                                                description=description, capacity=capacity))  # fmt: skip
        for registration in registrations:
            if rng.random() < 0.25:
                continue  # not everyone has reported yet: the community's page shows who has
            own_needs = [n for n in needs if n.community_id == registration.community_id]
            need = rng.choice(own_needs)
            take = None
            if need.capacity is None or need.take_ups.count() < need.capacity:
                take = services.take_up(actor, need, registration=registration)
            for _n in range(rng.randrange(1, 4)):
                done_on = today - datetime.timedelta(days=rng.randrange(0, 120))
                done_on = max(done_on, registration.started_on)
                hours = decimal.Decimal(rng.choice([None, "1.0", "2.0", "3.5"]) or "0") or None
                services.file_report(actor, registration, content=rng.choice(REPORTS), done_on=done_on,
                                     hours=hours, take_up=take)  # fmt: skip
                reports += 1
        reports += _own_free_standing(actors, registrations, today)
        unit_registrations, unit_reports = seed_units_reporting(run, actors, communities, today)
    registered = len(registrations) + unit_registrations
    run.progress(f"community: {registered} registrations, {len(needs)} needs, {reports + unit_reports} reports")
    return CommunityResult(registered, len(needs), reports + unit_reports)


UNITS_PER_COMMUNITY = 3


def seed_units_reporting(
    run: DemoRun, actors: DemoActors, taken: list[Organization], today: datetime.date
) -> tuple[int, int]:
    """Three units registered with each active community committee and working committee but those of ``taken``
    (branches of other categories, none registered twice with one community), each with one to three free-standing
    reports of service done since: written in bulk by the account whose scope holds the unit, after the checks of
    ``register`` (the actor covers the unit, an active unit and community, a start in the history window and not
    in the future, not registered there already) and ``file_report`` (an active registration, a text, a day in
    the window, not in the future nor before the registration, hours in tenths up to 24); each registration and
    report leaves its service's ChangeLog rows. Returns (registrations, reports)."""
    rng = random.Random(run.seed + 382)
    communities = list(Organization.objects.filter(category=OrgCategory.COMMUNITY, status=OrgStatus.ACTIVE,
                                                   kind__in=[OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE])
                       .exclude(pk__in=[c.pk for c in taken]).order_by("path"))  # fmt: skip
    units = list(Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
                 .exclude(category=OrgCategory.COMMUNITY).order_by("path"))  # fmt: skip
    if not units:
        return 0, 0
    registrations: list[CommunityRegistration] = []
    for community in communities:
        for unit in rng.sample(units, min(UNITS_PER_COMMUNITY, len(units))):
            actor = actors.for_path(unit.path)
            if not actor_scope(actor, CHANGE).covers_path(unit.path) or unit.status != OrgStatus.ACTIVE:
                raise DomainError("organization", f"{unit.name} cannot be registered by {actor}")
            started_on = today - datetime.timedelta(days=rng.randint(150, 400))
            checked_date("started_on", started_on, "history")
            registrations.append(CommunityRegistration(
                community=community, community_path=community.path, organization=unit, org_path=unit.path,
                started_on=started_on, status=RegistrationStatus.ACTIVE, created_by=actor,
            ))  # fmt: skip
    CommunityRegistration.objects.bulk_create(registrations, batch_size=1000)
    reports: list[ServiceReport] = []
    for registration in registrations:
        for _n in range(rng.randint(1, 3)):
            done_on = today - datetime.timedelta(days=rng.randrange(0, 120))
            done_on = max(done_on, registration.started_on)
            checked_date("done_on", done_on, "history")
            hours = rng.choice([None, "1.0", "2.0", "3.5"])
            reports.append(ServiceReport(
                registration=registration, person=None, community_path=registration.community_path,
                org_path=registration.org_path, done_on=done_on,
                hours=services._hours(hours), content=rng.choice(REPORTS), people=rng.choice([None, 5, 8, 12]),
                status=services.REPORTS.target("resubmit"), created_by=registration.created_by,
            ))  # fmt: skip
    ServiceReport.objects.bulk_create(reports, batch_size=1000)
    entries = [
        e for r in registrations for path in dict.fromkeys((r.community_path, r.org_path))
        if (e := change_entry(r.created_by, r, ChangeLog.Action.CREATE, after=snapshot(r), org_path=path))
    ]  # fmt: skip
    entries += [
        e for r in reports
        if (e := change_entry(r.created_by, r, ChangeLog.Action.CREATE, org_path=r.community_path, after={
            "registration": r.registration_id, "take_up": None, "done_on": r.done_on.isoformat(),
            "hours": str(r.hours) if r.hours is not None else None, "people": r.people, "photos": []}))
    ]  # fmt: skip
    ChangeLog.objects.bulk_create(entries, batch_size=1000)
    return len(registrations), len(reports)


def _own_free_standing(actors, registrations: list[CommunityRegistration], today: datetime.date) -> int:
    """The demo member's free-standing reports (no posted need, no photo), filed by herself; the district's account
    acknowledges one and sends one back, the third waits in its inbox."""
    own = next((r for r in registrations if actors.member.person_id and r.person_id == actors.member.person_id), None)
    if own is None:
        return 0
    filed = 0
    for days, content, hours, people, outcome in FREE_STANDING:
        done_on = max(today - datetime.timedelta(days=days), own.started_on)
        report = services.file_report(actors.member, own, content=content, done_on=done_on, hours=hours,
                                      people=people)  # fmt: skip
        if outcome == "acknowledge":
            services.acknowledge_report(actors.district, report)
        elif outcome == "send_back":
            services.send_back_report(actors.district, report, reason=SEND_BACK_REASON)
        filed += 1
    return filed


def summary(result: CommunityResult) -> str:
    return _("Community reporting seeded: %(r)d registrations, %(n)d needs, %(p)d reports.") % {
        "r": result.registrations, "n": result.needs, "p": result.reports}  # fmt: skip
