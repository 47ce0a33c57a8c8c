"""A subtree that moves takes its study roll-ups along (orgs.moves): the periods' rows of the old ancestors no longer
count it, the new ones do, and every row equals a recount from the roster and the participations."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tongxin.orgs.moves import registered
from tongxin.orgs.services import move_organization
from tongxin.study import services
from tongxin.study.models import PeriodStats
from tongxin.study.tests.helpers import open_period, right_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def take_part(user, period):
    user.person.refresh_from_db()  # his branch's path, as a new request reads it
    attempt = services.start_attempt(user, period)
    return services.submit_attempt(user, attempt, answers=right_answers(attempt), token=attempt.token)


def row(period, org) -> tuple[int, int]:
    stats = PeriodStats.objects.filter(period=period, organization=org).first()
    return (stats.members, stats.participants) if stats else (0, 0)


def rate(period, org) -> float | None:
    members, participants = row(period, org)
    return participants / members if members else None


def test_the_study_app_listens_to_moves():
    assert "study" in registered()


def test_a_branch_moving_within_the_campaign_takes_its_rows_to_the_new_committee(tree, users):
    period = open_period(tree)  # the district's campaign: both committees are in it
    take_part(users.member, period)  # a2, of branch A under committee 1
    assert row(period, tree.committee1) == (3, 1) and row(period, tree.committee2) == (2, 0)

    move_organization(users.district, tree.branch_a, tree.committee2)

    assert row(period, tree.committee1) == (1, 0)  # b1 alone is left
    assert row(period, tree.committee2) == (4, 1)  # c1, d1, a1 and a2, who took part
    assert row(period, tree.root) == (5, 1)
    assert row(period, tree.branch_a) == (2, 1)
    assert rate(period, tree.committee1) == 0 and rate(period, tree.committee2) == 0.25
    assert services.kept_stats(period) == services.expected_stats(period)
    # The drill-down from committee 2 shows branch A among its children, with its participant.
    from tongxin.study.queries import drill_down

    tree.committee2.refresh_from_db()
    _own, children = drill_down(period, tree.committee2)
    assert {r.organization.pk: (r.members, r.participants) for r in children}[tree.branch_a.pk] == (2, 1)


def test_a_closed_period_moves_with_the_branch_too(tree, users):
    period = open_period(tree)
    take_part(users.member, period)
    type(period).objects.filter(pk=period.pk).update(closes_at=timezone.now())  # the period is over
    move_organization(users.district, tree.branch_a, tree.committee2)
    assert row(period, tree.committee1) == (1, 0) and row(period, tree.committee2) == (4, 1)
    assert services.kept_stats(period) == services.expected_stats(period)


def test_moving_back_and_forth_keeps_every_row_equal_to_a_recount(tree, users):
    period = open_period(tree)
    take_part(users.member, period)
    before = services.kept_stats(period)
    move_organization(users.district, tree.branch_a, tree.committee2)
    move_organization(users.district, tree.committee2, tree.committee1)  # committee 2 and branch A under committee 1
    assert services.kept_stats(period) == services.expected_stats(period)
    assert row(period, tree.committee1) == (5, 1)
    move_organization(users.district, tree.committee2, tree.root)
    move_organization(users.district, tree.branch_a, tree.committee1)
    assert services.kept_stats(period) == before == services.expected_stats(period)


def test_a_branch_leaving_a_committee_campaign_for_another(tree, users):
    """Committee 1 and committee 2 each run a campaign: branch A leaves the first (its rows go, committee 1 no
    longer counts it) and joins the second, whose open period counts its members from now on."""
    first = open_period(tree, org=tree.committee1)
    take_part(users.member, first)
    second = open_period(tree, org=tree.committee2)
    assert row(second, tree.committee2) == (2, 0)

    move_organization(users.district, tree.branch_a, tree.committee2)

    assert row(first, tree.committee1) == (1, 0)
    assert not PeriodStats.objects.filter(period=first, organization=tree.branch_a).exists()
    assert row(second, tree.committee2) == (4, 0)
    assert row(second, tree.branch_a) == (2, 0)
    for period in (first, second):
        assert services.kept_stats(period) == services.expected_stats(period)
    # a2 may take part in committee 2's open period now, and the rows count him where he is.
    take_part(users.member, second)
    assert row(second, tree.committee2) == (4, 1) and row(second, tree.branch_a) == (2, 1)
    assert services.kept_stats(second) == services.expected_stats(second)


def test_a_closed_period_of_the_campaign_it_joins_does_not_count_it(tree, users):
    """A period that closed before the branch joined keeps the members it had: the branch was never asked."""
    closed = open_period(tree, org=tree.committee2, opens_in=-48, closes_in=-24)
    before = services.kept_stats(closed)
    move_organization(users.district, tree.branch_a, tree.committee2)
    assert services.kept_stats(closed) == before
    assert row(closed, tree.committee2) == (2, 0)


def test_a_campaign_inside_the_moved_subtree_moves_with_it(tree, users):
    period = open_period(tree, org=tree.committee1)
    take_part(users.member, period)
    before = services.kept_stats(period)
    move_organization(users.district, tree.committee1, tree.committee2)
    assert services.kept_stats(period) == before == services.expected_stats(period)
    period.refresh_from_db()
    tree.committee1.refresh_from_db()
    assert period.org_path == tree.committee1.path


def test_the_recount_is_not_vacuous(tree, users):
    """expected_stats reads the records: a row changed by hand no longer matches it."""
    period = open_period(tree)
    take_part(users.member, period)
    assert services.kept_stats(period) == services.expected_stats(period)
    PeriodStats.objects.filter(period=period, organization=tree.committee1).update(participants=0)
    assert services.kept_stats(period) != services.expected_stats(period)


def test_a_withdrawn_period_counts_nobody_after_a_move(tree, users):
    campaign = services.create_campaign(None, organization=tree.root, title="将停止的学习")
    later = open_period(tree, campaign=campaign, opens_in=24, closes_in=48)
    services.deactivate_campaign(users.district, campaign)
    move_organization(users.district, tree.branch_a, tree.committee2)
    assert row(later, tree.committee2) == (0, 0)
    assert services.kept_stats(later) == services.expected_stats(later)
    assert later.opens_at > timezone.now() + datetime.timedelta(hours=23)
