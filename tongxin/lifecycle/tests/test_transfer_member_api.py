"""A member's own transfer in the API, as on his pages (issue 12: the API and the pages agree on what a member
sees of his own cases): he lists it, reads it and withdraws it; he sees nobody else's and can take no other step."""

from __future__ import annotations

import pytest

from tongxin.lifecycle.models import Transfer, TransferReason, TransferSide, TransferStatus
from tongxin.lifecycle.services import transfers as services

pytestmark = pytest.mark.usefixtures("english")


def _own_transfer(tree, users) -> Transfer:
    return services.start_transfer(users.member, person=tree.people.a2, to_org=tree.branch_b,
                                   side=TransferSide.MEMBER, reason=TransferReason.OTHER)  # fmt: skip


def test_a_member_lists_and_reads_his_own_transfer_in_the_api(tree, users, client_for):
    own = _own_transfer(tree, users)
    other = services.start_transfer(users.secretary_a, person=tree.people.a1, to_org=tree.branch_b,
                                    side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip
    client = client_for(users.member)

    listed = client.get("/api/transfers/").json()
    detail = client.get(f"/api/transfers/{own.pk}/")

    assert [row["id"] for row in listed["results"]] == [own.pk]
    assert detail.status_code == 200 and detail.json()["status"] == TransferStatus.PENDING_OUT
    assert client.get(f"/api/transfers/{other.pk}/").status_code == 404


def test_a_member_withdraws_his_own_transfer_in_the_api_but_takes_no_other_step(tree, users, client_for):
    own = _own_transfer(tree, users)
    client = client_for(users.member)

    approve = client.post(f"/api/transfers/{own.pk}/approve-out/", {}, content_type="application/json")
    own.refresh_from_db()
    assert approve.status_code == 403 and own.status == TransferStatus.PENDING_OUT

    cancel = client.post(f"/api/transfers/{own.pk}/cancel/", {}, content_type="application/json")
    own.refresh_from_db()
    assert cancel.status_code == 200 and own.status == TransferStatus.CANCELLED


def test_a_viewer_of_nobody_cannot_withdraw_someone_elses_transfer(tree, users, client_for):
    """The withdrawal is looked up with VIEW so that the member reaches it; the service still refuses anyone
    else without a role on the side that started it."""
    sent = services.start_transfer(users.secretary_a, person=tree.people.a1, to_org=tree.branch_b,
                                   side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip
    client = client_for(users.secretary_b)  # sees it from the receiving side, did not start it

    response = client.post(f"/api/transfers/{sent.pk}/cancel/", {}, content_type="application/json")

    sent.refresh_from_db()
    assert response.status_code == 403 and sent.status != TransferStatus.CANCELLED
