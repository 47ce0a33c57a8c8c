"""The demo district's community reporting (双报到双报告): the seed_demo step registered in
``CommunityConfig.ready()`` (order 380, after the activities, 350, whose micro-wishes go to the same communities).

Two communities (the first two organisations of category community), each with three registered units (the demo
committee and branch among them) and a dozen serving party members (the demo member's person too, so the member's
card and phone page show her reports), four needs and projects, take-ups and reports through the year. The demo
member also reports service done without a posted need (free-standing, no photo): one the community acknowledged,
one it sent back to be completed, one waiting. Every record goes through the services: by the district's demo
account, the member's own reports by the member, acknowledged or sent back by the district's account.
Deterministic for a given seed.

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

from tongxin.accounts.demo import demo_actors
from tongxin.community import services
from tongxin.community.models import CommunityRegistration
from tongxin.core.codes import PARTY_STATUSES
from tongxin.core.registry import DemoRun
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
    run.progress(f"community: {len(registrations)} registrations, {len(needs)} needs, {reports} reports")
    return CommunityResult(len(registrations), len(needs), reports)


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
