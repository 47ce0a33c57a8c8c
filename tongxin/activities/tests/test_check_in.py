"""Check-in and check-out: the rotating code (signed token or six digits, at most 60 s), an expired, forged or
replayed code refused, a second check-in the same one; verified hours from check-in and check-out only,
supplementary hours apart and bounded by the activity's length; the points hook offered."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tongxin.activities import services
from tongxin.activities.models import Registration
from tongxin.activities.tests.helpers import make_activity
from tongxin.core.achievements import register_receiver, unregister_receiver
from tongxin.core.exceptions import DomainError

pytestmark = pytest.mark.usefixtures("english")


def _confirmed(tree, users, **kwargs):
    activity = make_activity(tree, hours_ago=1, length_hours=3, **kwargs)
    registration = services.register(users.member, activity)
    services.confirm(users.secretary_a, registration)
    return activity, registration


def test_typed_code_checks_in_once_and_out_with_verified_hours(tree, users):
    activity, registration = _confirmed(tree, users)
    _token, digits, _left = services.current_code(activity, services.CHECK_IN)
    services.check_in(users.member, activity, digits)
    first = Registration.objects.get(pk=registration.pk).checked_in_at
    assert first is not None
    services.check_in(users.member, activity, digits)  # the same check-in, not a second one
    assert Registration.objects.get(pk=registration.pk).checked_in_at == first
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=first - datetime.timedelta(hours=2))
    token, _digits, _left = services.current_code(activity, services.CHECK_OUT)
    done = services.check_out(users.member, activity, token)
    assert Decimal("0.9") <= done.verified_hours <= Decimal("1.01")  # only the time within the activity counts


def test_an_expired_code_is_refused(tree, users):
    activity, _registration = _confirmed(tree, users)
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=61)
    token, digits, _left = services.current_code(activity, services.CHECK_IN, old)
    with pytest.raises(DomainError, match="expired"):
        services.check_in(users.member, activity, token)
    with pytest.raises(DomainError, match="expired"):
        services.check_in(users.member, activity, digits)
    assert Registration.objects.get(activity=activity).checked_in_at is None


def test_forged_other_activity_and_wrong_step_codes_are_refused(tree, users):
    activity, _registration = _confirmed(tree, users)
    other = make_activity(tree, hours_ago=1)
    token, _digits, _left = services.current_code(activity, services.CHECK_IN)
    with pytest.raises(DomainError, match="not a check-in code"):
        services.check_in(users.member, activity, token[:-2] + "xx")
    with pytest.raises(DomainError, match="another activity"):
        services.check_in(users.member, activity, services.current_code(other, services.CHECK_IN)[0])
    with pytest.raises(DomainError, match="checking out"):
        services.check_in(users.member, activity, services.current_code(activity, services.CHECK_OUT)[0])


def test_a_code_shown_before_the_check_in_is_refused_as_replayed(tree, users):
    activity, registration = _confirmed(tree, users)
    now = datetime.datetime.now(datetime.UTC)
    before = now - datetime.timedelta(seconds=31)
    early_out, _digits, _left = services.current_code(activity, services.CHECK_OUT, before)
    services.check_in(users.member, activity, services.current_code(activity, services.CHECK_IN)[1])
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=now)
    with pytest.raises(DomainError, match="before you checked in"):
        services.check_out(users.member, activity, early_out)


def test_an_unconfirmed_or_unregistered_person_cannot_check_in(tree, users):
    activity = make_activity(tree, hours_ago=1)
    digits = services.current_code(activity, services.CHECK_IN)[1]
    with pytest.raises(DomainError, match="not registered"):
        services.check_in(users.member, activity, digits)
    services.register(users.member, activity)
    with pytest.raises(DomainError, match="not confirmed"):
        services.check_in(users.member, activity, digits)


def test_supplementary_hours_need_a_reason_and_stay_within_the_length(tree, users, selves):
    _activity, registration = _confirmed(tree, users)
    with pytest.raises(DomainError, match="reason"):
        services.set_supplementary_hours(users.secretary_a, registration, "1", "")
    with pytest.raises(DomainError, match=r"At most 3\.00"):
        services.set_supplementary_hours(users.secretary_a, registration, "3.5", "忘记签到")
    with pytest.raises(DomainError, match="number"):
        services.set_supplementary_hours(users.secretary_a, registration, "NaN", "忘记签到")
    done = services.set_supplementary_hours(users.secretary_a, registration, "2.5", "忘记签到")
    assert done.supplementary_hours == Decimal("2.50") and done.verified_hours == 0
    with pytest.raises(Exception):  # noqa: B017 - the outsider: PermissionDenied
        services.set_supplementary_hours(users.outsider, registration, "1", "越权")


def test_no_supplementary_hours_for_oneself(tree, selves):
    activity = make_activity(tree, hours_ago=1)
    own = services.register(selves.secretary, activity)
    services.confirm(None, own)
    with pytest.raises(DomainError, match="concerns you personally"):
        services.set_supplementary_hours(selves.secretary, own, "1", "自己加")


def test_check_in_and_out_offer_participation_and_hours(tree, users):
    offered: list = []
    register_receiver("test", offered.append, lambda kind, source: offered.append(("withdrawn", kind, source)))
    try:
        activity, registration = _confirmed(tree, users)
        services.check_in(users.member, activity, services.current_code(activity, services.CHECK_IN)[1])
        Registration.objects.filter(pk=registration.pk).update(
            checked_in_at=activity.starts_at + datetime.timedelta(minutes=1)
        )
        services.check_out(users.member, activity, services.current_code(activity, services.CHECK_OUT)[1])
    finally:
        unregister_receiver("test")
    kinds = [a.kind for a in offered]
    assert kinds == [services.PARTICIPATION, services.VOLUNTEER_HOURS]
    assert offered[1].quantity > 0 and offered[1].person_id == tree.people.a2.pk


def test_the_check_page_takes_the_typed_code(tree, users, client_for):
    activity, registration = _confirmed(tree, users)
    client = client_for(users.member)
    assert client.get(f"/activities/{activity.pk}/check/?purpose=in").status_code == 200
    digits = services.current_code(activity, services.CHECK_IN)[1]
    answer = client.post(f"/activities/{activity.pk}/check/", {"code": digits, "purpose": "in"}, follow=True)
    assert "checked in" in answer.content.decode()
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None
    assert client_for(users.outsider).get(f"/activities/{activity.pk}/code/").status_code == 404
    assert client_for(users.member).get(f"/activities/{activity.pk}/code/").status_code == 404
    assert client_for(users.secretary_a).get(f"/activities/{activity.pk}/code/").status_code == 200


def test_typed_codes_cannot_be_tried_one_after_another(tree, users):
    activity, registration = _confirmed(tree, users)
    right = services.current_code(activity, services.CHECK_IN)[1]
    earlier = services.current_code(activity, services.CHECK_IN, timezone.now() - datetime.timedelta(seconds=30))[1]
    guesses = [f"{n:06d}" for n in range(100) if f"{n:06d}" not in (right, earlier)]
    for guess in guesses[: services.WRONG_CODES_MAX]:
        with pytest.raises(DomainError, match="wrong or has expired"):
            services.check_in(users.member, activity, guess)
    with pytest.raises(DomainError, match="Too many wrong codes"):
        services.check_in(users.member, activity, right)
    assert Registration.objects.get(pk=registration.pk).checked_in_at is None
