"""What the secretary sets up on the campaign pages, through the API: campaigns (create, read, change, deactivate),
the question bank (the answer key for those who manage the campaign only) and new periods, through the same
services; refusals are 400 naming the field."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from tongxin.core.models import ChangeLog
from tongxin.study import services
from tongxin.study.models import PeriodStats, Question, StudyCampaign, StudyPeriod
from tongxin.study.tests.helpers import bank, open_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def later(hours: int) -> str:
    return (timezone.now() + datetime.timedelta(hours=hours)).isoformat()


def test_a_secretary_creates_changes_and_deactivates_a_campaign(tree, users, api_for):
    api = api_for(users.secretary_a)
    created = api.post("/api/study-campaigns/", {"organization": tree.branch_a.pk, "title": "支部学习",
                                                 "audience_statuses": ["03", "01"]}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["audience_statuses"] == ["03", "01"] and body["active"] is True
    assert body["tier_thresholds"] == "95,90,80"
    pk = body["id"]
    assert [row["id"] for row in api.get("/api/study-campaigns/").json()["results"]] == [pk]

    changed = api.patch(f"/api/study-campaigns/{pk}/", {"title": "支部学习（修订）", "tiers_enabled": True,
                                                       "tier_thresholds": "80,95"}, format="json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "支部学习（修订）" and changed.json()["tier_thresholds"] == "95,80"
    assert StudyCampaign.objects.get(pk=pk).tiers_enabled is True
    log = ChangeLog.objects.filter(object_id=str(pk), action=ChangeLog.Action.UPDATE).latest("pk")
    assert log.before and log.after and (log.before["title"], log.after["title"]) == ("支部学习", "支部学习（修订）")

    done = api.post(f"/api/study-campaigns/{pk}/deactivate/")
    assert done.status_code == 200 and done.json()["active"] is False and done.json()["deactivated_at"]
    again = api.post(f"/api/study-campaigns/{pk}/deactivate/")
    assert again.status_code == 400 and "non_field_errors" in again.json()
    assert api.patch(f"/api/study-campaigns/{pk}/", {"title": "再改"}, format="json").status_code == 400
    assert StudyCampaign.objects.get(pk=pk).title == "支部学习（修订）"


def test_refusals_name_their_field(tree, users, api_for):
    api = api_for(users.secretary_a)
    party = api.post("/api/study-campaigns/", {"organization": tree.party_branch.pk, "title": "党支部"}, format="json")
    assert party.status_code == 400 and "organization" in party.json()
    blank = api.post("/api/study-campaigns/", {"organization": tree.branch_a.pk, "title": "  "}, format="json")
    assert blank.status_code == 400 and "title" in blank.json()
    tiers = api.post("/api/study-campaigns/", {"organization": tree.branch_a.pk, "title": "学习",
                                               "tier_thresholds": "120"}, format="json")  # fmt: skip
    assert tiers.status_code == 400 and "tier_thresholds" in tiers.json()
    period = open_period(tree)  # the district's, open now: its audience is fixed
    district = api_for(users.district)
    audience = district.patch(f"/api/study-campaigns/{period.campaign_id}/", {"audience_statuses": ["01"]},
                              format="json")  # fmt: skip
    assert audience.status_code == 400 and "audience_statuses" in audience.json()
    assert StudyCampaign.objects.get(pk=period.campaign_id).audience_statuses == "03"


def test_the_audience_changes_until_a_period_opens_and_the_members_are_counted_again(tree, users, api_for):
    period = open_period(tree, opens_in=24, closes_in=48)
    assert PeriodStats.objects.get(period=period, organization=tree.root).members == 5
    api = api_for(users.district)
    changed = api.patch(f"/api/study-campaigns/{period.campaign_id}/", {"audience_statuses": ["01"]}, format="json")
    assert changed.status_code == 200, changed.content
    assert PeriodStats.objects.get(period=period, organization=tree.root).members == 0  # no party member in the tree


def test_others_neither_see_nor_change_a_campaign(tree, users, api_for):
    period = open_period(tree, org=tree.committee1)
    pk = period.campaign_id
    for user in (users.outsider, users.member, users.nobody):
        api = api_for(user)
        assert api.get(f"/api/study-campaigns/{pk}/").status_code == 404
        assert api.patch(f"/api/study-campaigns/{pk}/", {"title": "越权"}, format="json").status_code == 404
        assert api.post(f"/api/study-campaigns/{pk}/deactivate/").status_code == 404
        assert api.post(f"/api/study-campaigns/{pk}/reactivate/").status_code == 404
        assert api.get("/api/study-campaigns/").json()["results"] == []
    # The viewer sees committee 1's campaign; secretary A sees it as the campaign her branch takes part in (as on
    # the pages): neither changes it (403: seen, not theirs to change).
    for user in (users.viewer, users.secretary_a):
        api = api_for(user)
        assert api.get(f"/api/study-campaigns/{pk}/").status_code == 200
        assert [row["id"] for row in api.get("/api/study-campaigns/").json()["results"]] == [pk]
        assert api.patch(f"/api/study-campaigns/{pk}/", {"title": "越权"}, format="json").status_code == 403
        assert api.post(f"/api/study-campaigns/{pk}/deactivate/").status_code == 403
    assert StudyCampaign.objects.get(pk=pk).deactivated_at is None
    assert StudyCampaign.objects.get(pk=pk).title == "青年大学习 2027 春季"


def test_the_question_bank_with_its_answer_key_for_those_who_manage_the_campaign(tree, users, api_for):
    campaign = services.create_campaign(None, organization=tree.committee1, title="团委学习")
    api = api_for(users.committee_admin)
    data = {"campaign": campaign.pk, "kind": "multiple", "text": "哪些正确？\n多选", "options": ["甲", "乙", "丙"],
            "answer": [0, 2], "explanation": "甲丙正确"}  # fmt: skip
    created = api.post("/api/study-questions/", data, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["answer"] == [0, 2] and body["explanation"] == "甲丙正确" and body["text"] == "哪些正确？\n多选"
    listed = api.get(f"/api/study-questions/?campaign={campaign.pk}").json()["results"]
    assert [(row["id"], row["answer"]) for row in listed] == [(body["id"], [0, 2])]

    changed = api.patch(f"/api/study-questions/{body['id']}/", {"answer": [1], "kind": "single"}, format="json")
    assert changed.status_code == 200 and changed.json()["answer"] == [1]
    wrong = api.patch(f"/api/study-questions/{body['id']}/", {"answer": [5]}, format="json")
    assert wrong.status_code == 400 and "answer" in wrong.json()
    true_false = api.post("/api/study-questions/", {"campaign": campaign.pk, "kind": "true_false", "text": "对吗",
                                                    "answer": [0, 1]}, format="json")  # fmt: skip
    assert true_false.status_code == 400 and "answer" in true_false.json()

    # Nobody else reads the bank: not the member (his quiz shows questions without the key), not the viewer who
    # only sees the committee, not the branch's secretary below the campaign's organisation.
    for user in (users.member, users.viewer, users.secretary_a, users.outsider):
        other = api_for(user)
        assert other.get(f"/api/study-questions/{body['id']}/").status_code == 404
        text = json.dumps(other.get("/api/study-questions/").json(), ensure_ascii=False)
        assert "甲丙正确" not in text and '"answer"' not in text
        refused = other.post("/api/study-questions/", {**data, "text": "越权"}, format="json")
        assert refused.status_code == 400 and "campaign" in refused.json()
    assert Question.objects.filter(campaign=campaign).count() == 1


def test_a_question_an_opened_period_asks_keeps_its_key(tree, users, api_for):
    period = open_period(tree, org=tree.committee1)
    question = period.questions.order_by("pk").first()
    api = api_for(users.committee_admin)
    refused = api.patch(f"/api/study-questions/{question.pk}/", {"answer": [2]}, format="json")
    assert refused.status_code == 400 and "answer" in refused.json()
    assert Question.objects.get(pk=question.pk).answer == [1]
    typo = api.patch(f"/api/study-questions/{question.pk}/", {"text": "问题（更正）", "active": False}, format="json")
    assert typo.status_code == 200 and typo.json()["text"] == "问题（更正）" and typo.json()["active"] is False


def test_a_period_is_created_through_the_api_with_the_pages_service(tree, users, api_for):
    campaign = services.create_campaign(None, organization=tree.committee1, title="团委学习")
    questions = bank(campaign)
    api = api_for(users.committee_admin)
    data = {"campaign": campaign.pk, "number": 1, "title": "第一期", "opens_at": later(1), "closes_at": later(48),
            "questions": [q.pk for q in questions[:2]], "max_attempts": 2}  # fmt: skip
    created = api.post("/api/study-periods/", data, format="json")
    assert created.status_code == 201, created.content
    period = StudyPeriod.objects.get(pk=created.json()["id"])
    assert period.question_count == 2 and period.max_attempts == 2 and created.json()["offered"] is True
    assert PeriodStats.objects.get(period=period, organization=tree.committee1).members == 3  # counted as on the page
    assert ChangeLog.objects.filter(object_id=str(period.pk), action=ChangeLog.Action.CREATE).exists()

    again = api.post("/api/study-periods/", data, format="json")
    assert again.status_code == 400 and "number" in again.json()
    closes_first = api.post("/api/study-periods/", {**data, "number": 2, "closes_at": later(0)}, format="json")
    assert closes_first.status_code == 400 and "closes_at" in closes_first.json()
    other = services.create_campaign(None, organization=tree.committee1, title="另一个")
    foreign = bank(other, 1)[0]
    mixed = api.post("/api/study-periods/", {**data, "number": 3, "questions": [foreign.pk]}, format="json")
    assert mixed.status_code == 400 and "questions" in mixed.json()
    random = api.post("/api/study-periods/", {**data, "number": 4, "selection": "random", "category": "理论",
                                              "question_count": 9, "questions": []}, format="json")  # fmt: skip
    assert random.status_code == 400 and "question_count" in random.json()
    outsider = api_for(users.outsider).post("/api/study-periods/", {**data, "number": 5}, format="json")
    assert outsider.status_code == 400 and "campaign" in outsider.json()
    assert StudyPeriod.objects.filter(campaign=campaign).count() == 1


def test_a_deactivated_campaign_takes_no_new_period_or_question(tree, users, api_for):
    campaign = services.create_campaign(None, organization=tree.committee1, title="团委学习")
    questions = bank(campaign)
    api = api_for(users.committee_admin)
    assert api.post(f"/api/study-campaigns/{campaign.pk}/deactivate/").status_code == 200
    period = api.post("/api/study-periods/", {"campaign": campaign.pk, "number": 1, "title": "第一期",
                                              "opens_at": later(1), "closes_at": later(48),
                                              "questions": [questions[0].pk]}, format="json")  # fmt: skip
    assert period.status_code == 400 and "non_field_errors" in period.json()
    question = api.post("/api/study-questions/", {"campaign": campaign.pk, "kind": "single", "text": "新题",
                                                  "options": ["甲", "乙"], "answer": [0]}, format="json")  # fmt: skip
    assert question.status_code == 400
    assert not StudyPeriod.objects.filter(campaign=campaign).exists()
    assert Question.objects.filter(campaign=campaign).count() == len(questions)


def test_the_lists_read_a_fixed_number_of_queries(tree, users, api_for):
    """No query per row: the campaigns and the question bank cost the same with one row or many."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(users.district)
    first = services.create_campaign(None, organization=tree.root, title="一")
    bank(first, 1)

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        return len(queries)

    few = (cost("/api/study-campaigns/"), cost("/api/study-questions/"))
    for n in range(4):
        bank(services.create_campaign(None, organization=tree.committee1, title=f"多{n}"), 3)
    assert (cost("/api/study-campaigns/"), cost("/api/study-questions/")) == few
