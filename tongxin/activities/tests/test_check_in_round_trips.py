"""A check-in through the API costs a fixed number of statements (issue 15: 500 participants scan within a minute,
each round trip ~3 ms): the registration is read once, locked, with its activity and the participant's name and
path; the caller's roles and the activity are not read before it. Out of her scope the step still answers 404,
and a member who sees the activity without a confirmed place is told why (400)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from tongxin.activities import services
from tongxin.activities.models import Registration
from tongxin.activities.tests.helpers import make_activity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_check_in_costs_five_statements_and_a_second_one_two(tree, users, api_for, queued, django_assert_num_queries):
    activity = make_activity(tree, hours_ago=1, length_hours=3)
    services.confirm(users.secretary_a, services.register(users.member, activity))
    ContentType.objects.get_for_model(Registration)  # cached for the life of a process: not a request's
    api = api_for(users.member)
    url = f"/api/activities/{activity.pk}/check-in/"
    digits = services.current_code(activity, services.CHECK_IN)[1]
    # token; savepoint; the registration locked with its activity and her name and path; its check-in time;
    # the audit entry; the points hook's task row; release
    with django_assert_num_queries(7):
        first = api.post(url, {"code": digits}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["person_name"] == tree.people.a2.name and first.json()["checked_in_at"]
    # the same check-in again: token; savepoint; the registration (checked in: nothing written); release
    with django_assert_num_queries(4):
        again = api.post(url, {"code": digits}, format="json")
    assert again.json() == first.json()


def test_the_check_in_step_still_answers_404_out_of_scope_and_400_to_who_sees_it(tree, users, api_for):
    activity = make_activity(tree, hours_ago=1, length_hours=3)
    digits = services.current_code(activity, services.CHECK_IN)[1]
    url = f"/api/activities/{activity.pk}/check-in/"
    assert api_for(users.outsider).post(url, {"code": digits}, format="json").status_code == 404
    assert api_for(users.outsider).post(url, {}, format="json").status_code == 404
    gone = api_for(users.member).post("/api/activities/999999/check-in/", {"code": digits}, format="json")
    assert gone.status_code == 404
    refused = api_for(users.member).post(url, {"code": digits}, format="json")  # branch A's: she sees it
    assert refused.status_code == 400 and "not registered" in refused.json()["code"][0]
    assert not Registration.objects.filter(activity=activity).exists()
