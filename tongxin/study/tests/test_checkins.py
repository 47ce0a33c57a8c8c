"""Check-ins (学习打卡): the member's own log, private to him (no secretary sees a line of it), bounded."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.study import services
from tongxin.study.models import CheckIn

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_member_logs_and_only_he_sees_it(tree, users, client_for):
    client = client_for(users.member)
    today = timezone.localdate().isoformat()
    response = client.post(reverse("study:checkins"), {"day": today, "what": "学习团章第一章", "minutes": 30})
    assert response.status_code == 302
    assert "学习团章第一章" in client.get(reverse("study:checkins")).content.decode()
    for who in (users.secretary_a, users.committee_admin, users.district):
        assert not CheckIn.objects.visible_to(who).exists()
        assert "学习团章第一章" not in client_for(who).get(reverse("study:checkins")).content.decode()


def test_checkins_are_bounded(tree, users):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError, match="come"):
        services.add_checkin(users.member, day=tomorrow, what="x", minutes=10)
    with pytest.raises(DomainError, match="1440"):
        services.add_checkin(users.member, day=timezone.localdate(), what="x", minutes=5000)
    with pytest.raises(DomainError):
        services.add_checkin(users.secretary_a, day=timezone.localdate(), what="x", minutes=10)
    assert not CheckIn.objects.exists()
