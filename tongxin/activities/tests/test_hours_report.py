"""Volunteer hours per organisation and period (issue 15): counted where each participant belongs, verified and
supplementary apart, with who took part (party members, league members, others); page, Excel and API agree;
an organisation outside the caller's scope is 404."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.activities.models import Registration
from tongxin.activities.tests.helpers import make_activity
from tongxin.people.models import Person, PoliticalStatus

pytestmark = pytest.mark.usefixtures("english")


def _served(tree, users, person, verified: str, supplementary: str = "0"):
    activity = make_activity(
        tree,
        capacity=5,
        hours_ago=48,
        organization=tree.branch_a if person.org_path.startswith(tree.branch_a.path) else tree.branch_b,
    )
    registration = Registration.objects.create(activity=activity, person=person, org_path=activity.org_path,
                                               status="confirmed", queued_at=timezone.now())  # fmt: skip
    Registration.objects.filter(pk=registration.pk).update(
        verified_hours=Decimal(verified), supplementary_hours=Decimal(supplementary)
    )
    return activity


def test_hours_per_branch_with_the_composition(tree, users, client_for, api_for):
    Person.objects.filter(pk=tree.people.a1.pk).update(political_status=PoliticalStatus.PARTY_MEMBER)
    a1, a2, b1 = (Person.objects.get(pk=p.pk) for p in (tree.people.a1, tree.people.a2, tree.people.b1))
    _served(tree, users, a1, "2.50", "0.50")
    _served(tree, users, a2, "3.00")
    _served(tree, users, b1, "1.00")
    old = _served(tree, users, b1, "9.00")  # last year: outside the default period
    old.starts_at = timezone.now().replace(year=timezone.now().year - 1)
    old.save(update_fields=["starts_at"])

    client = client_for(users.committee_admin)
    page = client.get(reverse("activities:hours"), {"org": tree.committee1.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲团支部" in html and "乙团支部" in html
    api = api_for(users.committee_admin).get("/api/activities/hours/", {"org": tree.committee1.pk}).json()
    by_name = {row["organization_name"]: row for row in api}
    assert by_name["甲团支部"]["verified_hours"] == "5.50" and by_name["甲团支部"]["supplementary_hours"] == "0.50"
    assert (by_name["甲团支部"]["party_members"], by_name["甲团支部"]["participants"]) == (1, 2)
    assert by_name["乙团支部"]["verified_hours"] == "1.00"  # last year's 9 hours are outside the period
    total = api[-1]
    assert total["organization"] is None and total["verified_hours"] == "6.50" and total["participants"] == 3
    last_year = timezone.localdate().year - 1
    whole = (
        api_for(users.committee_admin)
        .get("/api/activities/hours/", {"org": tree.committee1.pk, "from": f"{last_year}-01-01"})
        .json()
    )
    assert whole[-1]["verified_hours"] == "15.50"

    export = client.get(reverse("activities:hours_export"), {"org": tree.committee1.pk})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    # secretary A may not read branch B's hours; nobody reads an organisation outside their scope
    secretary = client_for(users.secretary_a)
    assert secretary.get(reverse("activities:hours"), {"org": tree.branch_b.pk}).status_code == 404
    assert client_for(users.outsider).get(reverse("activities:hours"), {"org": tree.committee1.pk}).status_code == 404
    assert client_for(users.member).get(reverse("activities:hours")).status_code == 404  # no role: no report
    assert api_for(users.outsider).get("/api/activities/hours/", {"org": tree.committee1.pk}).status_code == 404


def test_a_reversed_period_is_read_the_right_way_round(tree, users, api_for):
    today = timezone.localdate()
    rows = api_for(users.committee_admin).get(
        "/api/activities/hours/", {"from": today.isoformat(), "to": (today - datetime.timedelta(days=30)).isoformat()}
    )
    assert rows.status_code == 200 and rows.json()[-1]["organization"] is None
