"""The transfers page offers "ask for a member's transfer in" only to those who may ask (the crawl of issue 13
found a viewer led by it to a 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

START_IN = reverse("lifecycle:transfer_start_in")


@pytest.mark.parametrize(("who", "offered"), [("secretary_a", True), ("committee_admin", True), ("viewer", False)])
def test_the_transfer_in_button_leads_only_where_the_user_may_go(client_for, users, who, offered):
    client = client_for(getattr(users, who))
    page = client.get(reverse("lifecycle:transfers"))
    assert page.status_code == 200
    assert (START_IN in page.content.decode()) is offered
    assert client.get(START_IN).status_code == (200 if offered else 404)
