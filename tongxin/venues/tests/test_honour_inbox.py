"""The inbox (待我处理) counts the honours waiting for work: those under review, and the reviewed brands (青年文明号)
whose validity ends within the notice period, for the role holders who may act on them, never the honoured person
herself (four eyes); each item leads to the honours page narrowed to those honours. One query per user."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tongxin.core.inbox import pending_for
from tongxin.venues import services

pytestmark = pytest.mark.usefixtures("english")


def _award(org=None, person=None, **kw):
    values: dict[str, Any] = {"kind": "youth_civilisation", "level": "municipal", "year": 2024,
                              "awarding_body": "共青团昆明市委", "organization": org, "person": person}  # fmt: skip
    values.update(kw)
    return services.award_honour(None, **values)


def _items(user) -> dict[str, tuple[int, str]]:
    return {str(i.label): (i.count, i.url) for i in pending_for(user) if "onour" in str(i.label)}


def test_under_review_and_due_for_re_review(tree, users):
    soon = timezone.localdate() + datetime.timedelta(days=20)
    later = timezone.localdate() + datetime.timedelta(days=400)
    due = _award(tree.branch_a, valid_until=soon)
    _award(tree.branch_a, valid_until=later)  # not yet due
    _award(tree.branch_a, kind="shock_team", valid_until=soon)  # not a reviewed kind
    expired = _award(tree.branch_b, valid_until=timezone.localdate() - datetime.timedelta(days=3))
    services.review_honour(None, _award(tree.branch_a, valid_until=later))
    url = reverse("venues:honours")
    assert _items(users.secretary_a) == {
        "Honours under review": (1, f"{url}?waiting=review"),
        "Honours due for re-review": (1, f"{url}?waiting=due"),
    }
    assert _items(users.committee_admin)["Honours due for re-review"][0] == 2  # branch B's lapsed one too
    assert _items(users.secretary_b) == {"Honours due for re-review": (1, f"{url}?waiting=due")}
    assert _items(users.outsider) == {} and _items(users.member) == {}
    with CaptureQueriesContext(connection) as queries:
        services.pending_honours(users.committee_admin)
    assert len(queries) <= 2  # the roles, then one aggregate
    assert {h.pk for h in services.honours_waiting(users.committee_admin, "due")} == {due.pk, expired.pk}


def test_an_honour_of_ones_own_is_not_waiting_for_her(tree, users, selves):
    services.review_honour(None, _award(person=tree.people.a1, kind="outstanding_member"))
    assert _items(selves.secretary) == {}
    assert _items(users.secretary_a) == {"Honours under review": (1, f"{reverse('venues:honours')}?waiting=review")}


def test_the_inbox_link_narrows_the_honours_page(tree, users, client_for):
    soon = timezone.localdate() + datetime.timedelta(days=20)
    _award(tree.branch_a, valid_until=soon, awarding_body="到期复核单位")
    services.review_honour(None, _award(tree.branch_a, awarding_body="复核中单位"))
    _award(tree.branch_a, kind="shock_team", awarding_body="其他单位")
    client = client_for(users.secretary_a)
    inbox = client.get(reverse("core:inbox")).content.decode()
    assert "Honours under review" in inbox and "Honours due for re-review" in inbox
    page = client.get(reverse("venues:honours"), {"waiting": "review"}).content.decode()
    listed = page.split('data-testid="honour-list"')[1]
    assert listed.count("venues/honours/") == 1 and "Honours under review" in page
    page = client.get(reverse("venues:honours"), {"waiting": "due"}).content.decode()
    assert page.split('data-testid="honour-list"')[1].count("venues/honours/") == 1
    page = client.get(reverse("venues:honours")).content.decode()
    assert page.split('data-testid="honour-list"')[1].count("venues/honours/") == 3
