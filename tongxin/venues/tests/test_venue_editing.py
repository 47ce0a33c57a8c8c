"""Editing a venue: its host (CHANGE over the host organisation) changes its fields, its status (open, suspended,
closed) and its closures, on a page and through the API; each change audited. Bad input is refused by field with
nothing written; the organisations below the host see the venue but may not change it (404 on the page, 403 in
the API), and an outsider gets 404."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.venues import services
from tongxin.venues.models import Venue, VenueClosure, VenueStatus
from tongxin.venues.tests.venue_helpers import make_venue, saturday

pytestmark = pytest.mark.usefixtures("english")


def _state(venue: Venue):
    row = Venue.objects.get(pk=venue.pk)
    return (row.name, row.capacity, row.opens_at, row.closes_at, row.status, ChangeLog.objects.count())


def _form(venue: Venue, **changes):
    data = {"name": venue.name, "kind": venue.kind, "partner": venue.partner, "address": venue.address,
            "division_code": venue.division_code, "opens_at": "09:00", "closes_at": "21:00",
            "open_days": venue.open_days, "capacity": venue.capacity, "facilities": venue.facilities,
            "status": venue.status}  # fmt: skip
    data.update(changes)
    return data


def test_the_host_changes_fields_and_status_audited(tree, users):
    venue = make_venue(tree.committee1)
    values = {**services.venue_values(venue), "name": "新青年之家", "capacity": 60, "opens_at": datetime.time(8)}
    venue = services.update_venue(users.committee_admin, venue, **values, status=VenueStatus.SUSPENDED)
    venue.refresh_from_db()
    assert (venue.name, venue.capacity, venue.opens_at) == ("新青年之家", 60, datetime.time(8))
    assert venue.status == "suspended"
    entries = ChangeLog.objects.filter(content_type__model="venue", object_id=str(venue.pk),
                                       action=ChangeLog.Action.UPDATE).order_by("id")  # fmt: skip
    fields, status = entries[0].after or {}, entries[1].after or {}
    assert fields["name"] == "新青年之家" and fields["capacity"] == 60 and "status" not in fields
    assert status["status"] == "suspended"
    assert all(e.org_path == tree.committee1.path for e in entries)
    # a partial change keeps the rest; reopened from suspended
    services.update_venue(users.committee_admin, venue, capacity=45, status=VenueStatus.OPEN)
    venue.refresh_from_db()
    assert (venue.name, venue.capacity, venue.status) == ("新青年之家", 45, "open")


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"name": ""}, "name", "Give the venue's name."),
        ({"address": "  "}, "address", "Give the venue's address"),
        ({"closes_at": datetime.time(8)}, "closes_at", "must close after it opens"),
        ({"open_days": "189"}, "open_days", "weekdays 1 (Monday) to 7 (Sunday)"),
        ({"capacity": 0}, "capacity", "from 1 to 100000"),
        ({"division_code": "abc"}, "division_code", ""),
        ({"kind": "castle"}, "kind", "Unknown venue kind."),
        ({"status": "demolished"}, "status", "Unknown status."),
        ({"host": 1}, "host", "cannot be changed here"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_written(tree, users, changes, field, rule):
    venue = make_venue(tree.committee1)
    before = _state(venue)
    with pytest.raises(DomainError) as info:
        services.update_venue(users.committee_admin, venue, **changes)
    assert field in info.value.errors, info.value.errors
    assert rule in " ".join(info.value.errors[field])
    assert _state(venue) == before


def test_a_status_the_table_does_not_reach_is_refused(tree, users):
    venue = make_venue(tree.committee1)
    services.close_venue(users.committee_admin, venue)
    before = _state(venue)
    with pytest.raises(DomainError) as info:
        services.update_venue(users.committee_admin, venue, status=VenueStatus.SUSPENDED, capacity=50)
    assert "cannot become" in " ".join(info.value.errors["status"])
    assert _state(venue) == before  # the capacity is not saved either


def test_only_the_host_changes_it(tree, users):
    venue = make_venue(tree.committee1)
    before = _state(venue)
    for who in (users.secretary_a, users.viewer, users.outsider):
        with pytest.raises(PermissionDenied):
            services.update_venue(who, venue, name="越权")
        with pytest.raises(PermissionDenied):
            services.remove_closure(who, venue, 1)
    assert _state(venue) == before


def test_a_closure_is_taken_back_audited(tree, users):
    venue = make_venue(tree.committee1)
    day = saturday(4)
    closure = services.add_closure(users.committee_admin, venue, starts_on=day, ends_on=day, reason="维修")
    services.remove_closure(users.committee_admin, venue, closure.pk)
    assert not VenueClosure.objects.filter(pk=closure.pk).exists()
    entry = ChangeLog.objects.get(content_type__model="venueclosure", object_id=str(closure.pk),
                                  action=ChangeLog.Action.DELETE)  # fmt: skip
    assert (entry.before or {})["reason"] == "维修" and entry.org_path == tree.committee1.path
    with pytest.raises(DomainError) as info:
        services.remove_closure(users.committee_admin, venue, closure.pk)
    assert "closure" in info.value.errors


def test_the_edit_page(tree, users, client_for):
    venue = make_venue(tree.committee1)
    url = reverse("venues:edit", args=[venue.pk])
    client = client_for(users.committee_admin)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="status"' in body and "Suspended" in body and "Add the closure" in body
    assert f'href="{url}"' in client.get(reverse("venues:detail", args=[venue.pk])).content.decode()
    response = client.post(url, _form(venue, name="改名之家", capacity="55", status="suspended"))
    assert response.status_code == 302 and response["Location"] == reverse("venues:detail", args=[venue.pk])
    venue.refresh_from_db()
    assert (venue.name, venue.capacity, venue.status) == ("改名之家", 55, "suspended")
    # bad input: the form again, the field named, nothing written
    before = _state(venue)
    page = client.post(url, _form(venue, closes_at="08:00", status="suspended"))
    assert page.status_code == 200 and "must close after it opens" in page.content.decode()
    assert _state(venue) == before


def test_closures_from_the_edit_page(tree, users, client_for):
    venue = make_venue(tree.committee1)
    client = client_for(users.committee_admin)
    day = saturday(3)
    data = {"starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": "检修", "back": "edit"}
    response = client.post(reverse("venues:closure", args=[venue.pk]), data)
    assert response["Location"] == reverse("venues:edit", args=[venue.pk])
    closure = VenueClosure.objects.get(venue=venue)
    assert "检修" in client.get(reverse("venues:edit", args=[venue.pk])).content.decode()
    client.post(reverse("venues:closure_remove", args=[venue.pk]), {"closure": closure.pk})
    assert not VenueClosure.objects.filter(venue=venue).exists()


def test_the_organisations_below_and_the_outsider_get_404(tree, users, client_for):
    venue = make_venue(tree.committee1)
    before = _state(venue)
    for who in (users.secretary_a, users.outsider, users.member):
        client = client_for(who)
        assert client.get(reverse("venues:edit", args=[venue.pk])).status_code == 404
        assert client.post(reverse("venues:edit", args=[venue.pk]), _form(venue, name="越权")).status_code == 404
    page = client_for(users.secretary_a).get(reverse("venues:detail", args=[venue.pk]))
    assert page.status_code == 200 and reverse("venues:edit", args=[venue.pk]) not in page.content.decode()
    assert _state(venue) == before


def test_the_api_update_and_closures(tree, users, api_for):
    venue = make_venue(tree.committee1)
    url = f"/api/venues/{venue.pk}/"
    api = api_for(users.committee_admin)
    response = api.patch(url, {"capacity": 70, "opens_at": "08:30", "status": "closed"}, format="json")
    assert response.status_code == 200, response.json()
    row = response.json()
    assert (row["capacity"], row["opens_at"], row["status"]) == (70, "08:30:00", "closed")
    before = _state(venue)
    response = api.patch(url, {"closes_at": "08:00"}, format="json")
    assert response.status_code == 400 and "closes_at" in response.json()
    response = api.patch(url, {"status": "suspended"}, format="json")  # closed → suspended: not in the table
    assert response.status_code == 400 and "status" in response.json()
    assert _state(venue) == before
    day = saturday(5)
    response = api.post(f"{url}closures/", {"starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": "节日"},
                        format="json")  # fmt: skip
    assert response.status_code == 200 and response.json()["reason"] == "节日"
    response = api.post(f"{url}closures/", {"starts_on": day.isoformat(),
                                            "ends_on": (day - datetime.timedelta(days=1)).isoformat(),
                                            "reason": "倒序"}, format="json")  # fmt: skip
    assert response.status_code == 400 and "ends_on" in response.json()
    # below the host: seen, not changed (403); outside: 404
    assert api_for(users.secretary_a).patch(url, {"capacity": 5}, format="json").status_code == 403
    assert api_for(users.outsider).patch(url, {"capacity": 5}, format="json").status_code == 404
    assert api_for(users.secretary_a).post(f"{url}closures/", {}, format="json").status_code == 403
    assert Venue.objects.get(pk=venue.pk).capacity == 70
