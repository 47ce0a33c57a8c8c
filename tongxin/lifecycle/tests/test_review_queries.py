"""Bulk writes cost the same queries for 3 members as for 30, and the progress table's numbers come from a
fixed number of aggregate queries, right at every level of the tree."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongxin.core.rules import clear_cache
from tongxin.lifecycle.models import AnnualReview, ReviewEntry
from tongxin.lifecycle.services import review as services
from tongxin.lifecycle.tests.review_helpers import B, E, Q, U, add_members, open_graded, this_year
from tongxin.orgs.models import Organization

pytestmark = pytest.mark.usefixtures("english")


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def by_code(data: services.Progress) -> dict[str, services.ProgressRow]:
    return {row.org.code: row for row in data.rows if row.org is not None}


def steps(users, branch, year: int) -> dict[str, int]:
    """Queries of open, grade (everyone), submit, approve and register of ``branch``'s review."""
    counts: dict[str, int] = {}
    holder: dict[str, AnnualReview] = {}
    counts["open"] = queries_of(
        lambda: holder.update(review=services.open_review(users.committee_admin, branch=branch, year=year))
    )
    review = holder["review"]
    ids = list(ReviewEntry.objects.filter(review=review).order_by("person_id").values_list("person_id", flat=True))
    grades = {pid: (U if i == 0 else B if i == 1 else Q) for i, pid in enumerate(ids)}
    counts["grade"] = queries_of(lambda: services.grade(users.committee_admin, review, grades))
    counts["submit"] = queries_of(
        lambda: services.submit(
            users.committee_admin, review, meeting_on=timezone.localdate(), members_present=len(ids)
        )
    )
    counts["approve"] = queries_of(lambda: services.approve(users.district, review))
    counts["register"] = queries_of(lambda: services.register(users.committee_admin, review, on=timezone.localdate()))
    return counts


def test_three_and_thirty_members_cost_the_same_queries(tree, users):
    add_members(tree.branch_a, 1)  # 3 members
    add_members(tree.branch_b, 29)  # 30 members
    clear_cache()  # rules are cached in the process for a second: from here on they come from the shared cache
    steps(users, tree.branch_a, this_year() - 1)  # warms the caches: content types, rules, the users' scopes
    small, large = steps(users, tree.branch_a, this_year()), steps(users, tree.branch_b, this_year())
    assert ReviewEntry.objects.filter(review__branch=tree.branch_b).exclude(registered_on=None).count() == 29
    assert small == large, (small, large)


def test_progress_numbers_at_each_level(tree, users):
    add_members(tree.branch_a, 2)  # branch A: 4 members
    add_members(tree.branch_c, 3)  # branch C: 4 members
    # Branch A: approved and registered (3 registered, 1 deferred).
    a = open_graded(users.secretary_a, tree.branch_a, [E, Q, B, U])
    services.submit(users.secretary_a, a, meeting_on=timezone.localdate(), members_present=4)
    services.approve(users.committee_admin, a)
    services.register(users.secretary_a, a, on=timezone.localdate())
    # Branch C: graded, submitted. Branch D: opened, one member ungraded. Branch B: nothing.
    c = open_graded(users.outsider, tree.branch_c, [Q, Q, Q, Q])
    services.submit(users.outsider, c, meeting_on=timezone.localdate(), members_present=4)
    services.open_review(users.outsider, branch=tree.branch_d, year=this_year())
    # Another year's review does not count.
    services.open_review(users.secretary_b, branch=tree.branch_b, year=this_year() - 1)

    services.progress(users.district, tree.root, this_year())  # the user's scope is read once, then cached
    with CaptureQueriesContext(connection) as ctx:
        root = services.progress(users.district, tree.root, this_year())
    assert len(ctx.captured_queries) == 4, [q["sql"] for q in ctx.captured_queries]
    rows = by_code(root)
    assert set(rows) == {"T1", "T2"}  # league children only: the party branch is not reviewed
    c1, c2 = rows["T1"], rows["T2"]
    fields = ("members", "branches", "reviews", "graded", "submitted", "approved", "reviewed", "registered", "deferred")
    assert [getattr(c1, f) for f in fields] == [5, 2, 1, 1, 1, 1, 4, 3, 1]
    assert [getattr(c2, f) for f in fields] == [5, 2, 2, 1, 1, 0, 5, 0, 0]
    assert c1.percent == "60.0%" and c2.percent == "0.0%"
    assert [getattr(root.total, f) for f in fields] == [10, 4, 3, 2, 2, 1, 9, 3, 1]

    committee1 = services.progress(users.committee_admin, tree.committee1, this_year())
    inside = by_code(committee1)
    assert (inside["T1A"].registered, inside["T1A"].members, inside["T1B"].reviews) == (3, 4, 0)
    assert inside["T1A"].rate == 0.75

    # The query count does not grow with the tree: more branches, same queries.
    for i in range(5):
        from tongxin.orgs.services import create_organization

        create_organization(None, parent=tree.committee2, kind="branch", name=f"新支部{i}", code=f"TN{i}")
    with CaptureQueriesContext(connection) as ctx2:
        again = services.progress(users.district, tree.root, this_year())
    assert len(ctx2.captured_queries) == len(ctx.captured_queries)
    assert by_code(again)["T2"].branches == 7


def test_progress_outside_the_scope_is_refused(tree, users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.progress(users.outsider, Organization.objects.get(pk=tree.committee1.pk), this_year())
