"""A meeting recorded as held shows on the dashboards as one meeting in the month of its date, at the organisation
that recorded it and every organisation above it (orglife.tallies); planning or cancelling one shows nothing; the
figure is the same as a rebuild's; another committee's dashboard stays out of reach (404)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from tongxin.orglife.services import meetings as services
from tongxin.orglife.tests.meeting_helpers import planned
from tongxin.orgs import tallies


def trend(client, org, facet: str) -> dict[str, int]:
    """The dashboard API's monthly trend of ``facet`` for ``org``: {"YYYY-MM": value} of the months not zero."""
    data = client.get(reverse("dashboard-detail", args=[org.pk])).json()
    (row,) = [t for t in data["trends"] if t["facet"] == facet]
    return {month: value for month, value in zip(row["months"], row["values"], strict=True) if value}


def present(tree) -> dict[int, tuple[str, str]]:
    return {tree.people.a1.pk: ("present", ""), tree.people.a2.pk: ("present", "")}


def test_a_recorded_meeting_adds_one_in_its_month_at_the_branch_and_above(client, tree, users):
    held_on = timezone.localtime() - datetime.timedelta(days=40)
    meeting = planned(users.secretary_a, tree.branch_a)
    services.record_meeting(users.secretary_a, meeting, attendance=present(tree), starts_at=held_on)
    month = f"{held_on:%Y-%m}"  # the date recorded, not the date planned
    client.force_login(users.secretary_a)
    assert trend(client, tree.branch_a, "meetings_held") == {month: 1}
    client.force_login(users.committee_admin)
    assert trend(client, tree.committee1, "meetings_held") == {month: 1}
    assert trend(client, tree.branch_b, "meetings_held") == {}
    client.force_login(users.district)
    assert trend(client, tree.root, "meetings_held") == {month: 1}
    assert trend(client, tree.committee2, "meetings_held") == {}
    client.force_login(users.outsider)  # an admin of the other committee
    assert client.get(reverse("dashboard-detail", args=[tree.branch_a.pk])).status_code == 404
    assert tallies.kept() == tallies.expected()


def test_planned_and_cancelled_meetings_are_not_counted(client, tree, users):
    planned(users.secretary_a, tree.branch_a, when=timezone.now() + datetime.timedelta(days=2))
    services.cancel_meeting(users.secretary_a, planned(users.secretary_a, tree.branch_a))
    client.force_login(users.district)
    assert trend(client, tree.root, "meetings_held") == {}


def test_a_meeting_recorded_directly_counts_once(client, tree, users):
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    services.record_held_meeting(users.secretary_a, organization=tree.branch_a, kind="league_day",
                                 starts_at=yesterday, topic="主题团日", attendance=present(tree))  # fmt: skip
    client.force_login(users.district)
    assert trend(client, tree.root, "meetings_held") == {f"{yesterday:%Y-%m}": 1}
    assert tallies.kept() == tallies.expected()
