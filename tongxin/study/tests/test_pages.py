"""The study pages: the member's phone flow with no answer key before he submits, the receipt and its public
verification, the secretary's drill-down (worst first, the members who have not taken part, the export),
and the outsiders who get 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tongxin.study import services
from tongxin.study.models import Attempt, Participation, Question
from tongxin.study.tests.helpers import open_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _quiz_answers(html: str, attempt: Attempt) -> dict[str, list[str]]:
    right = {str(q.pk): q.answer for q in Question.objects.filter(pk__in=attempt.question_ids)}
    return {f"q{qid}": [str(i) for i in answer] for qid, answer in right.items()}


def test_member_flow_without_answer_key_then_receipt_that_verifies(tree, users, client_for):
    period = open_period(tree)
    client = client_for(users.member)
    questions = list(Question.objects.filter(campaign=period.campaign))
    secrets_ = [q.explanation for q in questions if q.explanation]
    seen: list[str] = []

    def get(url):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        seen.append(response.content.decode())
        return response

    get(reverse("core:home"))
    get(reverse("study:mine"))
    get(reverse("study:period", args=[period.pk]))
    response = client.post(reverse("study:start", args=[period.pk]))
    attempt = Attempt.objects.get(person=tree.people.a2)
    assert response.url == reverse("study:attempt", args=[attempt.pk])
    page = get(response.url).content.decode()
    get(response.url)  # a reload
    # Nothing a member can get before submitting carries an explanation or marks the right option.
    for html in seen:
        for text in secrets_:
            assert text not in html
        assert "answer" not in re.sub(r"<[^>]*>", "", html).lower().replace("submit my answers", "")
    assert 'name="token"' in page
    answers = _quiz_answers(page, attempt)
    response = client.post(reverse("study:attempt", args=[attempt.pk]), {"token": attempt.token, **answers})
    assert response.url == reverse("study:result", args=[attempt.pk])
    # a double tap: the same form again makes no second participation
    client.post(reverse("study:attempt", args=[attempt.pk]), {"token": attempt.token, **answers})
    assert Participation.objects.filter(period=period).count() == 1
    result = client.get(reverse("study:result", args=[attempt.pk])).content.decode()
    assert "100" in result and secrets_[0] in result
    participation = Participation.objects.get()
    receipt = client.get(reverse("study:receipt", args=[participation.pk])).content.decode()
    assert "<svg" in receipt
    found = re.search(r'href="(http://testserver/study/verify/\?t=[^"]+)"', receipt)
    assert found is not None
    verify_url = found.group(1)
    client.logout()
    ok = client.get(verify_url.replace("http://testserver", "").replace("&amp;", "&"))
    assert ok.status_code == 200 and "genuine" in ok.content.decode() and "李**" in ok.content.decode()
    forged = verify_url.replace("http://testserver", "").replace("&amp;", "&")[:-3] + "xx"
    refused = client.get(forged)
    assert refused.status_code == 400 and "not genuine" in refused.content.decode()


def test_outsiders_see_no_period_and_no_receipt(tree, users, client_for):
    period = open_period(tree, org=tree.committee1)
    attempt = services.start_attempt(users.member, period)
    services.submit_attempt(users.member, attempt, answers={}, token=attempt.token)
    participation = Participation.objects.get()
    client = client_for(users.outsider)
    for name, pk in (
        ("study:receipt", participation.pk),
        ("study:attempt", attempt.pk),
        ("study:result", attempt.pk),
        ("study:drill", period.pk),
        ("study:campaign", period.campaign_id),
        ("study:period", period.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name


def test_secretary_drill_down_worst_first_with_missing_members(tree, users, client_for):
    period = open_period(tree)
    services.record_participations(
        None, period, [(tree.people.a2, 90, period.opens_at), (tree.people.b1, 90, period.opens_at)]
    )
    client = client_for(users.committee_admin)
    page = client.get(reverse("study:drill", args=[period.pk])).content.decode()
    # committee 1 sees its own row and its branches: A (1/2) before B (1/1)
    assert page.index("甲团支部") < page.index("乙团支部")
    assert "66.7%" in page
    client = client_for(users.secretary_a)
    page = client.get(reverse("study:drill", args=[period.pk])).content.decode()
    assert "张甲一" in page and "李甲二" not in page  # a1 has not taken part, a2 has
    export = client.get(reverse("study:drill_export", args=[period.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    # secretary A may not drill into branch B
    assert client.get(reverse("study:drill", args=[period.pk]) + f"?org={tree.branch_b.pk}").status_code == 404


def test_campaign_page_lists_the_season_of_each_branch_worst_first(tree, users, client_for):
    """The campaign page of a committee's campaign: its branches' season rows (it answered 500 once a campaign
    had organisations below it: the rows were handed to the template without their tiers)."""
    period = open_period(tree, org=tree.committee1)
    services.record_participations(
        None, period, [(tree.people.a2, 90, period.opens_at), (tree.people.b1, 90, period.opens_at)]
    )
    response = client_for(users.committee_admin).get(reverse("study:campaign", args=[period.campaign_id]))
    assert response.status_code == 200
    page = response.content.decode()
    rates = page[page.index('data-testid="rates"') :]
    assert rates.index("甲团支部") < rates.index("乙团支部")  # A (1 of 2) before B (1 of 1)
    assert "50.0%" in rates and "100.0%" in rates


def test_video_served_with_ranges(tree, users, client_for):
    period = open_period(tree)
    content = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4
    services.upload_video(None, period, file_name="v.mp4", content=content)
    client = client_for(users.member)
    whole = client.get(reverse("study:video", args=[period.pk]))
    assert whole.status_code == 200 and whole.content == content
    part = client.get(reverse("study:video", args=[period.pk]), HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and part.content == content[10:20]
    assert part["Content-Range"] == f"bytes 10-19/{len(content)}"
    assert client_for(users.outsider).get(reverse("study:video", args=[period.pk])).status_code == 404


def test_secretary_sets_up_a_campaign(tree, users, client_for):
    client = client_for(users.committee_admin)
    response = client.post(
        reverse("study:campaigns"),
        {
            "organization": tree.committee1.pk,
            "title": "青年大学习 2027 春季",
            "audience_statuses": ["03"],
            "tier_thresholds": "95,90,80",
        },
    )
    campaign = services.StudyCampaign.objects.get()
    assert response.url == reverse("study:campaign", args=[campaign.pk])
    client.post(
        reverse("study:campaign", args=[campaign.pk]),
        {
            "q-kind": "single",
            "q-text": "团的基本任务？",
            "q-options": "甲\n乙\n丙",
            "q-answer": "2",
            "q-explanation": "见团章",
        },
    )
    question = Question.objects.get()
    assert question.answer == [1]
    response = client.post(
        reverse("study:campaign", args=[campaign.pk]),
        {
            "p-number": 1,
            "p-title": "第一期",
            "p-opens_at": "2026-12-01T08:00",
            "p-closes_at": "2026-12-30T22:00",
            "p-selection": "fixed",
            "p-questions": [question.pk],
            "p-min_watch_seconds": 0,
            "p-question_count": 5,
            "p-max_attempts": 3,
        },
    )
    assert response.status_code == 302
    assert campaign.periods.count() == 1
    assert client_for(users.member).post(reverse("study:campaigns"), {"title": "x"}).status_code == 404


def test_member_home_inbox_and_own_rate(tree, users, client_for):
    from tongxin.study import queries

    period = open_period(tree)
    assert [item.count for item in queries.pending_periods(users.member)] == [1]
    assert queries.pending_periods(users.secretary_a) == []  # no person record: nothing to take part in
    home = client_for(users.member).get(reverse("core:home")).content.decode()
    assert 'data-home-card="study"' in home and period.title in home
    services.record_participations(None, period, [(tree.people.a2, 80, period.opens_at)])
    assert queries.pending_periods(users.member) == []
    mine = client_for(users.member).get(reverse("study:mine")).content.decode()
    assert "100.0%" in mine  # one period opened, one done
