"""Two approvals at once (real concurrent connections, PostgreSQL only): the applicant joins the roster once
and the other approver is told; two different recruitments approved at once get different member numbers."""

from __future__ import annotations

import pytest

from tongxin.core.exceptions import DomainError
from tongxin.core.testing import race
from tongxin.lifecycle.models import Recruitment, RecruitmentStage
from tongxin.lifecycle.services import recruitment as services
from tongxin.lifecycle.tests.recruitment_helpers import APPROVED, MEETING, PRECHECKED, application, to_stage, vote
from tongxin.orgs.tests.helpers import assert_rollups_exact
from tongxin.people.models import Membership, Person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
    pytest.mark.usefixtures("english"),
]


def test_two_approvals_of_the_same_recruitment_create_one_person(tree, users, rollups):
    r = to_stage(tree, users, RecruitmentStage.VOTED)

    results = race(
        lambda: services.approve(users.committee_admin, r, on=APPROVED),
        lambda: services.approve(users.district, r, on=APPROVED),
    )

    winners = [x for x in results if isinstance(x, Recruitment)]
    losers = [x for x in results if isinstance(x, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "at the stage “Approved by the committee”" in " ".join(losers[0].messages)
    assert Person.objects.with_id_number(r.id_number).count() == 1
    assert Membership.objects.filter(person__id_hash=r.id_hash).count() == 1
    assert Recruitment.objects.get(pk=r.pk).person_id == winners[0].person_id
    assert_rollups_exact(rollups)


def test_two_recruitments_approved_at_once_get_different_numbers(tree, users):
    first = to_stage(tree, users, RecruitmentStage.VOTED)
    second = application(tree, users.secretary_a, name="李新")
    second = services.name_activist(users.secretary_a, second, on=first.activist_on or MEETING)
    second = services.record_training(users.secretary_a, second, hours=8)
    second = services.choose_candidate(users.secretary_a, second, on=first.candidate_on or MEETING)
    second = services.precheck(users.committee_admin, second, on=PRECHECKED)
    second = vote(tree, users, second)()

    results = race(
        lambda: services.approve(users.committee_admin, first, on=APPROVED),
        lambda: services.approve(users.district, second, on=APPROVED),
    )

    assert all(isinstance(x, Recruitment) for x in results), results
    numbers = {x.league_number for x in results}
    assert len(numbers) == 2 and all(n.startswith(str(MEETING.year)) for n in numbers)
    assert Person.objects.filter(league_number__in=numbers).count() == 2
