"""A destructive form asks before it acts even without JavaScript (issue 13): the form's hidden question
(``{% ask_first %}``) makes the server answer an unconfirmed POST with a page asking it; nothing is written
until that page's button sends the same fields again."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.http import QueryDict
from django.urls import reverse

from tongxin.core.confirm import questions
from tongxin.orglife.models import MeetingStatus
from tongxin.orglife.tests.meeting_helpers import planned

pytestmark = pytest.mark.usefixtures("english")

FORM = re.compile(r'<form method="post" action="(?P<action>[^"]*)"[^>]*>(?P<body>.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]*)" value="(?P<value>[^"]*)">')


def form_posting_to(page: str, action: str) -> dict[str, list[str]]:
    """The fields a browser without JavaScript sends from the form posting to ``action`` (hidden inputs)."""
    for m in FORM.finditer(page):
        if unescape(m["action"]) == action:
            fields: dict[str, list[str]] = {}
            for h in HIDDEN.finditer(m["body"]):
                fields.setdefault(unescape(h["name"]), []).append(unescape(h["value"]))
            return fields
    raise AssertionError(f"no form posting to {action}")


def test_cancelling_a_meeting_without_javascript_asks_on_a_page_first(tree, users, client_for):
    meeting = planned(users.secretary_a, tree.branch_a)
    client = client_for(users.secretary_a)
    cancel = reverse("orglife:meeting_cancel", args=[meeting.pk])
    detail = client.get(reverse("orglife:meeting_detail", args=[meeting.pk])).content.decode()
    sent = form_posting_to(detail, cancel)
    sent.pop("csrfmiddlewaretoken", None)

    asked = client.post(cancel, sent, HTTP_REFERER="http://testserver" + reverse("orglife:meeting_detail",
                                                                                 args=[meeting.pk]))  # fmt: skip
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Cancel this meeting? Everyone invited sees it as cancelled." in page
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED  # nothing written yet
    assert reverse("orglife:meeting_detail", args=[meeting.pk]) in page  # "No, go back" leads back

    again = form_posting_to(page, cancel)
    again.pop("csrfmiddlewaretoken", None)
    assert again["_confirmed"] == ["1"]
    assert client.post(cancel, again).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_the_browser_confirmed_post_goes_straight_through(tree, users, client_for):
    meeting = planned(users.secretary_a, tree.branch_a)
    client = client_for(users.secretary_a)
    cancel = reverse("orglife:meeting_cancel", args=[meeting.pk])
    response = client.post(cancel, {"_ask": "Cancel this meeting?", "_confirmed": "1"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_the_question_page_escapes_what_was_sent_and_keeps_leaving_the_site_out(tree, users, client_for):
    meeting = planned(users.secretary_a, tree.branch_a)
    client = client_for(users.secretary_a)
    cancel = reverse("orglife:meeting_cancel", args=[meeting.pk])
    page = client.post(cancel, {"_ask": "<script>x()</script>", "note": '"><b>'},
                       HTTP_REFERER="https://elsewhere.example/").content.decode()  # fmt: skip
    assert "<script>x()</script>" not in page and "&lt;script&gt;" in page
    assert '"><b>' not in page
    assert "elsewhere.example" not in page  # the way back never leaves the site


def test_a_question_bound_to_one_button_is_asked_only_for_that_button():
    def sent(**fields: str) -> QueryDict:
        form = QueryDict(mutable=True)
        form.update({"_ask:decision=reject": "Reject this wish?", "_ask:undo": "Take it back?", **fields})
        return form

    assert questions(sent(decision="reject")) == ["Reject this wish?"]
    assert questions(sent(decision="publish")) == []
    assert questions(sent(decision="publish", undo="7")) == ["Take it back?"]
    assert questions(QueryDict("_ask=Remove?&_ask=Remove?&_ask=")) == ["Remove?"]
