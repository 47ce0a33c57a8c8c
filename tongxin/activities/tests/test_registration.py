"""Registration: places, the waiting list promoted in order, the organiser's decision with four eyes, and the
outsider who sees and does nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tongxin.activities import services
from tongxin.activities.models import Activity, Registration, RegistrationStatus
from tongxin.activities.tests.helpers import make_activity
from tongxin.core.exceptions import DomainError
from tongxin.core.testing import person_data
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")


def test_beyond_capacity_goes_to_the_waiting_list_and_is_told(tree, users):
    activity = make_activity(tree, capacity=1)
    first = services.register(None, activity, tree.people.a1)
    second = services.register(users.member, activity)  # the member is person a2
    assert first.status == RegistrationStatus.PENDING
    assert second.status == RegistrationStatus.WAITING
    assert "waiting list" in services.register_message(second)
    assert "number 1" in services.register_message(second)


def test_a_cancellation_promotes_the_waiting_list_in_order(tree, users):
    activity = make_activity(tree, capacity=1)
    a3 = create_person(None, person_data(tree.branch_a, name="周甲三"))
    holder = services.register(None, activity, tree.people.a1)
    first_waiting = services.register(None, activity, tree.people.a2)
    second_waiting = services.register(None, activity, a3)
    services.cancel_registration(None, holder)
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert first_waiting.status == RegistrationStatus.PENDING
    assert second_waiting.status == RegistrationStatus.WAITING
    assert services.waiting_position(second_waiting) == 1


def test_the_member_cancels_her_own_and_may_register_again_at_the_end(tree, users):
    activity = make_activity(tree, capacity=1)
    own = services.register(users.member, activity)
    services.cancel_registration(users.member, own)
    services.register(None, activity, tree.people.a1)
    again = services.register(users.member, activity)
    assert again.pk == own.pk and again.status == RegistrationStatus.WAITING


def test_registering_twice_is_refused(tree, users):
    activity = make_activity(tree)
    services.register(users.member, activity)
    with pytest.raises(DomainError, match="Already registered"):
        services.register(users.member, activity)


def test_the_organiser_confirms_and_declines_with_a_reason(tree, users):
    activity = make_activity(tree, capacity=1)
    holder = services.register(None, activity, tree.people.a1)
    waiting = services.register(users.member, activity)
    with pytest.raises(DomainError, match="reason"):
        services.decline(users.secretary_a, holder, "")
    services.decline(users.secretary_a, holder, "名额已满")
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.PENDING  # the place went to the waiting list
    services.confirm(users.secretary_a, waiting)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_an_organiser_does_not_confirm_her_own_registration(tree, selves):
    activity = make_activity(tree)
    own = services.register(selves.secretary, activity)  # the second secretary of branch A is person a1
    with pytest.raises(DomainError, match="concerns you personally"):
        services.confirm(selves.secretary, own)
    own.refresh_from_db()
    assert own.status == RegistrationStatus.PENDING


def test_the_outsider_sees_nothing_and_may_not_decide(tree, users):
    activity = make_activity(tree)
    registration = services.register(None, activity, tree.people.a1)
    assert not Activity.objects.visible_to(users.outsider).filter(pk=activity.pk).exists()
    assert not Registration.objects.visible_to(users.outsider).exists()
    with pytest.raises(PermissionDenied):
        services.confirm(users.outsider, registration)
    with pytest.raises(PermissionDenied):
        services.cancel_registration(users.outsider, registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_a_member_outside_the_audience_neither_sees_nor_registers(tree, users):
    activity = make_activity(tree, organization=tree.branch_b)
    assert not Activity.objects.visible_to(users.member).filter(pk=activity.pk).exists()
    with pytest.raises(DomainError, match="not open to you"):
        services.register(users.member, activity)
    public = make_activity(tree, organization=tree.branch_b, public=True)
    assert Activity.objects.visible_to(users.member).filter(pk=public.pk).exists()
    assert services.register(users.member, public).status == RegistrationStatus.PENDING


def test_pages_list_register_and_404_for_the_outsider(tree, users, client_for):
    activity = make_activity(tree)
    page = client_for(users.member).get(f"/activities/{activity.pk}/")
    assert page.status_code == 200 and activity.title in page.content.decode()
    answer = client_for(users.member).post(f"/activities/{activity.pk}/register/", follow=True)
    assert "registered" in answer.content.decode()
    assert Registration.objects.filter(activity=activity, person=tree.people.a2).exists()
    outsider = client_for(users.outsider)
    assert outsider.get(f"/activities/{activity.pk}/").status_code == 404
    assert outsider.post(f"/activities/{activity.pk}/register/").status_code == 404
    assert activity.title not in outsider.get("/activities/").content.decode()


def test_api_register_and_confirm(tree, users, api_for):
    activity = make_activity(tree)
    answer = api_for(users.member).post(f"/api/activities/{activity.pk}/register/", format="json")
    assert answer.status_code == 200, answer.content
    registration_id = answer.json()["id"]
    assert api_for(users.outsider).post(f"/api/registrations/{registration_id}/confirm/").status_code == 404
    assert api_for(users.member).post(f"/api/registrations/{registration_id}/confirm/").status_code in (403, 404)
    confirmed = api_for(users.secretary_a).post(f"/api/registrations/{registration_id}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
