"""A party recommendation (推优入党) from the branch's proposal to the party's decision, and each eligibility rule
refused with its rule named and nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, Notification, RuleValue
from tongxin.core.rules import clear_cache
from tongxin.core.testing import person_data, today, years_ago
from tongxin.lifecycle.models import PartyRecommendation, RecommendationStatus
from tongxin.lifecycle.services import recommendation as services
from tongxin.lifecycle.tests import recommendation_helpers as h
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization
from tongxin.people.models import Person
from tongxin.people.services import create_person, update_person

pytestmark = pytest.mark.usefixtures("english")


def test_a_recommendation_runs_to_admission(tree, users, branch_of_five):
    rec = h.to_status(tree, users, RecommendationStatus.HANDED_OVER)
    assert rec.party_org == tree.party_branch  # paired with the root committee, the nearest pairing above

    rec = services.record_outcome(users.district, rec, admitted=True, on=h.DECIDED)

    assert rec.status == RecommendationStatus.ADMITTED and rec.outcome_on == h.DECIDED
    a1 = Person.objects.get(pk=tree.people.a1.pk)
    assert a1.political_status == "02" and a1.party_join_date == h.DECIDED
    assert set(rec.actors) == {"propose", "record_vote", "approve", "hand_over", "record_outcome"}
    trail = ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(PartyRecommendation),
        object_id=str(rec.pk),
        org_path=tree.branch_a.path,
    )
    assert trail.count() == 5


def test_not_admitted_leaves_the_member_as_they_were(tree, users, branch_of_five):
    rec = services.record_outcome(
        users.committee_admin, h.to_status(tree, users, RecommendationStatus.HANDED_OVER), admitted=False, on=h.DECIDED
    )
    assert rec.status == RecommendationStatus.NOT_ADMITTED
    assert Person.objects.get(pk=tree.people.a1.pk).political_status == "03"


def test_the_committee_is_asked_to_approve_and_sees_it_in_the_inbox(tree, users, branch_of_five):
    rec = h.propose(users, tree.people.a1)
    Notification.objects.all().delete()
    services.record_vote(users.secretary_a, rec, on=h.MEETING, voters_expected=5, votes_for=3, votes_against=0)

    assert list(Notification.objects.values_list("recipient", flat=True)) == [users.committee_admin.pk]
    from tongxin.accounts.models import User

    items = services.pending_recommendations(User.objects.get(pk=users.committee_admin.pk))
    assert [(str(i.label), i.count) for i in items] == [("Party recommendations to approve", 1)]
    assert services.pending_recommendations(User.objects.get(pk=users.secretary_a.pk))[0].count == 0


def test_a_pairing_on_the_branch_itself_comes_first(tree, users, branch_of_five):
    own = create_organization(None, parent=tree.root, kind=OrgKind.PARTY_BRANCH, name="甲党支部", code="TPA")
    tree.branch_a.paired_org = own
    tree.branch_a.save()
    rec = h.to_status(tree, users, RecommendationStatus.HANDED_OVER)
    assert rec.party_org == own


# --- eligibility, each rule named --------------------------------------------------------------------------------


def test_under_18_is_refused(tree, users, row_counts, branch_of_five):
    young = create_person(
        None, person_data(tree.branch_a, name="甲少", birth=years_ago(17), league_join_date=years_ago(3))
    )
    h.refused(
        row_counts, lambda: h.propose(users, young), "recommended to the Party from age 18 (推优入党); 甲少 is 17"
    )


def test_less_than_a_year_in_the_league_is_refused(tree, users, row_counts, branch_of_five):
    update_person(
        None,
        tree.people.a1,
        {
            "league_join_date": today() - datetime.timedelta(days=200),
            "league_number": f"{(today() - datetime.timedelta(days=200)).year}00000077",
        },
    )
    h.refused(row_counts, lambda: h.propose(users, tree.people.a1), "at least 1 year(s) in the League (推优入党)")


def test_a_party_application_less_than_six_months_old_is_refused(tree, users, row_counts, branch_of_five):
    recent = today() - datetime.timedelta(days=100)
    h.refused(
        row_counts,
        lambda: h.propose(users, tree.people.a1, on=recent),
        "The party application is filed at least 6 months before the recommendation (推优入党)",
    )
    h.refused(row_counts, lambda: h.propose(users, tree.people.a1, on=today() + datetime.timedelta(days=1)), "future")


def test_only_active_league_members_are_recommended(tree, users, row_counts, branch_of_five):
    update_person(None, tree.people.a1, {"political_status": "13"})
    h.refused(row_counts, lambda: h.propose(users, tree.people.a1), "is not an active League member")


def test_the_eligibility_rules_are_configurable(tree, users, branch_of_five):
    RuleValue.objects.create(key="recommendation_min_age", value=21)
    clear_cache()
    with pytest.raises(DomainError, match="from age 21"):
        h.propose(users, tree.people.a1)


def test_the_branch_quota_is_20_percent_of_its_members(tree, users, row_counts, branch_of_five):
    h.propose(users, tree.people.a1)
    h.refused(
        row_counts,
        lambda: h.propose(users, tree.people.a2),
        "A branch recommends at most 20% of its active members to the Party a year (推优入党): 甲团支部 has 5 "
        "members, so 1 places, and 1 are taken this year.",
    )


def test_a_withdrawn_recommendation_frees_its_place(tree, users, branch_of_five):
    services.withdraw(users.secretary_a, h.propose(users, tree.people.a1))
    assert h.propose(users, tree.people.a2).status == RecommendationStatus.PROPOSED


def test_a_small_branch_has_no_place_until_the_quota_allows(tree, users, row_counts):
    h.refused(row_counts, lambda: h.propose(users, tree.people.a1), "has 2 members, so 0 places")
    RuleValue.objects.create(key="recommendation_branch_quota", value="0.50")
    clear_cache()
    assert h.propose(users, tree.people.a1).status == RecommendationStatus.PROPOSED


def test_a_second_open_recommendation_is_refused(tree, users, row_counts, branch_of_five):
    RuleValue.objects.create(key="recommendation_branch_quota", value="1")
    clear_cache()
    h.propose(users, tree.people.a1)
    h.refused(row_counts, lambda: h.propose(users, tree.people.a1), "already has a recommendation in progress")


# --- the ballot and the steps --------------------------------------------------------------------------------------


def test_the_ballot_needs_more_than_half_of_the_expected_voters(tree, users, row_counts, branch_of_five):
    rec = h.propose(users, tree.people.a1)

    def ballot(**kwargs):
        data = {"on": h.MEETING, "voters_expected": 6, "votes_for": 3, "votes_against": 0, **kwargs}
        return lambda: services.record_vote(users.secretary_a, rec, **data)

    h.refused(
        row_counts,
        ballot(),
        "More than half of the 6 expected voters must vote in favour in the secret ballot (推优入党): 3 is not enough.",
    )
    h.refused(row_counts, ballot(votes_for=5, votes_against=2), "The numbers do not add up: 5 for and 2 against")
    h.refused(row_counts, ballot(voters_expected=0), "how many members were expected")
    h.refused(row_counts, ballot(on=today() + datetime.timedelta(days=1)), "in the future")
    assert (
        services.record_vote(users.secretary_a, rec, on=today(), voters_expected=6, votes_for=4, votes_against=0).status
        == RecommendationStatus.VOTED
    )


def test_steps_out_of_order_and_by_the_wrong_side_are_refused(tree, users, row_counts, branch_of_five):
    rec = h.propose(users, tree.people.a1)
    h.refused(
        row_counts,
        lambda: services.approve(users.committee_admin, rec, on=today()),
        "This recommendation is “Proposed”: the next step is “Branch general meeting ballot”",
    )
    rec = services.record_vote(users.secretary_a, rec, on=h.MEETING, voters_expected=5, votes_for=3, votes_against=0)
    h.forbidden(row_counts, lambda: services.approve(users.secretary_a, rec, on=h.APPROVED))
    for intruder in (users.outsider, users.secretary_b, users.member, users.nobody):
        h.forbidden(row_counts, lambda intruder=intruder: services.approve(intruder, rec, on=h.APPROVED))
        h.forbidden(
            row_counts,
            lambda intruder=intruder: services.propose(intruder, person=tree.people.a2, party_application_on=h.APPLIED),
        )
    h.refused(
        row_counts,
        lambda: services.approve(users.committee_admin, rec, on=h.MEETING - datetime.timedelta(days=1)),
        "cannot be dated before the previous one",
    )


def test_the_hand_over_goes_to_the_paired_party_organisation_only(tree, users, row_counts, branch_of_five):
    rec = h.to_status(tree, users, RecommendationStatus.APPROVED)
    other = create_organization(None, parent=tree.root, kind=OrgKind.PARTY_BRANCH, name="别的党支部", code="TPX")
    h.refused(
        row_counts,
        lambda: services.hand_over(users.committee_admin, rec, party_org=other, on=h.HANDED),
        "goes to 机关党支部, the party organisation paired with 甲团支部",
    )
    tree.party_branch.paired_org = None
    tree.party_branch.save()
    h.refused(
        row_counts,
        lambda: services.hand_over(users.committee_admin, rec, on=h.HANDED),
        "No party organisation is paired with 甲团支部",
    )


def test_the_outcome_is_recorded_by_the_party_side_or_the_committee_only(tree, users, row_counts, branch_of_five):
    rec = h.to_status(tree, users, RecommendationStatus.HANDED_OVER)
    for intruder in (users.secretary_a, users.outsider, users.nobody):
        h.forbidden(
            row_counts, lambda intruder=intruder: services.record_outcome(intruder, rec, admitted=True, on=h.DECIDED)
        )
    h.refused(row_counts, lambda: services.withdraw(users.secretary_a, rec), "can no longer be withdrawn")
