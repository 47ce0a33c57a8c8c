"""Moving or dissolving while someone adds a member (real concurrent connections, PostgreSQL only).

A member is added under a lock on their branch; moving a subtree locks the whole subtree and dissolving
locks the organisation, and both read the counts only after their locks, so neither works on stale counts.
"""

import threading

import pytest
from django.core.management import call_command
from django.db import transaction

from tongxin.core.exceptions import DomainError
from tongxin.core.testing import in_thread, person_data
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization, move_organization, update_organization
from tongxin.people.models import Person
from tongxin.people.services import create_person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only(reason="needs row locks across connections"),
]


def _add_and_hold(branch, holding: threading.Event, release: threading.Event):
    def work():
        with transaction.atomic():
            person = create_person(None, person_data(branch, name="并发新人"))
            holding.set()
            release.wait(10)
            return person

    return work


def test_a_move_waits_for_a_member_being_added_and_counts_stay_right(tree, rollups):
    holding, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}
    adder = in_thread(_add_and_hold(tree.branch_a, holding, release), results, "add")
    assert holding.wait(10)
    mover = in_thread(lambda: move_organization(None, tree.committee1, tree.committee2), results, "move")
    mover.join(0.5)
    assert mover.is_alive(), "the move must wait for the branch the member is being added to"
    release.set()
    adder.join(10)
    mover.join(10)
    assert not isinstance(results["add"], Exception), results["add"]
    assert not isinstance(results["move"], Exception), results["move"]
    person = Person.objects.get(name="并发新人")
    assert person.org_path.startswith(tree.committee2.path)  # moved with its branch
    incremental = rollups()
    call_command("rebuild_rollups")
    assert rollups() == incremental


def test_dissolving_waits_for_a_member_being_added_and_then_refuses(tree):
    empty = create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name="空团支部", code="T1E")
    holding, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}
    adder = in_thread(_add_and_hold(empty, holding, release), results, "add")
    assert holding.wait(10)
    dissolver = in_thread(lambda: update_organization(None, empty, status="dissolved"), results, "dissolve")
    dissolver.join(0.5)
    assert dissolver.is_alive()
    release.set()
    adder.join(10)
    dissolver.join(10)
    assert isinstance(results["dissolve"], DomainError)
    empty.refresh_from_db()
    assert empty.status == "active"
    assert Person.objects.filter(branch=empty, status="active").count() == 1
