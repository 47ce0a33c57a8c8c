"""Histories name the person who acted, never the account's login name."""

from __future__ import annotations

import pytest

from tongxin.lifecycle.models import Transfer, TransferReason, TransferSide
from tongxin.lifecycle.services import transfers

pytestmark = pytest.mark.usefixtures("english")


def test_the_transfer_history_shows_the_secretarys_name_not_her_login(tree, users, client_for):
    users.secretary_a.first_name = "王芳"
    users.secretary_a.save(update_fields=["first_name"])
    transfer = transfers.start_transfer(users.secretary_a, person=tree.people.a2, to_org=tree.branch_b,
                                        side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip
    html = client_for(users.secretary_b).get(f"/lifecycle/transfers/{transfer.pk}/").content.decode()
    assert "· 王芳" in html
    assert "secretary_a" not in html


def test_an_account_without_any_name_is_not_shown_by_its_login(tree, users, client_for):
    transfer = transfers.start_transfer(users.secretary_a, person=tree.people.a2, to_org=tree.branch_b,
                                        side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip
    Transfer.objects.filter(pk=transfer.pk).update(started_by=users.secretary_a)
    html = client_for(users.secretary_b).get(f"/lifecycle/transfers/{transfer.pk}/").content.decode()
    assert "secretary_a" not in html
    assert "an account without a name" in html
