"""Two members moved at once in different parts of the tree (real concurrent connections, PostgreSQL only).

Each move changes two chains of roll-up rows (the old branch and its ancestors, then the new branch and its
ancestors). An UPDATE locks its rows in scan order, so two moves could each hold a row the other needs
next: a deadlock, answered with a 500 (the short soak test hit deadlocks in these moves).
``adjust_member_counts_many`` first locks every row it changes in path order, ancestors first, so both moves
take the root's row first and one simply waits for the other.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tongxin.core.testing import in_thread
from tongxin.orgs.models import OrgStats
from tongxin.orgs.services import adjust_member_counts, check_member_branch
from tongxin.people.models import CadrePosition

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
]


def test_two_opposite_moves_at_once_wait_for_each_other_instead_of_deadlocking(tree, rollups):
    """(The counters are moved by hand here, not through the roster: the deltas are what is compared.)"""
    # Rewrite the root's row last, so its live version lies after branch A's in the table: a sequential scan
    # then meets A before the root.
    for org in (tree.branch_a, tree.committee1, tree.root):
        OrgStats.objects.filter(pk=org.pk).update(members_total=F("members_total"))
    holding, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first():  # d1 from branch D to branch A: D's chain now, A's chain after the other has started
        with transaction.atomic():
            adjust_member_counts(tree.branch_d.path, -1)
            holding.set()
            release.wait(10)
            adjust_member_counts(tree.branch_a.path, +1)
        return "moved"

    def second():  # a1 from branch A to branch B
        with transaction.atomic():
            with connection.cursor() as cursor:  # what the planner picks on a small table
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
            adjust_member_counts(tree.branch_a.path, -1)
            adjust_member_counts(tree.branch_b.path, +1)
        return "moved"

    one = in_thread(first, results, "first")
    assert holding.wait(10)
    two = in_thread(second, results, "second")
    two.join(0.5)  # the second reaches its first lock wait
    release.set()
    one.join(20)
    two.join(20)

    assert results == {"first": "moved", "second": "moved"}
    counts = rollups()
    assert (counts[tree.branch_a.pk][0], counts[tree.branch_b.pk][0], counts[tree.branch_d.pk][0]) == (2, 2, 0)


def test_a_branch_being_joined_does_not_block_the_commit_of_a_move_out_of_it(tree, rollups):
    """Someone joining branch D locks D's row, then waits for the roll-ups; meanwhile a transfer out of D holds
    the roll-ups and, committing, checks its references to D (PostgreSQL checks Django's deferred foreign keys
    then, under FOR KEY SHARE). The branch lock is FOR NO KEY UPDATE, which that check does not wait for; a
    FOR UPDATE lock deadlocked here (found by the soak run)."""
    holding, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def joining():  # a member added to or moved into D
        with transaction.atomic():
            check_member_branch(tree.branch_d)
            holding.set()
            release.wait(10)
            adjust_member_counts(tree.branch_d.path, +1)
        return "joined"

    def leaving():  # a transfer out of D: the roll-ups, then a row referencing D, then the commit
        with transaction.atomic():
            adjust_member_counts(tree.branch_d.path, -1)
            CadrePosition.objects.create(
                person=tree.people.d1, organization=tree.branch_d, org_path=tree.branch_d.path, title="member",
                start=timezone.localdate(),
            )  # fmt: skip
        return "left"

    one = in_thread(joining, results, "joining")
    assert holding.wait(10)
    two = in_thread(leaving, results, "leaving")
    two.join(3)  # commits while the branch is locked
    release.set()
    one.join(20)
    two.join(20)

    assert results == {"joining": "joined", "leaving": "left"}
    assert rollups()[tree.branch_d.pk][0] == 1
