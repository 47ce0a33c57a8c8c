"""The monthly cycle: claims and their review, publication with objections, confirmation at the branch's
recorded general meeting, the lock; every refusal of the issue's "Bad input" with a message and nothing written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tongxin.core.models import ChangeLog
from tongxin.core.testing import refused_unchanged
from tongxin.orglife.models import MeetingKind
from tongxin.orglife.services import meetings
from tongxin.points.models import Claim, ClaimStatus, CycleStatus, MonthCycle, Objection, PointEntry
from tongxin.points.services import cycle, rules
from tongxin.points.tests.helpers import defaults, league_rule, league_set, score

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _rules(db):
    defaults()


def counts():
    return (Claim.objects.count(), PointEntry.objects.count(), MonthCycle.objects.filter(status="locked").count(),
            Objection.objects.count(), ChangeLog.objects.count())  # fmt: skip


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def claim_a2(users, **extra) -> Claim:
    return cycle.submit_claim(users.member, person=users.member.person, rule=league_rule("pioneer"),
                              evidence=extra.pop("evidence", "组织志愿服务"), **extra)  # fmt: skip


def general_meeting(users, tree):
    # five minutes ago, but never before today's local midnight (the month is published today: a meeting
    # confirming it is held on that day or later; run just after midnight, "five minutes ago" was yesterday)
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    when = max(timezone.now() - datetime.timedelta(minutes=5), midnight)
    meeting = meetings.plan_meeting(users.secretary_a, organization=tree.branch_a, kind=MeetingKind.LEAGUE_GENERAL,
                                    starts_at=when, topic="支部团员大会")  # fmt: skip
    marks = {tree.people.a1.pk: ("present", ""), tree.people.a2.pk: ("present", "")}
    return meetings.record_meeting(users.secretary_a, meeting, attendance=marks)


def test_the_whole_month(tree, users):
    claim = claim_a2(users)
    assert claim.status == ClaimStatus.SUBMITTED and claim.points == 2
    cycle.review_claim(users.secretary_a, claim, decision=ClaimStatus.ACCEPTED)
    assert score(tree.people.a2, this_month()) == 2
    month = cycle.publish_month(users.secretary_a, cycle.open_cycle(users.secretary_a, tree.branch_a, this_month()))
    assert month.status == CycleStatus.PUBLISHED and month.publish_until == timezone.localdate() + datetime.timedelta(7)
    objection = cycle.object_to_month(users.member, month, text="我的志愿时长少算了")
    held = general_meeting(users, tree)
    refused_unchanged(counts, lambda: cycle.confirm_month(users.secretary_a, month, meeting_id=held.pk),
                      "objections await an answer")  # fmt: skip
    cycle.answer_objection(users.secretary_a, objection, answer="已核实，按活动记录计入")
    month = cycle.confirm_month(users.secretary_a, month, meeting_id=held.pk)
    assert month.status == CycleStatus.LOCKED and month.meeting == held


def test_claims_refused_with_a_message_and_nothing_written(tree, users):
    rules.change_rule(None, league_rule("pioneer"), valid_from=this_month(), photo_required=False, cap_month=Decimal(4))
    claim_a2(users)
    claim_a2(users)  # 4 points claimed: the cap
    refused_unchanged(counts, lambda: claim_a2(users), "cap of 4 points a month")
    refused_unchanged(counts, lambda: claim_a2(users, evidence=""), "needs evidence")
    # someone else's branch: secretary B cannot file for a member of branch A
    refused_unchanged(counts, lambda: cycle.submit_claim(users.secretary_b, person=tree.people.a2,
                                                         rule=league_rule("duty")), "", PermissionDenied)  # fmt: skip
    # a member claims for himself only: the items secretaries claim are not his
    refused_unchanged(counts, lambda: cycle.submit_claim(users.member, person=tree.people.a2, rule=league_rule("duty")),
                      "not one you may claim")  # fmt: skip


def test_a_photo_required_by_the_rule(tree, users):
    rules.change_rule(None, league_rule("pioneer"), valid_from=this_month(), photo_required=True)
    refused_unchanged(counts, lambda: claim_a2(users), "needs a photo")


def test_claims_and_reviews_close_when_the_month_is_published_or_locked(tree, users):
    waiting = claim_a2(users)
    refused_unchanged(lambda: (counts(), MonthCycle.objects.count()),
                      lambda: cycle.act_on_month(users.secretary_a, tree.branch_a, this_month(), "publish"),
                      "await review")  # fmt: skip
    cycle.review_claim(users.secretary_a, waiting, decision=ClaimStatus.REJECTED, reason="材料不足")
    month = cycle.publish_month(users.secretary_a, cycle.open_cycle(users.secretary_a, tree.branch_a, this_month()))
    refused_unchanged(counts, lambda: claim_a2(users), "is published to the branch")
    MonthCycle.objects.filter(pk=month.pk).update(status=CycleStatus.LOCKED)
    refused_unchanged(counts, lambda: claim_a2(users), "is locked")


def test_nobody_reviews_his_own_claim(tree, users, selves):
    own = cycle.submit_claim(selves.secretary, person=tree.people.a1, rule=league_rule("pioneer"), evidence="带头")
    refused_unchanged(counts, lambda: cycle.review_claim(selves.secretary, own, decision=ClaimStatus.ACCEPTED),
                      "another person responsible")  # fmt: skip
    # nor a claim he filed for someone else
    filed = cycle.submit_claim(users.secretary_a, person=tree.people.a2, rule=league_rule("duty"))
    refused_unchanged(counts, lambda: cycle.review_claim(users.secretary_a, filed, decision=ClaimStatus.ACCEPTED),
                      "You filed this claim")  # fmt: skip
    cycle.review_claim(users.committee_admin, filed, decision=ClaimStatus.ACCEPTED)
    cycle.review_claim(users.secretary_a, own, decision=ClaimStatus.ADJUSTED, points=Decimal(1), reason="部分完成")
    assert score(tree.people.a1, this_month()) == 1


def test_a_review_adjusts_or_rejects_only_with_a_reason(tree, users):
    claim = claim_a2(users)
    refused_unchanged(counts, lambda: cycle.review_claim(users.secretary_a, claim, decision="adjusted",
                                                         points=Decimal(1)), "reason for the adjustment")  # fmt: skip
    refused_unchanged(counts, lambda: cycle.review_claim(users.secretary_a, claim, decision="rejected"),
                      "reason for the rejection")  # fmt: skip
    refused_unchanged(counts, lambda: cycle.review_claim(users.secretary_b, claim, decision="accepted"), "",
                      PermissionDenied)  # fmt: skip


def test_the_month_is_confirmed_only_at_the_branchs_general_meeting_after_publication(tree, users):
    month = cycle.publish_month(users.secretary_a, cycle.open_cycle(users.secretary_a, tree.branch_a, this_month()))
    day = meetings.plan_meeting(users.secretary_a, organization=tree.branch_a, kind=MeetingKind.LEAGUE_DAY,
                                starts_at=timezone.now() - datetime.timedelta(minutes=5), topic="团日")  # fmt: skip
    refused_unchanged(counts, lambda: cycle.confirm_month(users.secretary_a, month, meeting_id=day.pk),
                      "general meeting of the branch")  # fmt: skip


def test_pages_member_and_branch(tree, users, client_for):
    claim = claim_a2(users)
    page = client_for(users.member).get(reverse("points:mine"))
    assert page.status_code == 200 and "Awaiting review" in page.content.decode()
    cycle.review_claim(users.secretary_a, claim, decision=ClaimStatus.ACCEPTED)
    page = client_for(users.member).get(reverse("points:mine"))
    assert "岗位建功" in page.content.decode()
    branch_url = reverse("points:branch", args=[tree.branch_a.pk])
    page = client_for(users.secretary_a).get(branch_url)
    assert page.status_code == 200 and "Ranking" not in page.content.decode()  # off by default
    rules.update_rule_set(None, league_set(), rankings=True)
    assert "Ranking" in client_for(users.secretary_a).get(branch_url).content.decode()
    assert client_for(users.outsider).get(branch_url).status_code == 404
    assert client_for(users.secretary_b).get(reverse("points:claim", args=[claim.pk])).status_code == 404


def test_a_branch_that_accepts_every_claim_as_claimed_is_flagged(tree, users, client_for):
    month = this_month()
    for _n in range(5):
        claim = cycle.submit_claim(None, person=tree.people.a1, rule=league_rule("duty"), month=month)
        cycle.review_claim(users.secretary_a, claim, decision=ClaimStatus.ACCEPTED)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    claim = cycle.submit_claim(None, person=tree.people.b1, rule=league_rule("duty"))
    cycle.review_claim(users.secretary_b, claim, decision=ClaimStatus.ACCEPTED)
    page = client_for(users.committee_admin).get(reverse("points:subtree", args=[tree.committee1.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and body.count('data-testid="flagged"') == 1  # branch A; B has too few
    export = client_for(users.committee_admin).get(reverse("points:subtree_export", args=[tree.committee1.pk]))
    assert export.status_code == 200
    assert client_for(users.outsider).get(reverse("points:subtree", args=[tree.committee1.pk])).status_code == 404


def test_a_locked_month_changes_only_by_a_recorded_correction(tree, users, selves):
    from tongxin.points.tests.helpers import give

    last = (this_month() - datetime.timedelta(days=1)).replace(day=1)
    give(tree.people.a1, "late:1", day=last + datetime.timedelta(days=2))
    MonthCycle.objects.create(organization=tree.branch_a, org_path=tree.branch_a.path, month=last,
                              status=CycleStatus.LOCKED)  # fmt: skip
    entry = PointEntry.objects.get(person=tree.people.a1)
    refused_unchanged(counts, lambda: cycle.correct_entry(selves.secretary, entry, reason="更正"), "another person")
    refused_unchanged(counts, lambda: cycle.correct_entry(users.secretary_a, entry, reason=""), "reason")
    reversal = cycle.correct_entry(users.secretary_a, entry, reason="出勤记录有误")
    assert reversal.month == this_month() and reversal.points == -entry.points and reversal.reason == "出勤记录有误"
    assert score(tree.people.a1, last) == entry.points  # the locked month itself is untouched
