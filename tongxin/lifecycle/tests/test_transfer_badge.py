"""The navbar badge counts a transfer waiting for the user once: the pending item, not also its notification."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tongxin.accounts.notify import notify_users
from tongxin.core.inbox import badge_key, pending_for
from tongxin.lifecycle.models import TransferReason, TransferSide
from tongxin.lifecycle.services import transfers

pytestmark = pytest.mark.usefixtures("english")


def badge(html: str) -> str | None:
    match = re.search(r"data-inbox-badge>(\d+\+?)", html)
    return match.group(1) if match else None


def test_one_transfer_waiting_counts_once_in_the_badge_and_other_news_still_counts(tree, users, client_for):
    transfers.start_transfer(users.secretary_a, person=tree.people.a2, to_org=tree.branch_b,
                             side=TransferSide.SENDING, reason=TransferReason.OTHER)  # fmt: skip
    cache.delete(badge_key(users.secretary_b.pk))
    client = client_for(users.secretary_b)
    inbox = client.get("/inbox/").content.decode()
    assert "is being transferred to" in inbox  # the notification is there, in the list
    items = {str(item.label): item.count for item in pending_for(users.secretary_b)}
    assert items["Transfers to approve or accept"] == 1
    waiting = sum(items.values())  # the transfer, and whatever else waits for her (last month's dues)
    assert badge(client.get("/people/").content.decode()) == str(waiting)  # the transfer counted once

    notify_users([users.secretary_b], text="Something else happened")  # news about nothing waiting
    assert badge(client.get("/people/").content.decode()) == str(waiting + 1)


def test_a_review_submitted_or_returned_counts_once_in_the_badge(tree, users, client_for):
    """The kind, not only the transfer: a message that hands over work the inbox already counts (a review to
    approve, a review returned to grade again) does not add to the badge a second time."""
    from django.utils import timezone

    from tongxin.lifecycle.services import review as reviews
    from tongxin.lifecycle.tests.review_helpers import Q, open_graded

    review = open_graded(users.secretary_a, tree.branch_a, [Q, Q])
    reviews.submit(users.secretary_a, review, meeting_on=timezone.localdate(), members_present=2)
    for user in (users.committee_admin, users.secretary_a):
        if user == users.secretary_a:
            reviews.return_for_changes(users.committee_admin, review, reason="请核实")
        cache.delete(badge_key(user.pk))
        waiting = sum(item.count for item in pending_for(user))
        assert waiting >= 1
        assert badge(client_for(user).get("/people/").content.decode()) == str(waiting), user.username
