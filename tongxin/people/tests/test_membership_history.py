"""A person's stays in branches: moving through ``update_person`` closes the old stay and opens a new
one, and ``roster_on(org, day)`` answers who belonged to a subtree on a past day."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tongxin.core.testing import person_data
from tongxin.people.models import Membership
from tongxin.people.queries import roster_on
from tongxin.people.services import create_person, update_person
from tongxin.people.tests.helpers import current_data, form_data

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def today():
    """Today in the deployment's time zone, read when the test starts: a module constant would be
    yesterday once a run crosses midnight in Asia/Shanghai (16:00 UTC)."""
    return timezone.localdate()


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


@pytest.fixture
def mover(tree):
    return create_person(None, person_data(tree.branch_a, name="钟迁"), since=datetime.date(2022, 3, 1))


def test_moving_closes_the_old_stay_and_opens_a_new_one(tree, users, mover, today):
    update_person(users.committee_admin, mover, {"branch": tree.branch_b}, reason=Membership.Reason.TRANSFER)

    old, new = Membership.objects.filter(person=mover).order_by("start", "id")
    assert (old.organization, old.start, old.end) == (tree.branch_a, datetime.date(2022, 3, 1), today)
    assert (old.start_reason, old.end_reason) == ("registered", "transfer")
    assert (new.organization, new.start, new.end) == (tree.branch_b, today, None)
    assert new.start_reason == "transfer"
    assert new.org_path == tree.branch_b.path
    mover.refresh_from_db()
    assert (mover.branch, mover.org_path) == (tree.branch_b, tree.branch_b.path)


def test_editing_other_fields_keeps_the_stay_open(tree, users, mover):
    update_person(users.committee_admin, mover, {"phone": "13800138000", "education": "30"})

    (stay,) = Membership.objects.filter(person=mover)
    assert (stay.organization, stay.end) == (tree.branch_a, None)


def test_moving_on_the_edit_page_records_the_history(tree, users, client_for, mover, today):
    client = client_for(users.committee_admin)
    response = client.post(f"/people/{mover.pk}/edit/", form_data({**current_data(mover), "branch": tree.branch_b}))

    assert response.status_code == 302
    assert list(Membership.objects.filter(person=mover).order_by("start").values_list("organization", "end")) == [
        (tree.branch_a.pk, today),
        (tree.branch_b.pk, None),
    ]
    page = client.get(f"/people/{mover.pk}/").content.decode()
    assert tree.branch_a.name in page and tree.branch_b.name in page


def test_roster_on_answers_before_and_after_a_move(tree, mover, today):
    yesterday = today - datetime.timedelta(days=1)
    update_person(None, mover, {"branch": tree.branch_c})

    # Before the move (and since 2022-03-01) the person was in branch A and committee 1.
    for day in (datetime.date(2022, 3, 1), datetime.date(2024, 1, 1), yesterday):
        assert "钟迁" in names(roster_on(tree.branch_a, day)), day
        assert "钟迁" in names(roster_on(tree.committee1, day)), day
        assert "钟迁" not in names(roster_on(tree.branch_c, day)), day
        assert "钟迁" not in names(roster_on(tree.committee2, day)), day
    # Not before joining.
    assert "钟迁" not in names(roster_on(tree.root, datetime.date(2022, 2, 28)))
    # From the day of the move, in branch C only.
    assert "钟迁" not in names(roster_on(tree.branch_a, today))
    assert "钟迁" not in names(roster_on(tree.committee1, today))
    assert "钟迁" in names(roster_on(tree.branch_c, today))
    assert "钟迁" in names(roster_on(tree.committee2, today))
    # The district counts them once either way.
    assert list(roster_on(tree.root, yesterday).values_list("name", flat=True)).count("钟迁") == 1
    assert list(roster_on(tree.root, today).values_list("name", flat=True)).count("钟迁") == 1


def test_roster_on_a_past_day_with_several_moves(tree, today):
    """Three stays with dates in the past: A (2020–2021), B (2021–2023), C (since 2023)."""
    person = create_person(None, person_data(tree.branch_a, name="钟三迁"), since=datetime.date(2020, 9, 1))
    update_person(None, person, {"branch": tree.branch_b})
    update_person(None, person, {"branch": tree.branch_c})
    first, second, third = Membership.objects.filter(person=person).order_by("start", "id")
    Membership.objects.filter(pk=first.pk).update(end=datetime.date(2021, 7, 1))
    Membership.objects.filter(pk=second.pk).update(start=datetime.date(2021, 7, 1), end=datetime.date(2023, 1, 15))
    Membership.objects.filter(pk=third.pk).update(start=datetime.date(2023, 1, 15))

    expected = {
        datetime.date(2020, 8, 31): set(),
        datetime.date(2020, 9, 1): {tree.branch_a},
        datetime.date(2021, 6, 30): {tree.branch_a},
        datetime.date(2021, 7, 1): {tree.branch_b},
        datetime.date(2023, 1, 14): {tree.branch_b},
        datetime.date(2023, 1, 15): {tree.branch_c},
        today: {tree.branch_c},
    }
    branches = [tree.branch_a, tree.branch_b, tree.branch_c, tree.branch_d]
    for day, where in expected.items():
        found = {b for b in branches if "钟三迁" in names(roster_on(b, day))}
        assert found == where, day
    # The others registered today were not there in the past.
    assert names(roster_on(tree.root, datetime.date(2022, 1, 1))) == {"钟三迁"}
    assert names(roster_on(tree.committee1, today)) == {"张甲一", "李甲二", "王乙一"}


def test_leaving_ends_the_stay_and_rejoining_opens_a_new_one(tree, mover, today):
    yesterday = today - datetime.timedelta(days=1)
    update_person(None, mover, {"status": "left"}, reason=Membership.Reason.LEFT)

    (stay,) = Membership.objects.filter(person=mover)
    assert (stay.organization, stay.end, stay.end_reason) == (tree.branch_a, today, "left")
    assert "钟迁" in names(roster_on(tree.branch_a, yesterday))
    assert "钟迁" not in names(roster_on(tree.branch_a, today))
    assert "钟迁" not in names(roster_on(tree.root, today))

    # Other corrections to a former member open nothing.
    update_person(None, mover, {"education": "30"})
    assert Membership.objects.filter(person=mover).count() == 1

    update_person(None, mover, {"status": "active"})
    assert list(Membership.objects.filter(person=mover).order_by("start", "id").values_list("start", "end")) == [
        (datetime.date(2022, 3, 1), today),
        (today, None),
    ]
    assert "钟迁" in names(roster_on(tree.branch_a, today))


def test_registering_a_former_member_opens_no_stay(tree, today):
    person = create_person(None, person_data(tree.branch_b, name="钟旧", status="left"))

    assert not Membership.objects.filter(person=person).exists()
    assert "钟旧" not in names(roster_on(tree.branch_b, today))


@pytest.mark.parametrize(
    ("status", "end_reason"),
    [("left", "left"), ("aged_out", "aged_out"), ("transferred_out", "transfer"), ("deceased", "correction")],
)
def test_leaving_on_the_edit_form_ends_the_stay_with_the_status_reason(tree, users, client_for, mover, today, status,
                                                                       end_reason):  # fmt: skip
    """The edit form passes no reason: the new status gives it (a death keeps the form's own, "correction")."""
    client = client_for(users.committee_admin)
    response = client.post(f"/people/{mover.pk}/edit/", form_data({**current_data(mover), "status": status}))

    assert response.status_code == 302
    (stay,) = Membership.objects.filter(person=mover)
    assert (stay.end, stay.end_reason) == (today, end_reason)


def test_a_former_member_edited_to_another_former_status_keeps_the_first_reason(tree, mover, today):
    update_person(None, mover, {"status": "left"})
    update_person(None, mover, {"status": "deceased"})

    (stay,) = Membership.objects.filter(person=mover)
    assert (stay.end, stay.end_reason) == (today, "left")
