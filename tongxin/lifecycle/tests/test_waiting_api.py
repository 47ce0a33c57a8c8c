"""``?waiting=1`` on the workflow lists answers exactly the workflow's ``waiting_for`` rows within the caller's
scope (the step is the caller's), in the list's order, and nothing to anyone else."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tongxin.core.testing import make_id_number, years_ago
from tongxin.lifecycle.models import TransferReason, TransferSide
from tongxin.lifecycle.services import recruitment, transfers

pytestmark = pytest.mark.usefixtures("english")


def ids(api, url):
    response = api.get(url)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_waiting_transfers_are_the_callers_steps(tree, users, api_for):
    incoming = transfers.start_transfer(None, person=tree.people.a1, to_org=tree.committee1,
                                        side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip
    outgoing = transfers.start_transfer(None, person=tree.people.b1, to_org=tree.committee2,
                                        side=TransferSide.RECEIVING, reason=TransferReason.OTHER)  # fmt: skip
    url = "/api/transfers/?waiting=1"
    for who in ("district", "committee_admin", "secretary_a", "secretary_b", "outsider", "member"):
        user = getattr(users, who)
        expected = set(transfers.waiting_for(user).values_list("pk", flat=True))
        assert set(ids(api_for(user), url)) == expected, who
    # committee 1 accepts a1 and may approve b1's way out of its branch B; newest first
    assert ids(api_for(users.committee_admin), url) == [outgoing.pk, incoming.pk]
    assert ids(api_for(users.secretary_b), url) == [outgoing.pk]
    assert ids(api_for(users.secretary_a), url) == []
    assert set(ids(api_for(users.committee_admin), "/api/transfers/")) == {incoming.pk, outgoing.pk}


def test_waiting_recruitments_are_the_callers_steps(tree, users, api_for):
    applied = timezone.localdate() - datetime.timedelta(days=40)
    made = [
        recruitment.apply(None, branch=branch, name=name, id_number=make_id_number(years_ago(16)), applied_on=applied)
        for branch, name in ((tree.branch_a, "甲申请"), (tree.branch_b, "乙申请"))
    ]
    url = "/api/recruitments/?waiting=1"
    for who in ("district", "committee_admin", "secretary_a", "secretary_b", "outsider", "member"):
        user = getattr(users, who)
        expected = set(recruitment.waiting_for(user).values_list("pk", flat=True))
        assert set(ids(api_for(user), url)) == expected, who
    assert ids(api_for(users.secretary_a), url) == [made[0].pk]
    assert ids(api_for(users.outsider), url) == []
