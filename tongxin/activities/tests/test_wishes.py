"""Micro-wishes: a resident's public form (captcha, a rate per address, no files), a phone in the text flagged,
screening and publishing without the contact, claiming, fulfilling, the community's close under four eyes, the
public list of fulfilled wishes with no personal data; the outsider neither sees the contact nor acts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client

from tongxin.activities import services
from tongxin.activities.models import Wish, WishStatus
from tongxin.core.achievements import register_receiver, unregister_receiver
from tongxin.core.exceptions import DomainError
from tongxin.orgs.models import OrgCategory

pytestmark = pytest.mark.usefixtures("english")


def _wish(tree, text="需要有人帮忙修理轮椅"):
    return services.submit_wish(community=tree.branch_a, text=text, contact_name="王阿姨", contact_phone="13912345678")


def test_the_public_form_takes_a_wish_and_limits_a_flood(tree):
    tree.branch_a.category = OrgCategory.COMMUNITY
    tree.branch_a.save(update_fields=["category"])
    cache.clear()
    client = Client()
    assert client.get("/activities/wishes/new/").status_code == 200
    data = {"community": tree.branch_a.pk, "text": "楼道灯坏了需要更换", "contact_name": "王阿姨",
            "contact_phone": "13912345678", "captcha_0": "x", "captcha_1": "PASSED"}  # fmt: skip
    for _ in range(5):
        assert client.post("/activities/wishes/new/", data).status_code == 302
    refused = client.post("/activities/wishes/new/", data)
    assert refused.status_code == 200 and "Too many wishes" in refused.content.decode()
    assert Wish.objects.count() == 5
    wrong = Client().post("/activities/wishes/new/", {**data, "captcha_1": "WRONG"})
    assert wrong.status_code == 200 and Wish.objects.count() == 5


def test_a_phone_in_the_text_is_flagged_and_never_published(tree, users):
    wish = _wish(tree, "请联系我 139 1234 5678 帮忙买药")
    assert wish.flagged
    with pytest.raises(DomainError, match="no phone"):
        services.screen_wish(users.secretary_a, wish, publish=True)
    services.screen_wish(users.secretary_a, wish, publish=True, published_text="独居老人需要帮忙买药")
    assert Wish.objects.get(pk=wish.pk).status == WishStatus.PUBLISHED


def test_claim_fulfil_and_close_offer_the_points_hook(tree, users, selves):
    offered: list = []
    register_receiver("test", offered.append, lambda kind, source: None)
    try:
        wish = services.screen_wish(users.secretary_a, _wish(tree), publish=True)
        assert Wish.objects.visible_to(users.member).filter(pk=wish.pk).exists()  # open to claim
        services.claim_wish(users.member, wish)
        with pytest.raises(DomainError, match="already"):
            services.claim_wish(selves.secretary, wish)
        with pytest.raises(DomainError, match="Only the member who claimed"):
            services.fulfil_wish(selves.secretary, wish, "代为完成")
        services.fulfil_wish(users.member, wish, "已修好轮椅")
        services.close_wish(users.secretary_a, wish)
    finally:
        unregister_receiver("test")
    assert Wish.objects.get(pk=wish.pk).status == WishStatus.CLOSED
    assert [a.kind for a in offered] == [services.WISH_FULFILLED] and offered[0].person_id == tree.people.a2.pk
    page = Client().get("/activities/wishes/fulfilled/").content.decode()
    assert wish.published_text in page and "王阿姨" not in page and "13912345678" not in page


def test_the_claimer_does_not_close_her_own(tree, users, selves):
    wish = services.screen_wish(None, _wish(tree), publish=True)
    services.claim_wish(selves.secretary, wish)  # the second secretary of branch A is person a1
    services.fulfil_wish(selves.secretary, wish, "已完成")
    with pytest.raises(DomainError, match="concerns you personally"):
        services.close_wish(selves.secretary, wish)


def test_the_outsider_sees_no_contact_and_cannot_screen(tree, users, client_for):
    wish = _wish(tree)
    assert client_for(users.outsider).get(f"/activities/wishes/{wish.pk}/").status_code == 404
    assert client_for(users.member).get(f"/activities/wishes/{wish.pk}/").status_code == 404  # not published yet
    with pytest.raises(PermissionDenied):
        services.screen_wish(users.outsider, wish, publish=True)
    page = client_for(users.secretary_a).get(f"/activities/wishes/{wish.pk}/").content.decode()
    assert "13912345678" in page
    services.screen_wish(users.secretary_a, wish, publish=True)
    shown = client_for(users.member).get(f"/activities/wishes/{wish.pk}/").content.decode()
    assert "13912345678" not in shown and "王阿姨" not in shown


def test_the_api_never_shows_the_contact_and_hides_wishes_from_the_outsider(tree, users, api_for):
    wish = _wish(tree)
    answer = api_for(users.secretary_a).get(f"/api/wishes/{wish.pk}/")
    assert answer.status_code == 200 and "13912345678" not in answer.content.decode()
    assert api_for(users.outsider).get(f"/api/wishes/{wish.pk}/").status_code == 404
    assert (
        api_for(users.outsider).post(f"/api/wishes/{wish.pk}/screen/", {"publish": True}, format="json").status_code
        == 404
    )
    published = api_for(users.secretary_a).post(f"/api/wishes/{wish.pk}/screen/", {"publish": True}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    claimed = api_for(users.member).post(f"/api/wishes/{wish.pk}/claim/", format="json")
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == tree.people.a2.pk
