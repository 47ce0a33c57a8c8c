"""Appointing and ending cadre positions (定人定岗定责) from the organisation page."""

import datetime

import pytest

from tongxin.core.models import ChangeLog
from tongxin.people.models import CadrePosition
from tongxin.people.queries import current_cadres

pytestmark = pytest.mark.usefixtures("english")


def appoint(client, org, person, title, start="2025-09-01"):
    return client.post(
        f"/people/cadres/appoint/{org.pk}/", {"person_number": person.id_number, "title": title, "start": start}
    )


def test_secretary_appoints_a_committee_member_shown_on_the_organisation_page(tree, users, client_for):
    client = client_for(users.secretary_a)
    logs = ChangeLog.objects.count()
    response = appoint(client, tree.branch_a, tree.people.a2, "publicity")
    assert response.status_code == 302
    position = CadrePosition.objects.get(organization=tree.branch_a)
    assert (position.person, position.title, position.start) == (tree.people.a2, "publicity", datetime.date(2025, 9, 1))
    assert ChangeLog.objects.count() == logs + 1
    page = client.get(f"/orgs/{tree.branch_a.pk}/").content.decode()
    assert "Publicity committee member" in page and tree.people.a2.name in page


def test_a_second_current_secretary_is_refused_naming_the_first(tree, users, client_for):
    client = client_for(users.secretary_a)
    assert appoint(client, tree.branch_a, tree.people.a1, "secretary").status_code == 302
    response = appoint(client, tree.branch_a, tree.people.a2, "secretary")
    assert response.status_code == 200
    assert "already has a secretary" in response.content.decode()
    assert tree.people.a1.name in response.content.decode()
    assert CadrePosition.objects.filter(organization=tree.branch_a).count() == 1


def test_a_person_outside_ones_scope_cannot_be_found_for_appointment(tree, users, client_for):
    response = appoint(client_for(users.secretary_a), tree.branch_a, tree.people.b1, "member")
    assert response.status_code == 200
    assert "No one in your organisations has this ID number" in response.content.decode()
    assert not CadrePosition.objects.exists()


def test_ending_a_position_keeps_it_in_history_and_checks_the_date(tree, users, client_for):
    client = client_for(users.secretary_a)
    appoint(client, tree.branch_a, tree.people.a1, "secretary", start="2024-09-01")
    position = CadrePosition.objects.get()
    response = client.post(f"/people/cadres/{position.pk}/end/", {"end": "2024-08-01"})
    assert response.status_code == 200
    assert "The end date must be after the start date." in response.content.decode()
    assert client.post(f"/people/cadres/{position.pk}/end/", {"end": "2025-07-31"}).status_code == 302
    position.refresh_from_db()
    assert position.end == datetime.date(2025, 7, 31)
    assert list(current_cadres(tree.branch_a)) == []
    assert "2025-07-31" in client.get(f"/people/{tree.people.a1.pk}/").content.decode()
    # A new secretary may now be appointed.
    assert appoint(client, tree.branch_a, tree.people.a2, "secretary", start="2025-08-01").status_code == 302


def test_a_viewer_may_not_appoint_and_a_sibling_secretary_gets_404(tree, users, client_for):
    assert appoint(client_for(users.viewer), tree.branch_a, tree.people.a1, "member").status_code == 403
    assert appoint(client_for(users.secretary_b), tree.branch_a, tree.people.a1, "member").status_code == 404
    assert not CadrePosition.objects.exists()
