"""Points in the demo district: the seed_demo step registered in ``PointsConfig.ready()`` (order 370, after
organisational life, whose meetings in the demo secretary's branch already earned their points through the
hooks).

In the demo secretary's branch, written through the services by the demo accounts: each of the last months the
member claims an item with evidence, the secretary files the post-duty item for a few members, and the claims
are reviewed (by the secretary, the secretary's own filings by the committee admin: four eyes): most accepted,
one adjusted, one rejected. An earlier month is published and confirmed at the branch's next recorded general
meeting, so it is locked; last month is published; this month is open with a claim waiting.

The one liberty taken: the publication of the locked month is dated back to the day after that month ended
(the demo is seeded in one moment; the service would date it now, after the meeting that confirms it).
"""

from __future__ import annotations

import contextlib
import datetime
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.demo import demo_actors
from tongxin.core.exceptions import DomainError
from tongxin.core.registry import DemoRun
from tongxin.people.models import MembershipStatus, Person
from tongxin.points.defaults import install_now
from tongxin.points.meetings import general_meetings
from tongxin.points.models import ClaimStatus, MonthCycle, PointEntry, Rule
from tongxin.points.services import cycle, ledger

MONTHS_BACK = 4  # claims in this month and the three before it
EVIDENCE = ["带领团小组完成社区环境整治", "组织青年志愿者开展敬老服务", "在单位技术攻关中担任骨干",
            "帮助困难青年解决就业问题", "参与防汛值守三个夜班"]  # fmt: skip


@dataclass
class PointsResult:
    claims: int
    entries: int
    locked: str
    seconds: float


def _months(today: datetime.date) -> list[datetime.date]:
    months = [today.replace(day=1)]
    for _n in range(MONTHS_BACK - 1):
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return list(reversed(months))


def _rule(rule_set, key: str) -> Rule:
    return rule_set.rules.get(key=key)


def seed(run: DemoRun) -> PointsResult:
    started = time.monotonic()
    install_now()
    actors = demo_actors()
    branch = actors.branch
    today = timezone.localdate()
    months = _months(today)
    rule_set = ledger.rule_set_for(branch.path, ledger.audience_of(branch))
    assert rule_set is not None
    members = list(Person.objects.filter(branch=branch, status=MembershipStatus.ACTIVE).order_by("name_pinyin", "id"))
    others = [p for p in members if p.pk not in actors.people][:3]
    claims = 0
    locked = ""
    with transaction.atomic():
        for index, month in enumerate(months):
            current = month == months[-1]
            member = actors.member.person
            if member is not None:
                claim = cycle.submit_claim(actors.member, person=member, rule=_rule(rule_set, "pioneer"),
                                           evidence=EVIDENCE[index % len(EVIDENCE)], month=month)  # fmt: skip
                claims += 1
                if not current:
                    cycle.review_claim(actors.secretary, claim, decision=ClaimStatus.ACCEPTED)
            for n, person in enumerate(others):
                filed = cycle.submit_claim(actors.secretary, person=person, rule=_rule(rule_set, "duty"), month=month)
                claims += 1
                if current:
                    continue
                if n == 1 and index == 1:
                    cycle.review_claim(actors.committee, filed, decision=ClaimStatus.ADJUSTED, points=Decimal(1),
                                       reason="仅完成部分岗位任务")  # fmt: skip
                elif n == 2 and index == 2:
                    cycle.review_claim(
                        actors.committee, filed, decision=ClaimStatus.REJECTED, reason="本月未见履职记录"
                    )
                else:
                    cycle.review_claim(actors.committee, filed, decision=ClaimStatus.ACCEPTED)
        locked = _lock_one(actors, branch, months[:-2])
        last = cycle.open_cycle(actors.secretary, branch, months[-2])
        with contextlib.suppress(DomainError):  # a claim of last month still waiting: then it stays open
            cycle.publish_month(actors.secretary, last)
    run.progress(f"points: {claims} claims, month locked: {locked or '-'}")
    entries = PointEntry.objects.filter(org_path=branch.path).count()
    return PointsResult(claims, entries, locked, time.monotonic() - started)


def _lock_one(actors, branch, months: list[datetime.date]) -> str:
    """Publish and confirm the latest of ``months`` that has a general meeting recorded after it ended."""
    for month in reversed(months):
        end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        meeting = general_meetings(branch.pk, end).last()  # the first general meeting after the month
        if meeting is None:
            continue
        month_cycle = cycle.open_cycle(actors.secretary, branch, month)
        cycle.publish_month(actors.secretary, month_cycle)
        published = timezone.make_aware(datetime.datetime.combine(end, datetime.time(9)))
        MonthCycle.objects.filter(pk=month_cycle.pk).update(
            published_at=published, publish_until=end + datetime.timedelta(days=7)
        )  # the one back-dating of the demo (see the module's docstring)
        month_cycle.refresh_from_db()
        cycle.confirm_month(actors.secretary, month_cycle, meeting_id=meeting.pk)
        return f"{month:%Y-%m}"
    return ""


def summary(result: PointsResult) -> str:
    return _("Points seeded: %(claims)d claims, %(entries)d entries in the demo branch, %(locked)s locked, in "
             "%(s).1f s.") % {"claims": result.claims, "entries": result.entries, "locked": result.locked or "—",
                              "s": result.seconds}  # fmt: skip
