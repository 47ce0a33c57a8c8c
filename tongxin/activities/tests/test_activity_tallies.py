"""Volunteer time and wishes on the dashboards (activities.tallies): a volunteer's hours count, in minutes, in the
month of the activity at its organisation and above, as check-out, supplementary hours and an accepted correction
make them; another kind of activity adds no volunteer time; a wish counts in the month fulfilled. The figures
equal a rebuild's; another committee's dashboard is out of reach (404)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from tongxin.activities import services
from tongxin.activities.models import ActivityKind
from tongxin.activities.tests.helpers import make_activity
from tongxin.orgs import tallies


def trend(client, org, facet: str) -> dict[str, int]:
    data = client.get(reverse("dashboard-detail", args=[org.pk])).json()
    (row,) = [t for t in data["trends"] if t["facet"] == facet]
    return {month: value for month, value in zip(row["months"], row["values"], strict=True) if value}


def confirmed(activity, person):
    registration = services.register(None, activity, person, now=activity.starts_at - datetime.timedelta(hours=2))
    return services.confirm(None, registration)


def test_volunteer_minutes_follow_check_out_and_a_correction(client, tree, users):
    activity = make_activity(tree, hours_ago=5, length_hours=3)
    registration = confirmed(activity, tree.people.a2)
    start = activity.starts_at
    month = f"{timezone.localtime(start):%Y-%m}"
    _token, digits, _left = services.current_code(activity, services.CHECK_IN, start)
    services.check_in(None, activity, digits, now=start, person=tree.people.a2)
    out = start + datetime.timedelta(minutes=90)
    _token, digits, _left = services.current_code(activity, services.CHECK_OUT, out)
    services.check_out(None, activity, digits, now=out, person=tree.people.a2)
    client.force_login(users.committee_admin)
    assert trend(client, tree.committee1, "volunteer_minutes") == {month: 1.5}  # kept in minutes, shown in hours
    correction = services.request_correction(users.member, registration, "我待到了结束", hours="2.5")
    services.decide_correction(users.secretary_a, correction, accept=True, reason="签到表为证", hours="2.5")
    assert trend(client, tree.committee1, "volunteer_minutes") == {month: 2.5}
    assert trend(client, tree.branch_b, "volunteer_minutes") == {}
    client.force_login(users.outsider)
    assert client.get(reverse("dashboard-detail", args=[tree.branch_a.pk])).status_code == 404
    assert tallies.kept() == tallies.expected()


def test_only_volunteer_service_counts_as_volunteer_time(tree, users):
    activity = make_activity(tree, hours_ago=5, kind=ActivityKind.SALON)
    registration = confirmed(activity, tree.people.a1)
    services.set_supplementary_hours(users.secretary_a, registration, "2", "补录")
    assert "volunteer_minutes" not in tallies.figures(tree.root.pk)
    assert tallies.kept() == tallies.expected()


def test_a_wish_counts_in_the_month_it_is_fulfilled(client, tree, users):
    wish = services.submit_wish(community=tree.branch_a, text="独居老人需要帮忙买药", contact_name="王阿姨",
                                contact_phone="13912345678")  # fmt: skip
    wish = services.screen_wish(users.secretary_a, wish, publish=True)
    wish = services.claim_wish(users.member, wish)
    client.force_login(users.secretary_a)
    assert trend(client, tree.branch_a, "wishes_fulfilled") == {}  # claimed is not fulfilled
    services.fulfil_wish(users.member, wish, "已送药上门")
    assert trend(client, tree.branch_a, "wishes_fulfilled") == {f"{timezone.localdate():%Y-%m}": 1}
    assert tallies.kept() == tallies.expected()
