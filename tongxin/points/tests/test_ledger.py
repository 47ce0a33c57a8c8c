"""The ledger: achievements arrive by themselves exactly once, a withdrawal or correction appends a reversing
entry, caps cut, rules are versioned and inherited, and the roll-ups always equal the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongxin.core.achievements import withdraw
from tongxin.core.exceptions import DomainError
from tongxin.orglife.models import AttendanceStatus, MeetingKind
from tongxin.orglife.services import meetings
from tongxin.points.models import CycleStatus, MonthCycle, MonthlyScore, PointEntry, RuleVersion
from tongxin.points.services import ledger, rules
from tongxin.points.tests.helpers import defaults, give, league_rule, league_set, score

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _rules(db):
    defaults()


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def test_attendance_earns_once_and_a_correction_reverses(tree, users):
    a1, a2 = tree.people.a1, tree.people.a2
    meeting = meetings.plan_meeting(users.secretary_a, organization=tree.branch_a, kind=MeetingKind.LEAGUE_DAY,
                                    starts_at=timezone.now() - datetime.timedelta(hours=1), topic="团日")  # fmt: skip
    meetings.record_meeting(users.secretary_a, meeting, attendance={a1.pk: ("present", ""), a2.pk: ("absent", "无故")})
    month = this_month()
    assert score(a1, month) == Decimal(1)
    assert score(a2, month) == Decimal(-2)
    # the same source offered again (a retried write) changes nothing
    give(a1, meetings.attendance_source(meeting.pk, a1.pk), day=timezone.localdate(meeting.starts_at))
    assert PointEntry.objects.filter(person=a1).count() == 1
    # a corrected record: a2 was on leave after all: the deduction is reversed, nothing new is earned
    meetings.correct_attendance(users.secretary_a, meeting, person=a2, status=AttendanceStatus.LEAVE, reason="请假")
    assert score(a2, month) == 0
    reversal = PointEntry.objects.get(person=a2, reversal_of__isnull=False)
    assert reversal.points == Decimal(2)
    assert reversal.reversal_of is not None and reversal.reversal_of.points == Decimal(-2)
    # and back to present: a new generation of the source earns the point
    meetings.correct_attendance(users.secretary_a, meeting, person=a2, status=AttendanceStatus.PRESENT)
    assert score(a2, month) == Decimal(1)
    assert ledger.recompute_scores() == 0


def test_withdraw_appends_a_reversal_and_is_idempotent(tree):
    a1 = tree.people.a1
    give(a1, "study.participation:1", kind="study.period_done")
    withdraw("study.period_done", source="study.participation:1")
    withdraw("study.period_done", source="study.participation:1")
    assert PointEntry.objects.filter(person=a1).count() == 2
    assert score(a1, this_month()) == 0


def test_the_monthly_cap_cuts(tree):
    a1 = tree.people.a1
    for n in range(6):  # the default cap: 4 meetings a month
        give(a1, f"orglife.attendance:{n}:{a1.pk}")
    assert score(a1, this_month()) == Decimal(4)
    assert PointEntry.objects.filter(person=a1, points=0).count() == 2


def test_volunteer_hours_count_their_quantity(tree):
    a1 = tree.people.a1
    give(a1, "activities.hours:1", kind="activities.volunteer_hours", quantity=3)
    assert score(a1, this_month()) == Decimal("1.5")
    give(a1, "activities.hours:1", kind="activities.volunteer_hours", quantity=4)  # corrected hours: replaced
    assert score(a1, this_month()) == Decimal("2")
    assert ledger.recompute_scores() == 0


def test_an_entry_for_a_locked_month_is_booked_in_the_next_open_one(tree):
    a1 = tree.people.a1
    last = (this_month() - datetime.timedelta(days=1)).replace(day=1)
    MonthCycle.objects.create(organization=tree.branch_a, org_path=tree.branch_a.path, month=last,
                              status=CycleStatus.LOCKED)  # fmt: skip
    give(a1, "late:1", day=last + datetime.timedelta(days=3))
    entry = PointEntry.objects.get(person=a1)
    assert entry.month == this_month() and entry.occurred_on.month == last.month


def test_a_rule_change_is_a_new_version_and_rescores_the_open_months(tree, users):
    a1 = tree.people.a1
    give(a1, "m:1")
    rule = league_rule("meeting")
    version = rules.change_rule(users.district, rule, valid_from=this_month(), points=Decimal(3))
    assert RuleVersion.objects.filter(rule=rule).count() == 2  # the old one untouched
    assert version.points == 3
    assert score(a1, this_month()) == Decimal(3)
    assert PointEntry.objects.filter(person=a1).count() == 3  # old, its reversal, the new one
    assert ledger.recompute_scores() == 0


def test_a_rule_change_back_dated_into_a_locked_month_is_refused(tree, users):
    last = (this_month() - datetime.timedelta(days=1)).replace(day=1)
    MonthCycle.objects.create(organization=tree.branch_a, org_path=tree.branch_a.path, month=last,
                              status=CycleStatus.LOCKED)  # fmt: skip
    rule = league_rule("meeting")
    with pytest.raises(DomainError, match="locked"):
        rules.change_rule(users.district, rule, valid_from=last, points=Decimal(3))
    assert RuleVersion.objects.filter(rule=rule).count() == 1
    rules.change_rule(users.district, rule, valid_from=this_month(), points=Decimal(3))  # from the next month: fine


def test_a_subtree_overrides_and_the_nearest_set_wins(tree, users):
    own = rules.override_rule_set(users.committee_admin, tree.committee1, "league")
    rules.change_rule(users.committee_admin, own.rules.get(key="meeting"), valid_from=this_month(), points=Decimal(2))
    give(tree.people.a1, "m:a")  # committee 1's set
    give(tree.people.c1, "m:c")  # the defaults
    assert score(tree.people.a1, this_month()) == Decimal(2)
    assert score(tree.people.c1, this_month()) == Decimal(1)
    assert league_set().rules.get(key="meeting").versions.count() == 1


def test_only_the_committee_changes_its_rules(tree, users):
    from django.core.exceptions import PermissionDenied

    own = rules.override_rule_set(users.committee_admin, tree.committee1, "league")
    with pytest.raises(PermissionDenied):
        rules.change_rule(users.outsider, own.rules.get(key="meeting"), valid_from=this_month(), points=Decimal(9))
    with pytest.raises(PermissionDenied):
        rules.change_rule(users.committee_admin, league_rule("meeting"), valid_from=this_month(), points=Decimal(9))


def test_the_command_repairs_drifted_rollups(tree, capsys):
    give(tree.people.a1, "m:1")
    MonthlyScore.objects.update(points=99)
    call_command("recompute_points")
    assert "1 monthly score rows differed" in capsys.readouterr().out
    assert score(tree.people.a1, this_month()) == Decimal(1)


def test_a_batch_books_what_one_by_one_would(tree, users):
    """offer_many (a meeting's attendance) and offer one by one give the same ledger, caps included."""
    from tongxin.core.achievements import Achievement, offer, offer_many

    def batch(prefix: str, person) -> list[Achievement]:
        kinds = ["orglife.attended"] * 5 + ["orglife.absent_unexcused", "activities.volunteer_hours"]
        day = timezone.localdate()
        return [
            Achievement(kind, person_id=person.pk, org_path=person.org_path, occurred_on=day, source=f"{prefix}:{n}",
                        quantity=Decimal(n + 1))
            for n, kind in enumerate(kinds)
        ]  # fmt: skip

    offer_many(batch("b", tree.people.a1))
    for achievement in batch("s", tree.people.a2):
        offer(achievement)
    offer_many(batch("b", tree.people.a1))  # again: idempotent
    one = sorted(PointEntry.objects.filter(person=tree.people.a1).values_list("kind", "points", "generation"))
    two = sorted(PointEntry.objects.filter(person=tree.people.a2).values_list("kind", "points", "generation"))
    assert one == two and len(one) == 7
    assert ledger.recompute_scores() == 0


def test_a_bulk_block_books_the_same_and_moves_the_scores_when_it_ends(tree, users):
    """delivered_in_bulk (seed_demo's steps): the batches' entries are written at once, caps included; the
    monthly scores and the dashboards' points move once, when the block ends, to what batch by batch gives; an
    entry written one by one inside the block comes after them; a block that raises moves nothing."""
    from django.db import transaction

    from tongxin.core.achievements import Achievement, delivered_in_bulk, offer, offer_many
    from tongxin.orgs import tallies

    a1, a2, c1 = tree.people.a1, tree.people.a2, tree.people.c1
    day = timezone.localdate()

    def batch(prefix: str, person) -> list[Achievement]:
        kinds = ["orglife.attended"] * 5 + ["orglife.absent_unexcused", "activities.volunteer_hours"]
        return [
            Achievement(kind, person_id=person.pk, org_path=person.org_path, occurred_on=day,
                        source=f"{prefix}:{n}:{person.pk}", quantity=Decimal(n + 1))
            for n, kind in enumerate(kinds)
        ]  # fmt: skip

    offer_many(batch("a", a1))  # outside: scores moved batch by batch
    offer_many(batch("b", a1))
    with delivered_in_bulk():
        offer_many(batch("a", a2))
        assert PointEntry.objects.filter(person=a2).count() == 7  # written, the cap counted
        assert score(a2, this_month()) == 0  # not moved yet
        offer_many(batch("b", a2))
        offer_many(batch("c", c1))
    one = sorted(PointEntry.objects.filter(person=a1).values_list("kind", "points", "generation"))
    two = sorted(PointEntry.objects.filter(person=a2).values_list("kind", "points", "generation"))
    assert one == two and len(one) == 14
    assert score(a2, this_month()) == score(a1, this_month()) != 0
    assert ledger.kept_scores() == ledger.scores_from_ledger()
    assert tallies.kept(["points"]) == tallies.expected(["points"])

    # One by one inside a block (a reversal of a corrected source): the block's moves are written first.
    with delivered_in_bulk():
        offer_many(batch("d", a2))
        offer(Achievement("orglife.attended", person_id=a2.pk, org_path=a2.org_path, occurred_on=day,
                          source=f"a:0:{a2.pk}", quantity=Decimal(2)))  # fmt: skip
        assert ledger.kept_scores() == ledger.scores_from_ledger()
    assert ledger.kept_scores() == ledger.scores_from_ledger()
    assert tallies.kept(["points"]) == tallies.expected(["points"])

    # A block that raises: its transaction rolls back the entries, and the scores it kept are dropped.
    before = (ledger.kept_scores(), PointEntry.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic(), delivered_in_bulk():
        offer_many(batch("e", a2))
        raise RuntimeError("the load failed")
    give(a1, f"f:1:{a1.pk}")  # the next entry moves only its own score
    assert (ledger.kept_scores() == ledger.scores_from_ledger()) and PointEntry.objects.count() == before[1] + 1
