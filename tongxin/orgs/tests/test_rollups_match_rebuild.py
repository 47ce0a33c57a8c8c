"""The roll-up counts kept by the services equal what ``manage.py rebuild_rollups`` computes from the roster."""

from __future__ import annotations

import random

import pytest

from tongxin.core.testing import person_data
from tongxin.orgs.models import Organization, OrgKind, OrgStats, OrgStatus
from tongxin.orgs.services import create_organization, move_organization, update_organization
from tongxin.orgs.tests.helpers import assert_rollups_exact, rebuilt
from tongxin.people.models import MembershipStatus, Person
from tongxin.people.services import create_person, update_person


def test_rebuild_repairs_a_corrupted_counter(tree, rollups):
    """The comparison below means something: the command does recompute from the roster."""
    good = rollups()
    OrgStats.objects.filter(pk=tree.committee1.pk).update(members_total=99, children_count=7)
    OrgStats.objects.filter(pk=tree.branch_a.pk).update(members_direct=0)
    assert rollups() != good
    assert rebuilt(rollups) == good


def test_fixture_tree_counts(tree, rollups):
    stats = rollups()
    assert stats[tree.root.pk] == (0, 5, 3)
    assert stats[tree.committee1.pk] == (0, 3, 2)
    assert stats[tree.branch_a.pk] == (2, 2, 0)
    assert stats[tree.party_branch.pk] == (0, 0, 0)
    assert_rollups_exact(rollups)


def test_a_sequence_of_roster_changes_keeps_counts_exact(tree, users, rollups):
    actor = users.district
    people = tree.people
    # New members, one of them in the party branch.
    e1 = create_person(users.secretary_a, person_data(tree.branch_a, name="新甲三"))
    create_person(actor, person_data(tree.party_branch, name="党员一", political_status="01"))
    assert_rollups_exact(rollups)
    # A plain edit changes no count.
    update_person(users.secretary_a, e1, {"name": "新甲叁", "phone": "13900001111"})
    assert_rollups_exact(rollups)
    # Change of branch within a committee and across committees.
    update_person(users.committee_admin, people.a1, {"branch": tree.branch_b})
    update_person(actor, people.b1, {"branch": tree.branch_c})
    assert rollups()[tree.committee1.pk][1] == 3  # a2, e1, a1 (b1 left for committee 2)
    assert_rollups_exact(rollups)
    # Leaving: counted no more; changing the branch of someone who left moves no count.
    update_person(users.secretary_a, people.a2, {"status": MembershipStatus.LEFT})
    assert rollups()[tree.branch_a.pk][0] == 1
    update_person(actor, people.a2, {"branch": tree.branch_d})
    assert_rollups_exact(rollups)
    # Coming back counts again, in the branch the person is now in.
    update_person(actor, people.a2, {"status": MembershipStatus.ACTIVE})
    assert rollups()[tree.branch_d.pk][0] == 2
    assert_rollups_exact(rollups)
    # Other end states.
    update_person(actor, people.c1, {"status": MembershipStatus.AGED_OUT})
    update_person(actor, people.d1, {"status": MembershipStatus.TRANSFERRED_OUT})
    assert_rollups_exact(rollups)
    # Tree changes on top: a new committee, a branch moved under it, an emptied branch dissolved.
    c3 = create_organization(actor, parent=tree.root, kind=OrgKind.COMMITTEE, name="第三团委", code="T3")
    move_organization(actor, tree.branch_b, c3)
    assert_rollups_exact(rollups)
    update_person(actor, e1, {"branch": tree.branch_b})
    empty_first = Person.objects.filter(branch=tree.branch_a, status=MembershipStatus.ACTIVE).count()
    assert empty_first == 0
    update_organization(actor, tree.branch_a, status=OrgStatus.DISSOLVED)
    assert_rollups_exact(rollups)
    stats = rollups()
    assert stats[tree.committee1.pk] == (0, 0, 0)
    assert stats[c3.pk] == (0, 2, 1)
    assert stats[tree.root.pk][1] == Person.objects.active().count()


def test_dissolved_organisations_are_not_counted_as_children(tree, users, rollups):
    dissolved = create_organization(
        None, parent=tree.committee1, kind=OrgKind.BRANCH, name="已撤销支部", code="D1", status=OrgStatus.DISSOLVED
    )
    assert rollups()[tree.committee1.pk][2] == 2
    assert_rollups_exact(rollups)
    update_organization(users.district, dissolved, status=OrgStatus.ACTIVE)
    assert rollups()[tree.committee1.pk][2] == 3
    assert_rollups_exact(rollups)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_work_on_a_demo_like_tree_keeps_counts_exact(db, rollups, seed):
    """A small district (committees, a working committee, general branches, branches) under random work."""
    rng = random.Random(seed)
    codes = iter(range(1000, 9999))

    def org(parent, kind, name):
        return create_organization(None, parent=parent, kind=kind, name=name, code=f"R{next(codes)}")

    root = org(None, OrgKind.LOCAL_COMMITTEE, "共青团演示区委员会")
    committees = [org(root, OrgKind.COMMITTEE, f"团委{i}") for i in range(3)]
    committees.append(org(committees[0], OrgKind.WORKING_COMMITTEE, "团工委"))
    generals = [org(rng.choice(committees), OrgKind.GENERAL_BRANCH, f"团总支{i}") for i in range(3)]
    branches = [org(rng.choice(committees + generals), OrgKind.BRANCH, f"团支部{i}") for i in range(10)]
    people = [create_person(None, person_data(rng.choice(branches), name=f"成员{i}")) for i in range(40)]
    assert_rollups_exact(rollups)

    statuses = [MembershipStatus.ACTIVE, MembershipStatus.LEFT, MembershipStatus.AGED_OUT]
    for step in range(60):
        action = rng.choice(["create", "branch", "status", "move", "edit"])
        if action == "create":
            people.append(create_person(None, person_data(rng.choice(branches), name=f"新成员{step}")))
        elif action == "branch":
            update_person(None, rng.choice(people), {"branch": rng.choice(branches)})
        elif action == "status":
            update_person(None, rng.choice(people), {"status": rng.choice(statuses)})
        elif action == "edit":
            update_person(None, rng.choice(people), {"phone": f"138{rng.randrange(10**8):08d}"})
        else:
            mover = rng.choice(branches + generals)
            targets = [c for c in committees if not c.path.startswith(mover.path)]
            if mover.kind == OrgKind.BRANCH:
                targets += generals
            move_organization(None, mover, rng.choice(targets))
            # Keep the in-memory copies current: later moves read their paths.
            for group in (committees, generals, branches):
                for i, item in enumerate(group):
                    group[i] = Organization.objects.get(pk=item.pk)
        if step % 15 == 14:
            assert_rollups_exact(rollups)
    assert_rollups_exact(rollups)
    assert rollups()[root.pk][1] == Person.objects.active().count() > 0
