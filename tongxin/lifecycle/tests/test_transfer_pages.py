"""The transfer pages as the two secretaries use them; the list's query count does not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.lifecycle.models import Transfer, TransferReason, TransferSide, TransferStatus
from tongxin.lifecycle.services import transfers as services
from tongxin.people.models import Person

pytestmark = pytest.mark.usefixtures("english")


def test_a_secretary_starts_a_transfer_from_the_person_page(tree, users, client_for):
    client = client_for(users.secretary_a)
    page = client.get(f"/people/{tree.people.a1.pk}/").content.decode()
    assert f"/lifecycle/transfers/person/{tree.people.a1.pk}/" in page

    response = client.post(f"/lifecycle/transfers/person/{tree.people.a1.pk}/",
                           {"destination": tree.branch_b.code, "reason": "other"})  # fmt: skip

    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lifecycle/transfers/{transfer.pk}/"
    assert transfer.status == TransferStatus.PENDING_IN and transfer.to_org == tree.branch_b


def test_an_unknown_or_ambiguous_destination_is_explained_on_the_form(tree, users, client_for):
    client = client_for(users.secretary_a)
    url = f"/lifecycle/transfers/person/{tree.people.a1.pk}/"

    page = client.post(url, {"destination": "不存在的团委", "reason": "other"}).content.decode()

    assert "No active league organisation has this code or full name" in page
    assert not Transfer.objects.exists()


def test_the_receiving_secretary_sees_it_waiting_and_accepts_it(tree, users, client_for):
    transfer = services.start_transfer(users.secretary_a, person=tree.people.a1, to_org=tree.branch_b,
                                       side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip
    client = client_for(users.secretary_b)

    listing = client.get("/lifecycle/transfers/").content.decode()
    assert tree.people.a1.name in listing and 'data-testid="act-selected"' in listing
    detail = client.get(f"/lifecycle/transfers/{transfer.pk}/").content.decode()
    assert 'data-testid="accept"' in detail and 'data-testid="approve"' not in detail

    client.post(f"/lifecycle/transfers/{transfer.pk}/accept/")

    assert Person.objects.get(pk=tree.people.a1.pk).branch == tree.branch_b


def test_the_sending_secretary_cannot_accept_on_the_other_side(tree, users, client_for):
    transfer = services.start_transfer(users.secretary_a, person=tree.people.a1, to_org=tree.branch_b,
                                       side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip
    client = client_for(users.secretary_a)
    assert 'data-testid="accept"' not in client.get(f"/lifecycle/transfers/{transfer.pk}/").content.decode()

    response = client.post(f"/lifecycle/transfers/{transfer.pk}/accept/")

    assert response.status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING_IN


def test_a_member_follows_his_own_transfer(tree, users, client_for):
    client = client_for(users.member)
    client.post(f"/lifecycle/transfers/person/{tree.people.a2.pk}/",
                {"external_destination": "北京某公司", "reason": "employment_without_org"})  # fmt: skip
    transfer = Transfer.objects.get()

    page = client.get(f"/lifecycle/transfers/{transfer.pk}/").content.decode()

    assert transfer.started_by_side == TransferSide.MEMBER and transfer.status == TransferStatus.PENDING_OUT
    assert "北京某公司" in page and 'data-testid="cancel"' in page and 'data-testid="approve"' not in page


def test_the_receiving_side_asks_by_id_number(tree, users, client_for):
    client = client_for(users.secretary_b)
    response = client.post("/lifecycle/transfers/in/", {"id_number": tree.people.a1.id_number.lower(),
                                                        "to_org": tree.branch_b.pk, "reason": "other"})  # fmt: skip
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert (transfer.started_by_side, transfer.status) == (TransferSide.RECEIVING, TransferStatus.PENDING_OUT)


def test_bulk_approval_from_the_waiting_list(tree, users, client_for):
    first = services.start_transfer(users.member, person=tree.people.a2, to_org=tree.branch_b,
                                    side=TransferSide.MEMBER, reason=TransferReason.OTHER)  # fmt: skip
    client = client_for(users.secretary_a)

    response = client.post("/lifecycle/transfers/act/", {"ids": [first.pk]}, follow=True)

    assert "1 transfers moved on" in response.content.decode()
    first.refresh_from_db()
    assert first.status == TransferStatus.PENDING_IN


def test_the_list_costs_the_same_queries_for_3_and_30_transfers(tree, users, client_for):
    from tongxin.core.testing import person_data
    from tongxin.people.services import create_person

    client = client_for(users.district)

    def make(n):
        for i in range(n):
            person = create_person(None, person_data(tree.branch_a, name=f"转出{i:02d}{n}"))
            services.start_transfer(None, person=person, to_org=tree.branch_c, side=TransferSide.SENDING,
                                    reason=TransferReason.OTHER)  # fmt: skip

    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/lifecycle/transfers/?tab=all").status_code == 200
        return len(ctx.captured_queries)

    make(3)
    client.get("/lifecycle/transfers/?tab=all")
    small = measure()
    make(27)
    assert measure() == small
