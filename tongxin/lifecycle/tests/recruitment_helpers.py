"""Helpers shared by the recruitment tests: the dates of the steps, an application, a recruitment brought
to a stage, the row counts."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tongxin.core.models import Notification
from tongxin.core.testing import advance, make_id_number, years_ago
from tongxin.lifecycle.models import Recruitment, RecruitmentStage
from tongxin.lifecycle.services import recruitment as services

# The steps' dates: far enough back that the whole way fits before today (read once, at import: when a
# run crosses midnight they are a day further back, which changes nothing). Tests that need today itself
# call ``today()``.
APPLIED = timezone.localdate() - datetime.timedelta(days=300)
ACTIVIST = APPLIED + datetime.timedelta(days=10)
CANDIDATE = services.add_months(ACTIVIST, 3) + datetime.timedelta(days=5)
PRECHECKED = CANDIDATE + datetime.timedelta(days=7)
MEETING = PRECHECKED + datetime.timedelta(days=7)
APPROVED = MEETING + datetime.timedelta(days=7)
OATH = APPROVED + datetime.timedelta(days=3)


def application(tree, actor, *, birth=None, name="王新", **kwargs):
    return services.apply(
        actor,
        branch=kwargs.pop("branch", tree.branch_a),
        name=name,
        id_number=make_id_number(birth or years_ago(17)),
        phone="13900001111",
        applied_on=kwargs.pop("applied_on", APPLIED),
        **kwargs,
    )


def vote(tree, users, r, **kwargs):
    """``record_vote`` by branch A's secretary, ready to call: a1 and a2 sponsoring, 2 present, 2 for."""
    data = {
        "on": MEETING,
        "sponsors": (tree.people.a1, tree.people.a2),
        "present": 2,
        "votes_for": 2,
        "votes_against": 0,
        **kwargs,
    }
    return lambda: services.record_vote(users.secretary_a, r, **data)


def to_stage(tree, users, stage: str) -> Recruitment:
    """A recruitment in branch A brought to ``stage`` by the right people, with the usual dates."""
    r = application(tree, users.secretary_a)
    steps = [
        (RecruitmentStage.ACTIVIST, lambda r: services.name_activist(users.secretary_a, r, on=ACTIVIST)),
        (
            RecruitmentStage.CANDIDATE,
            lambda r: services.choose_candidate(
                users.secretary_a, services.record_training(users.secretary_a, r, hours=8), on=CANDIDATE
            ),
        ),
        (RecruitmentStage.PRECHECKED, lambda r: services.precheck(users.committee_admin, r, on=PRECHECKED)),
        (
            RecruitmentStage.VOTED,
            lambda r: vote(tree, users, r)(),
        ),
        (RecruitmentStage.APPROVED, lambda r: services.approve(users.committee_admin, r, on=APPROVED)),
        (RecruitmentStage.SWORN, lambda r: services.record_oath(users.secretary_a, r, on=OATH)),
    ]
    return advance(r, steps, stage, "stage")


def counts(row_counts):
    """The shared row counts plus the recruitment and notification tables."""
    return {**row_counts(), "Recruitment": Recruitment.objects.count(), "Notification": Notification.objects.count()}
