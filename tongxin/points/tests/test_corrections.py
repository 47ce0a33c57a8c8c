"""Corrections of a locked month (a reversing or adjusting entry with a reason, by another person than the member:
four eyes), the objections API, and the member's history of months; pages scoped, bad input writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tongxin.core.models import ChangeLog
from tongxin.core.testing import refused_unchanged
from tongxin.points.models import CORRECTION, CycleStatus, MonthCycle, MonthlyScore, Objection, PointEntry
from tongxin.points.services import cycle, ledger
from tongxin.points.tests.helpers import defaults, give, score

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _rules(db):
    defaults()


def counts():
    return (PointEntry.objects.count(), Objection.objects.count(), ChangeLog.objects.count(),
            list(MonthlyScore.objects.order_by("pk").values_list("points", flat=True)))  # fmt: skip


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def last_month() -> datetime.date:
    return (this_month() - datetime.timedelta(days=1)).replace(day=1)


def locked_entry(tree, person=None) -> PointEntry:
    person = person or tree.people.a1
    give(person, f"m:{person.pk}", day=last_month() + datetime.timedelta(days=2))
    MonthCycle.objects.get_or_create(
        organization=tree.branch_a,
        month=last_month(),
        defaults={"org_path": tree.branch_a.path, "status": CycleStatus.LOCKED},
    )
    return PointEntry.objects.get(person=person)


def test_an_adjusting_correction_of_a_locked_month(tree, users, selves):
    entry = locked_entry(tree)
    refused_unchanged(counts, lambda: cycle.correct_entry(selves.secretary, entry, reason="补记", points=Decimal(2)),
                      "another person")  # fmt: skip
    refused_unchanged(counts, lambda: cycle.correct_entry(users.secretary_a, entry, reason="补记", points=Decimal(0)),
                      "not 0")  # fmt: skip
    refused_unchanged(counts, lambda: cycle.correct_entry(users.secretary_a, entry, reason="补记",
                                                          points=Decimal("0.001")), "two decimal")  # fmt: skip
    refused_unchanged(counts, lambda: cycle.correct_entry(users.secretary_a, entry, reason=" ", points=Decimal(1)),
                      "reason")  # fmt: skip
    refused_unchanged(counts, lambda: cycle.correct_entry(users.secretary_b, entry, reason="补记", points=Decimal(1)),
                      "", PermissionDenied)  # fmt: skip
    adjusting = cycle.correct_entry(users.secretary_a, entry, reason="漏记一次志愿服务", points=Decimal("1.5"))
    assert (adjusting.kind, adjusting.points, adjusting.month) == (CORRECTION, Decimal("1.5"), this_month())
    assert score(tree.people.a1, this_month()) == Decimal("1.5") and score(tree.people.a1, last_month()) == 1
    assert ledger.kept_scores() == ledger.scores_from_ledger()
    assert ChangeLog.objects.filter(content_type__model="pointentry", object_id=str(adjusting.pk)).exists()
    second = cycle.correct_entry(users.secretary_a, entry, reason="再扣除", points=Decimal(-1))
    assert second.source != adjusting.source and score(tree.people.a1, this_month()) == Decimal("0.5")


def test_an_open_month_is_not_corrected_here(tree, users):
    give(tree.people.a1, "m:1")
    entry = PointEntry.objects.get(person=tree.people.a1)
    refused_unchanged(counts, lambda: cycle.correct_entry(users.secretary_a, entry, reason="错"), "Only a locked month")


def test_the_correction_page(tree, users, selves, client_for):
    entry = locked_entry(tree)
    url = reverse("points:entry_correct", args=[entry.pk])
    branch = reverse("points:branch", args=[tree.branch_a.pk]) + f"?month={last_month():%Y-%m}"
    assert url in client_for(users.secretary_a).get(branch).content.decode()
    assert client_for(users.outsider).get(url).status_code == 404
    assert client_for(users.member).get(url).status_code == 404
    assert client_for(users.secretary_b).get(url).status_code == 404
    before = counts()
    own = client_for(selves.secretary).post(url, {"how": "reverse", "reason": "更正"})
    assert own.status_code == 400 and "another person" in own.content.decode() and counts() == before
    secretary = client_for(users.secretary_a)
    assert secretary.post(url, {"how": "adjust", "reason": "补记"}).status_code == 400 and counts() == before
    assert secretary.post(url, {"how": "reverse", "reason": "出勤记录有误"}).status_code == 302
    assert score(tree.people.a1, this_month()) == -1
    again = secretary.post(url, {"how": "reverse", "reason": "出勤记录有误"})
    assert again.status_code == 400 and "already reversed" in again.content.decode()


def test_the_correction_api(tree, users, api_for):
    entry = locked_entry(tree)
    url = f"/api/point-entries/{entry.pk}/correct/"
    assert api_for(users.outsider).post(url, {"reason": "x"}, format="json").status_code == 404
    assert api_for(users.member).post(url, {"reason": "x"}, format="json").status_code in (403, 404)
    before = counts()
    assert api_for(users.secretary_a).post(url, {"reason": ""}, format="json").status_code == 400
    assert api_for(users.secretary_a).post(url, {"reason": "补", "points": "abc"}, format="json").status_code == 400
    assert counts() == before
    done = api_for(users.secretary_a).post(url, {"reason": "补记", "points": "2"}, format="json")
    assert done.status_code == 200 and done.json()["kind"] == CORRECTION and done.json()["points"] == "2.00"


def test_objections_through_the_api(tree, users, api_for):
    last = last_month()
    published = cycle.publish_month(None, cycle.open_cycle(None, tree.branch_a, last))
    member = api_for(users.member)
    before = counts()
    assert member.post("/api/point-objections/", {"month": "2020-01", "text": "x"}, format="json").status_code == 400
    assert member.post("/api/point-objections/", {"month": f"{last:%Y-%m}", "text": " "},
                       format="json").status_code == 400  # fmt: skip
    assert api_for(users.secretary_a).post("/api/point-objections/", {"month": f"{last:%Y-%m}", "text": "异议"},
                                           format="json").status_code == 400  # not a member  # fmt: skip
    assert counts() == before
    made = member.post("/api/point-objections/", {"month": f"{last:%Y-%m}", "text": "我的志愿时长漏记"}, format="json")
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["cycle"] == published.pk and made.json()["status"] == "open"
    assert [row["id"] for row in member.get("/api/point-objections/").json()["results"]] == [pk]
    assert api_for(users.outsider).get(f"/api/point-objections/{pk}/").status_code == 404
    assert api_for(users.secretary_b).get("/api/point-objections/").json()["results"] == []
    assert member.post(f"/api/point-objections/{pk}/answer/", {"answer": "自答"}, format="json").status_code in (
        403,
        404,
    )
    assert api_for(users.secretary_a).post(f"/api/point-objections/{pk}/answer/", {"answer": ""},
                                           format="json").status_code == 400  # fmt: skip
    answered = api_for(users.secretary_a).post(f"/api/point-objections/{pk}/answer/", {"answer": "已核实并补记"},
                                               format="json")  # fmt: skip
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    listed = api_for(users.secretary_a).get(f"/api/point-objections/?month={last:%Y-%m}&status=answered")
    assert [row["id"] for row in listed.json()["results"]] == [pk]


def test_my_history(tree, users, client_for):
    person = users.member.person
    give(person, "m:1", day=last_month() + datetime.timedelta(days=2))
    give(person, "m:2")
    page = client_for(users.member).get(reverse("points:history"))
    body = page.content.decode()
    assert page.status_code == 200 and f"{last_month():%Y-%m}" in body and f"{this_month():%Y-%m}" in body
    assert tree.people.a1.name not in body
    month = client_for(users.member).get(reverse("points:mine") + f"?month={last_month():%Y-%m}").content.decode()
    assert "rules of" in month  # each entry says under which rules' version it was scored
    assert "your account is not linked" in client_for(users.secretary_a).get(reverse("points:history")).content.decode()


def test_the_subtree_month_over_month(tree, users, client_for):
    give(tree.people.a1, "m:1", day=last_month() + datetime.timedelta(days=2))
    give(tree.people.a1, "m:2")
    give(tree.people.b1, "m:3")
    page = client_for(users.committee_admin).get(reverse("points:subtree", args=[tree.committee1.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="trend"' in body and f"{last_month():%Y-%m}" in body
    trend = page.context["trend"]
    assert len(trend.months) == 6 and trend.months[-1] == this_month()
    by_branch = {branch.pk: values for branch, values in trend.rows}
    assert by_branch[tree.branch_a.pk][-2:] == [Decimal(1), Decimal(1)] and by_branch[tree.branch_b.pk][-2] is None
    assert trend.overall[-1] == Decimal(1)
    assert tree.branch_c.name not in body
