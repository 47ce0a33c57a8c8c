"""Every recruitment rule refused with the rule named, and nothing written (团员发展工作细则)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tongxin.core.exceptions import DomainError
from tongxin.core.models import RuleValue
from tongxin.core.rules import clear_cache
from tongxin.core.testing import make_id_number, person_data, refused_unchanged, today, years_ago
from tongxin.lifecycle.models import Recruitment, RecruitmentStage
from tongxin.lifecycle.services import recruitment as services
from tongxin.lifecycle.tests.recruitment_helpers import (
    ACTIVIST,
    APPLIED,
    APPROVED,
    CANDIDATE,
    OATH,
    PRECHECKED,
    application,
    counts,
    to_stage,
    vote,
)
from tongxin.people.services import create_person, update_person

pytestmark = pytest.mark.usefixtures("english")


def refused(row_counts, call, message, error=DomainError):
    """``call()`` is refused with ``message`` in its text and writes nothing."""
    return refused_unchanged(lambda: counts(row_counts), call, message, error)


def forbidden(row_counts, call):
    """``call()`` is refused with PermissionDenied and writes nothing."""
    refused(row_counts, call, "", error=PermissionDenied)


def unchanged(r: Recruitment) -> tuple:
    fresh = Recruitment.objects.get(pk=r.pk)
    return fresh.stage, fresh.actors, fresh.updated_at


# --- the application -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "ok"), [(13, False), (14, True), (28, True), (29, False)])
def test_the_applicant_is_14_to_28_on_the_application_date(tree, users, row_counts, age, ok):
    birth = years_ago(age, days=10)  # had their birthday ten days ago
    if ok:
        assert application(tree, users.secretary_a, birth=birth, applied_on=today()).stage == "applied"
    else:
        refused(
            row_counts,
            lambda: application(tree, users.secretary_a, birth=birth, applied_on=today()),
            f"Joining the League is open from age 14 to 28 (团章); the applicant is {age}",
        )


def test_the_age_limits_are_rules(tree, users, row_counts):
    RuleValue.objects.create(key="league_join_min_age", value=16)
    clear_cache()
    refused(
        row_counts,
        lambda: application(tree, users.secretary_a, birth=years_ago(15), applied_on=today()),
        "open from age 16 to 28",
    )


def test_a_bad_id_number_or_phone_or_a_future_date_is_refused(tree, users, row_counts):
    def bad(**kwargs):
        data = {
            "branch": tree.branch_a,
            "name": "王新",
            "id_number": make_id_number(years_ago(17)),
            "applied_on": today(),
            **kwargs,
        }
        return lambda: services.apply(users.secretary_a, **data)

    refused(row_counts, bad(id_number="53011220080101001X"), "check character")
    refused(row_counts, bad(id_number="123"), "18 characters")
    refused(row_counts, bad(phone="12345"), "phone number is malformed")
    refused(row_counts, bad(applied_on=today() + datetime.timedelta(days=1)), "is in the future")
    refused(row_counts, bad(name="  "), "name is required")
    refused(row_counts, bad(branch=tree.committee1), "made to a League branch")


def test_an_active_member_on_the_roster_cannot_apply(tree, users, row_counts):
    a1 = tree.people.a1
    refused(
        row_counts,
        lambda: services.apply(
            users.secretary_a, branch=tree.branch_a, name=a1.name, id_number=a1.id_number, applied_on=today()
        ),
        "is already a member",
    )


def test_a_second_open_recruitment_for_the_same_person_is_refused(tree, users, row_counts):
    r = application(tree, users.secretary_a)
    # The committee above both branches sees the first application: it is told where it is.
    refused(
        row_counts,
        lambda: services.apply(
            users.committee_admin, branch=tree.branch_b, name="王新", id_number=r.id_number, applied_on=today()
        ),
        "already has a recruitment in progress in 甲团支部",
    )
    # Branch B's secretary does not see branch A's applications: no organisation is named (no oracle).
    exc = refused(
        row_counts,
        lambda: services.apply(
            users.secretary_b, branch=tree.branch_b, name="王新", id_number=r.id_number, applied_on=today()
        ),
        "already has a recruitment in progress in another organisation",
    )
    assert "甲团支部" not in " ".join(exc.messages)


def test_the_open_recruitment_constraint_holds_without_the_check(tree, users, row_counts, monkeypatch):
    """Two applications racing past the check: the partial unique index refuses the second."""
    r = application(tree, users.secretary_a)
    real_lookup = Recruitment.objects.with_id_number

    def blind_lookup(number):  # the check before the insert finds no open application
        return real_lookup(number).filter(pk=-1)

    monkeypatch.setattr(Recruitment.objects, "with_id_number", blind_lookup)
    refused(
        row_counts,
        lambda: services.apply(
            users.secretary_a, branch=tree.branch_a, name="王新", id_number=r.id_number, applied_on=today()
        ),
        "already has a recruitment in progress",
    )


def test_an_outsider_or_a_sibling_branch_cannot_apply_here(tree, users, row_counts):
    for intruder in (users.outsider, users.secretary_b, users.viewer, users.member, users.nobody):
        forbidden(row_counts, lambda intruder=intruder: application(tree, intruder))


# --- order and dates ---------------------------------------------------------------------------------------


def test_a_step_out_of_order_names_the_step_the_record_is_at(tree, users, row_counts):
    r = application(tree, users.secretary_a)
    state = unchanged(r)
    error = refused(
        row_counts,
        lambda: services.choose_candidate(users.secretary_a, r, on=CANDIDATE),
        "at the stage “Application received”: the next step is “Name the activist”",
    )
    assert "not “Choose the candidate”" in " ".join(error.messages)
    refused(row_counts, lambda: services.approve(users.committee_admin, r, on=today()), "the next step is “Name")
    refused(
        row_counts,
        lambda: services.record_training(users.secretary_a, r, hours=8),
        "while the applicant is an activist",
    )
    assert unchanged(r) == state


def test_a_step_twice_is_refused(tree, users, row_counts):
    r = to_stage(tree, users, RecruitmentStage.ACTIVIST)
    refused(row_counts, lambda: services.name_activist(users.secretary_a, r, on=ACTIVIST), "at the stage “Activist”")


def test_a_closed_recruitment_takes_no_step(tree, users, row_counts):
    r = to_stage(tree, users, RecruitmentStage.SWORN)
    refused(row_counts, lambda: services.record_oath(users.secretary_a, r, on=today()), "This recruitment is closed")
    refused(row_counts, lambda: services.withdraw(users.secretary_a, r, reason="x"), "closed")


def test_a_date_in_the_future_or_before_the_previous_step_is_refused(tree, users, row_counts):
    r = application(tree, users.secretary_a)
    refused(
        row_counts,
        lambda: services.name_activist(users.secretary_a, r, on=today() + datetime.timedelta(days=1)),
        "is in the future",
    )
    refused(
        row_counts,
        lambda: services.name_activist(users.secretary_a, r, on=APPLIED - datetime.timedelta(days=1)),
        f"cannot be dated before the previous one (application, {APPLIED.isoformat()})",
    )


def test_the_oath_is_not_before_the_approval(tree, users, row_counts):
    r = to_stage(tree, users, RecruitmentStage.APPROVED)
    refused(
        row_counts,
        lambda: services.record_oath(users.secretary_a, r, on=APPROVED - datetime.timedelta(days=1)),
        "cannot be dated before the previous one",
    )
    assert services.record_oath(users.secretary_a, r, on=APPROVED).stage == RecruitmentStage.SWORN
    assert OATH > APPROVED


# --- training --------------------------------------------------------------------------------------------


def test_a_candidate_is_chosen_no_earlier_than_three_months_after_being_named_activist(tree, users, row_counts):
    r = services.record_training(users.secretary_a, to_stage(tree, users, RecruitmentStage.ACTIVIST), hours=8)
    earliest = services.add_months(ACTIVIST, 3)
    too_early = earliest - datetime.timedelta(days=1)
    refused(
        row_counts,
        lambda: services.choose_candidate(users.secretary_a, r, on=too_early),
        "A candidate is chosen at least 3 months after being named activist (团员发展工作细则); "
        f"the earliest date is {earliest.isoformat()}.",
    )
    assert services.choose_candidate(users.secretary_a, r, on=earliest).stage == RecruitmentStage.CANDIDATE


def test_training_hours_short_are_refused(tree, users, row_counts):
    r = services.record_training(users.secretary_a, to_stage(tree, users, RecruitmentStage.ACTIVIST), hours="7.5")
    refused(
        row_counts,
        lambda: services.choose_candidate(users.secretary_a, r, on=CANDIDATE),
        "at least 8 class hours of League lessons before becoming a candidate (团员发展工作细则); 7.5 are recorded",
    )
    refused(row_counts, lambda: services.record_training(users.secretary_a, r, hours=-1), "from 0 to 999.9")
    refused(row_counts, lambda: services.record_training(users.secretary_a, r, hours="八"), "as a number")


def test_the_training_rules_are_configurable(tree, users):
    RuleValue.objects.create(key="recruitment_training_months", value=1)
    RuleValue.objects.create(key="recruitment_training_hours", value=4)
    clear_cache()
    r = services.record_training(users.secretary_a, to_stage(tree, users, RecruitmentStage.ACTIVIST), hours=4)
    on = services.add_months(ACTIVIST, 1)
    assert services.choose_candidate(users.secretary_a, r, on=on).candidate_on == on


# --- who may act -----------------------------------------------------------------------------------------------


def test_a_branch_secretary_cannot_precheck_or_approve(tree, users, row_counts):
    r = to_stage(tree, users, RecruitmentStage.CANDIDATE)
    forbidden(row_counts, lambda: services.precheck(users.secretary_a, r, on=PRECHECKED))
    r = services.precheck(users.committee_admin, r, on=PRECHECKED)
    r = vote(tree, users, r)()
    forbidden(row_counts, lambda: services.approve(users.secretary_a, r, on=APPROVED))
    assert r.person_id is None and Recruitment.objects.get(pk=r.pk).stage == RecruitmentStage.VOTED


def test_outsiders_take_no_step(tree, users, row_counts):
    r = application(tree, users.secretary_a)
    for intruder in (users.outsider, users.secretary_b, users.viewer, users.member, users.nobody):
        forbidden(row_counts, lambda intruder=intruder: services.name_activist(intruder, r, on=ACTIVIST))
        forbidden(row_counts, lambda intruder=intruder: services.withdraw(intruder, r, reason="越权"))
    candidate = to_stage(tree, users, RecruitmentStage.CANDIDATE)
    forbidden(row_counts, lambda: services.precheck(users.outsider, candidate, on=PRECHECKED))


# --- the branch general meeting ----------------------------------------------------------------------------------


@pytest.fixture
def voting(tree, users):
    """A pre-checked recruitment in branch A, which has five members (a1, a2 and three more)."""
    for name in ("甲三", "甲四", "甲五"):
        create_person(None, person_data(tree.branch_a, name=name))
    return to_stage(tree, users, RecruitmentStage.PRECHECKED)


def test_more_than_half_of_the_members_must_be_present(tree, users, row_counts, voting):
    refused(
        row_counts,
        vote(tree, users, voting, present=2, votes_for=2),
        "More than half of the branch's 5 members must be present at the general meeting (团员发展工作细则); 2 were.",
    )
    assert vote(tree, users, voting, present=3, votes_for=2, votes_against=1)().members_expected == 5


def test_more_than_half_of_those_present_must_vote_for(tree, users, row_counts, voting):
    refused(
        row_counts,
        vote(tree, users, voting, present=4, votes_for=2, votes_against=1),
        "More than half of those present must vote in favour (团员发展工作细则): 2 of 4 is not enough.",
    )


def test_numbers_that_do_not_add_up_are_refused(tree, users, row_counts, voting):
    refused(
        row_counts,
        vote(tree, users, voting, present=4, votes_for=3, votes_against=2),
        "The numbers do not add up: 3 for and 2 against are more than the 4 present.",
    )
    refused(row_counts, vote(tree, users, voting, present=6, votes_for=6), "The numbers do not add up: 6 present")
    refused(row_counts, vote(tree, users, voting, present=-1), "0 or more")


def test_the_sponsors_are_two_active_league_members_of_the_branch(tree, users, row_counts, voting):
    a1, a2, b1 = tree.people.a1, tree.people.a2, tree.people.b1
    refused(
        row_counts,
        vote(tree, users, voting, sponsors=(a1, b1)),
        "王乙一 cannot sponsor: sponsors are active League members of 甲团支部",
    )
    refused(row_counts, vote(tree, users, voting, sponsors=(a1, a1)), "two different members")
    refused(row_counts, vote(tree, users, voting, sponsors=(a1,)), "Two League members sponsor the applicant")
    update_person(None, a2, {"political_status": "13"})
    refused(row_counts, vote(tree, users, voting, sponsors=(a1, a2)), "李甲二 cannot sponsor")


def test_the_meeting_is_not_before_the_precheck(tree, users, row_counts, voting):
    refused(
        row_counts,
        vote(tree, users, voting, on=PRECHECKED - datetime.timedelta(days=1)),
        "cannot be dated before the previous one (committee pre-check",
    )


def test_an_approval_is_refused_when_the_id_number_was_registered_meanwhile(tree, users, row_counts):
    r = to_stage(tree, users, RecruitmentStage.VOTED)
    create_person(None, person_data(tree.branch_b, name="王新", id_number=r.id_number, birth=r.birth_date))
    refused(row_counts, lambda: services.approve(users.committee_admin, r, on=APPROVED), "ID number is already")
    assert Recruitment.objects.get(pk=r.pk).stage == RecruitmentStage.VOTED


def test_after_approval_the_recruitment_cannot_be_withdrawn(tree, users, row_counts):
    r = to_stage(tree, users, RecruitmentStage.APPROVED)
    refused(row_counts, lambda: services.withdraw(users.secretary_a, r, reason="撤回"), "can no longer be withdrawn")
    other = application(tree, users.secretary_a, name="李四")
    refused(row_counts, lambda: services.withdraw(users.secretary_a, other, reason="  "), "Say why")
