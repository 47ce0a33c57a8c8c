"""The annual review (教育评议) from opening to registration, and every refusal on the way: each names the
rule and writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, Notification
from tongxin.core.rules import clear_cache
from tongxin.core.testing import person_data
from tongxin.lifecycle.models import AnnualReview, ReviewEntry, ReviewStatus
from tongxin.lifecycle.services import review as services
from tongxin.lifecycle.tests.review_helpers import B, E, Q, U, add_members, open_graded, refused, state, this_year
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")


# --- the happy path ----------------------------------------------------------------------------------------


def test_from_opening_to_registration(tree, users):
    today = timezone.localdate()
    add_members(tree.branch_a, 2)  # a1, a2 and two more: 4 members, 1 may be Excellent
    review = services.open_review(users.secretary_a, branch=tree.branch_a, year=this_year())
    assert review.status == ReviewStatus.DRAFT and review.org_path == tree.branch_a.path
    entries = list(ReviewEntry.objects.filter(review=review).order_by("person_id"))
    assert len(entries) == 4 and all(e.grade == "" and e.org_path == tree.branch_a.path for e in entries)

    ids = [e.person_id for e in entries]
    services.grade(users.secretary_a, review, {ids[0]: E, ids[1]: B, ids[2]: U, ids[3]: Q})
    services.submit(users.secretary_a, review, meeting_on=today, members_present=3)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.members_present == 3 and review.meeting_on == today
    # The committee above is told, the secretary who submitted is not.
    told = Notification.objects.filter(url=f"/lifecycle/reviews/{review.pk}/")
    assert set(told.values_list("recipient__username", flat=True)) == {"committee_admin"}

    services.approve(users.committee_admin, review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED and review.approved_by == users.committee_admin
    assert Notification.objects.filter(recipient=users.secretary_a, url=f"/lifecycle/reviews/{review.pk}/").exists()

    done = services.register(users.secretary_a, review, on=today)
    assert (done.registered, done.deferred) == (3, 1)
    by_person = {e.person_id: e for e in ReviewEntry.objects.filter(review=review)}
    assert (
        by_person[ids[0]].registered_on == by_person[ids[1]].registered_on == by_person[ids[3]].registered_on == today
    )
    assert by_person[ids[2]].registered_on is None
    assert by_person[ids[2]].deferred_until == services.add_months(today, 3)
    # Every step left its audit rows in branch A's subtree (the grades and registrations one per member).
    logs = ChangeLog.objects.filter(
        org_path=tree.branch_a.path, content_type__model__in=["annualreview", "reviewentry"]
    )
    assert logs.filter(content_type__model="reviewentry").count() == 8  # 4 grades + 4 registrations
    assert logs.filter(content_type__model="annualreview").count() == 3  # open, submit, approve

    with pytest.raises(DomainError, match="already registered or deferred"):
        services.register(users.secretary_a, review, on=today)


def test_opening_twice_is_refused(tree, users):
    services.open_review(users.secretary_a, branch=tree.branch_a, year=this_year())
    with pytest.raises(DomainError, match="already open"):
        services.open_review(users.committee_admin, branch=tree.branch_a, year=this_year())
    assert AnnualReview.objects.count() == 1 and ReviewEntry.objects.count() == 2


def test_only_active_league_members_are_reviewed(tree, users):
    create_person(None, person_data(tree.branch_a, name="党员甲", political_status="01"))
    review = services.open_review(users.secretary_a, branch=tree.branch_a, year=this_year())
    assert set(review.entries.values_list("person_id", flat=True)) == {tree.people.a1.pk, tree.people.a2.pk}


def test_a_committee_cannot_be_reviewed_nor_a_future_year(tree, users):
    with pytest.raises(DomainError, match="active league branches"):
        services.open_review(users.committee_admin, branch=tree.committee1, year=this_year())
    with pytest.raises(DomainError, match="Choose a year"):
        services.open_review(users.secretary_a, branch=tree.branch_a, year=this_year() + 1)
    assert not AnnualReview.objects.exists()


def test_the_committee_may_return_it_for_changes(tree, users):
    review = open_graded(users.secretary_a, tree.branch_a, [Q, Q])
    services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=2)
    with pytest.raises(DomainError, match="Say why"):
        services.return_for_changes(users.committee_admin, review, reason="  ")
    services.return_for_changes(users.committee_admin, review, reason="请核实优秀人选")
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    note = Notification.objects.get(recipient=users.secretary_a)
    assert "请核实优秀人选" in note.text
    services.grade(users.secretary_a, review, {tree.people.a1.pk: E})  # grading is open again


# --- who may act ---------------------------------------------------------------------------------------------


def test_the_branch_secretary_alone_cannot_approve(tree, users):
    review = open_graded(users.secretary_a, tree.branch_a, [Q, Q])
    services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=2)
    before = state(review)
    with pytest.raises(PermissionDenied):
        services.approve(users.secretary_a, review)
    with pytest.raises(PermissionDenied):
        services.return_for_changes(users.secretary_a, review, reason="自己退回")
    assert state(review) == before
    services.approve(users.district, review)  # any committee above may
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.APPROVED


@pytest.mark.parametrize("who", ["outsider", "secretary_b", "viewer", "member", "nobody"])
def test_outsiders_are_refused_every_step(tree, users, who):
    actor = getattr(users, who)
    with pytest.raises(PermissionDenied):
        services.open_review(actor, branch=tree.branch_a, year=this_year())
    review = services.open_review(users.secretary_a, branch=tree.branch_a, year=this_year())
    before = state(review)
    with pytest.raises(PermissionDenied):
        services.grade(actor, review, {tree.people.a1.pk: Q})
    services.grade(users.secretary_a, review, {tree.people.a1.pk: Q, tree.people.a2.pk: Q})
    with pytest.raises(PermissionDenied):
        services.submit(actor, review, meeting_on=timezone.localdate(), members_present=2)
    services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=2)
    with pytest.raises(PermissionDenied):
        services.approve(actor, review)
    services.approve(users.committee_admin, review)
    before = state(review)
    with pytest.raises(PermissionDenied):
        services.register(actor, review, on=timezone.localdate())
    assert state(review) == before


def test_grading_someone_outside_the_review_is_refused(tree, users):
    review = services.open_review(users.secretary_a, branch=tree.branch_a, year=this_year())
    refused(
        lambda: services.grade(users.secretary_a, review, {tree.people.a1.pk: Q, tree.people.b1.pk: Q}),
        review,
        "not members of this review",
    )
    refused(lambda: services.grade(users.secretary_a, review, {tree.people.a1.pk: "superb"}), review, "not a grade")


# --- the rules of submission ---------------------------------------------------------------------------------


def test_an_ungraded_member_blocks_submission(tree, users):
    review = services.open_review(users.secretary_a, branch=tree.branch_a, year=this_year())
    services.grade(users.secretary_a, review, {tree.people.a1.pk: Q})
    refused(
        lambda: services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=2),
        review,
        "Every member must be graded before the review is submitted: 1 are not graded yet",
    )


def test_excellent_cap_three_of_ten_allowed_four_refused(tree, users):
    add_members(tree.branch_a, 8)  # 10 members
    review = open_graded(users.secretary_a, tree.branch_a, [E, E, E, E, Q, Q, Q, Q, B, U])
    counts = services.review_counts(review)
    assert (counts.members, counts.excellent, counts.excellent_allowed, counts.over_cap) == (10, 4, 3, True)
    refused(
        lambda: services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=10),
        review,
        "At most 30% of the members reviewed may be graded Excellent: 3 of 10 here, but 4 are",
    )

    first = review.entries.filter(grade=E).order_by("person_id")[0]
    services.grade(users.secretary_a, review, {first.person_id: Q})
    services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=10)
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED


def test_the_cap_is_a_rule_the_district_may_change(tree, users):
    from tongxin.core.models import RuleValue

    add_members(tree.branch_a, 8)
    review = open_graded(users.secretary_a, tree.branch_a, [E, E, E, E, Q, Q, Q, Q, B, U])
    RuleValue.objects.create(key="review_excellent_cap", value="0.40")
    clear_cache()
    try:
        assert services.review_counts(review).excellent_allowed == 4
        services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=10)
    finally:
        RuleValue.objects.filter(key="review_excellent_cap").delete()
        clear_cache()  # the rule is also cached in the process for a second


def test_small_branches_round_the_cap_down(db):
    clear_cache()
    assert [services.excellent_allowed(n) for n in (1, 3, 4, 5, 9, 10, 11)] == [0, 0, 1, 1, 2, 3, 3]


def test_attendance_must_be_more_than_two_thirds(tree, users):
    add_members(tree.branch_a, 7)  # 9 members: 6 is exactly two thirds, 7 is more
    review = open_graded(users.secretary_a, tree.branch_a, [Q] * 9)
    today = timezone.localdate()
    refused(
        lambda: services.submit(users.secretary_a, review, meeting_on=today, members_present=6),
        review,
        "More than two thirds of the members must attend the review meeting: at least 7 of 9, but 6 were present",
    )
    refused(
        lambda: services.submit(users.secretary_a, review, meeting_on=today, members_present=10),
        review,
        "10 present is more than the 9 members",
    )
    services.submit(users.secretary_a, review, meeting_on=today, members_present=7)
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED


def test_attendance_thresholds() -> None:
    assert [services.attendance_needed(n) for n in (2, 3, 6, 9, 10, 30)] == [2, 3, 5, 7, 7, 21]


def test_the_meeting_cannot_be_in_the_future(tree, users):
    review = open_graded(users.secretary_a, tree.branch_a, [Q, Q])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused(
        lambda: services.submit(users.secretary_a, review, meeting_on=tomorrow, members_present=2),
        review,
        "cannot be in the future",
    )
    last_year = datetime.date(this_year() - 1, 12, 31)
    refused(
        lambda: services.submit(users.secretary_a, review, meeting_on=last_year, members_present=2),
        review,
        "cannot be before that year",
    )


def test_grading_after_submission_is_refused_and_told(tree, users):
    review = open_graded(users.secretary_a, tree.branch_a, [Q, Q])
    services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=2)
    refused(
        lambda: services.grade(users.secretary_a, review, {tree.people.a1.pk: E}),
        review,
        "This review is already “Submitted for approval”",
    )
    refused(lambda: services.register(users.secretary_a, review, on=timezone.localdate()), review, "already")


def test_the_inbox_counts_reviews_to_grade_and_to_approve(tree, users):
    from tongxin.core.inbox import pending_for

    def line(user, label):
        return {str(item.label): item.count for item in pending_for(user)}.get(label, 0)

    review = services.open_review(users.secretary_a, branch=tree.branch_a, year=this_year())
    assert line(users.secretary_a, "Annual reviews to grade") == 1
    assert line(users.committee_admin, "Annual reviews to grade") == 0
    services.grade(users.secretary_a, review, {tree.people.a1.pk: Q, tree.people.a2.pk: Q})
    services.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=2)
    assert line(users.secretary_a, "Annual reviews to grade") == 0
    assert line(users.secretary_a, "Annual reviews to approve") == 0
    assert line(users.committee_admin, "Annual reviews to approve") == 1
    assert line(users.district, "Annual reviews to approve") == 1
    assert line(users.outsider, "Annual reviews to approve") == 0
