"""Lapse (自行脱团): league members with neither league dues nor a meeting attended for 6 months are listed,
in one query whatever their number; outsiders see nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tongxin.core.testing import person_data
from tongxin.lifecycle.models import DuesPayment
from tongxin.orglife.lapse import lapse_candidates, months_before
from tongxin.orglife.models import Attendance, Meeting
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")

TODAY = timezone.localdate()


def _member(branch, name, **extra):
    return create_person(None, person_data(branch, name=name, **extra))  # joined the League 4 years ago


def _paid(person, months_ago):
    month = months_before(TODAY, months_ago).replace(day=1)
    DuesPayment.objects.create(person=person, kind="league", month=month, amount="0.20", paid_on=month,
                               org_path=person.org_path)  # fmt: skip


def _attended(person, months_ago, status="present", meeting_status="held"):
    day = months_before(TODAY, months_ago)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))
    meeting = Meeting.objects.create(organization=person.branch, org_path=person.org_path, kind="league_day",
                                     status=meeting_status, starts_at=starts, topic="主题团日")  # fmt: skip
    Attendance.objects.create(meeting=meeting, person=person, org_path=person.org_path, status=status)


@pytest.fixture
def members(tree):
    paid = _member(tree.branch_a, "近期缴费")
    _paid(paid, 5)
    attended = _member(tree.branch_a, "近期参会")
    _attended(attended, 3)
    silent = _member(tree.branch_a, "长期失联")
    old = _member(tree.branch_b, "半年以上")
    _paid(old, 7)
    _attended(old, 8)
    absent = _member(tree.branch_b, "请假未到")
    _attended(absent, 1, status="absent")  # not present: does not count
    _attended(absent, 1, meeting_status="planned")  # not held: does not count
    new = _member(tree.branch_a, "新入团", league_join_date=TODAY - datetime.timedelta(days=30))
    party = _member(tree.branch_a, "党员", political_status="01")
    return {"paid": paid, "attended": attended, "silent": silent, "old": old, "absent": absent, "new": new,
            "party": party}  # fmt: skip


def _names(qs):
    return {p.name for p in qs}


def test_members_without_dues_or_meetings_for_six_months_are_listed(tree, users, members):
    listed = _names(lapse_candidates(users.committee_admin, tree.committee1, today=TODAY))
    assert {"长期失联", "半年以上", "请假未到"} <= listed
    assert not listed & {"近期缴费", "近期参会", "新入团", "党员"}
    # the fixture's own members (a1, a2, b1) have never paid nor attended either
    assert {tree.people.a1.name, tree.people.b1.name} <= listed


def test_the_rule_sets_the_number_of_months(tree, users, members):
    from tongxin.core.models import RuleValue
    from tongxin.core.rules import clear_cache

    RuleValue.objects.create(key="lapse_months", value=4)
    clear_cache()
    try:
        listed = _names(lapse_candidates(users.committee_admin, tree.committee1, today=TODAY))
    finally:
        RuleValue.objects.all().delete()
        clear_cache()
    assert "近期缴费" in listed and "近期参会" not in listed


def test_the_scope_limits_the_list(tree, users, members):
    assert _names(lapse_candidates(users.secretary_a, None, today=TODAY)) >= {"长期失联"}
    assert "半年以上" not in _names(lapse_candidates(users.secretary_a, None, today=TODAY))
    assert not _names(lapse_candidates(users.outsider, None, today=TODAY)) & {"长期失联", "半年以上"}


@pytest.mark.parametrize("count", [3, 30])
def test_one_query_whatever_the_number_of_members(tree, users, count):
    for i in range(count):
        person = _member(tree.branch_c, f"成员{i}")
        if i % 3 == 0:
            _paid(person, 8)
        if i % 3 == 1:
            _attended(person, 9)
    users.outsider.get_scope()
    lapse_candidates(users.outsider, None, today=TODAY).count()  # the rule read once (cached)
    with CaptureQueriesContext(connection) as queries:
        listed = list(lapse_candidates(users.outsider, tree.committee2, today=TODAY))
    assert len(queries) == 1
    assert len([p for p in listed if p.name.startswith("成员")]) == count


def test_the_page_lists_members_per_branch_for_the_branch_to_decide(tree, users, members, client_for, api_for):
    page = client_for(users.committee_admin).get(reverse("orglife:lapse")).content.decode()
    assert "长期失联" in page and "近期缴费" not in page
    assert reverse("people:detail", args=[members["silent"].pk]) in page
    assert "higher committee approves" in page
    outsider = client_for(users.outsider)
    assert outsider.get(reverse("orglife:lapse") + f"?org={tree.committee1.pk}").status_code == 404
    assert "长期失联" not in outsider.get(reverse("orglife:lapse")).content.decode()
    assert client_for(users.nobody).get(reverse("orglife:lapse")).status_code == 404

    rows = api_for(users.committee_admin).get("/api/lapses/").json()["results"]
    assert "长期失联" in {r["name"] for r in rows} and "近期缴费" not in {r["name"] for r in rows}
    detail = api_for(users.committee_admin).get(f"/api/lapses/{members['paid'].pk}/").json()
    assert detail["listed"] is False and detail["last_dues_month"]
    assert api_for(users.outsider).get(f"/api/lapses/{members['silent'].pk}/").status_code == 404
