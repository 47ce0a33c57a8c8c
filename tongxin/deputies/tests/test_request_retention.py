"""A young person's name and phone on a request to a deputy are erased ``contact_retention_days`` after the
request was closed (or answered and never closed); the subject, the text and the answer stay."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tongxin.core.retention import erase_expired_contacts
from tongxin.deputies.models import ConstituentRequest, RequestStatus
from tongxin.deputies.tests.deputy_helpers import deputy, request

pytestmark = pytest.mark.usefixtures("english")


def test_names_and_phones_go_after_the_retention_days(tree, users, client_for):
    dep = deputy(tree)
    long_ago = timezone.now() - datetime.timedelta(days=200)
    answered = request(None, dep, subject="求职就业指导")
    ConstituentRequest.objects.filter(pk=answered.pk).update(status=RequestStatus.ANSWERED, answered_at=long_ago,
                                                             answer="已推荐见习岗位")  # fmt: skip
    open_ = request(None, dep, subject="租房补贴")
    ConstituentRequest.objects.filter(pk=open_.pk).update(created_at=long_ago)
    done = dict((str(label), n) for label, n in erase_expired_contacts())
    assert done["Requests to league deputies"] == 1
    erased = ConstituentRequest.objects.get(pk=answered.pk)
    assert (erased.name, erased.phone, erased.subject, erased.answer) == ("", "", "求职就业指导", "已推荐见习岗位")
    kept = ConstituentRequest.objects.get(pk=open_.pk)
    assert (kept.name, kept.phone) == ("李晓雨", "13812345678")
    page = client_for(users.committee_admin).get(f"/deputies/requests/{answered.pk}/")
    assert page.status_code == 200 and "contact erased" in page.content.decode()
