"""Issue 14's last gaps: a campaign's season (its span and state, derived from its periods, current ones listed
first, in one query), the API's campaigns and periods reaching as far as the pages (the campaigns above the
caller's organisation, read-only; their question bank still not hers), and reactivating a deactivated campaign
(service, page, API)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.study import queries, services
from tongxin.study.models import PeriodStats, Question, StudyCampaign, StudyPeriod
from tongxin.study.tests.helpers import bank, open_period, right_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def hours(n: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=n)


def day(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


def campaign_with(tree, title: str, *spans: tuple[float, float], org=None) -> StudyCampaign:
    """A campaign with one period per (opens, closes) in hours from now (set after creation: the past too)."""
    campaign = services.create_campaign(None, organization=org or tree.root, title=title)
    questions = bank(campaign, 1)
    for number, (opens, closes) in enumerate(spans, start=1):
        period = services.create_period(None, campaign, number=number, title=f"第{number}期", opens_at=hours(1),
                                        closes_at=hours(2), questions=questions)  # fmt: skip
        StudyPeriod.objects.filter(pk=period.pk).update(opens_at=hours(opens), closes_at=hours(closes))
    return campaign


def seasons(tree) -> dict[str, StudyCampaign]:
    """Made oldest first in the order the list used to show last (newest first): ended, then the others."""
    made = {
        "running": campaign_with(tree, "进行中的活动", (-72, -48), (24, 48)),  # between its two periods: running
        "soon": campaign_with(tree, "下周开始", (24 * 7, 24 * 8)),
        "later": campaign_with(tree, "下月开始", (24 * 30, 24 * 31)),
        "empty": campaign_with(tree, "还没有学习期"),
        "old": campaign_with(tree, "去年的活动", (-24 * 400, -24 * 390)),
        "done": campaign_with(tree, "上周结束", (-24 * 14, -24 * 7)),
    }
    # Deactivated after its first period closed: its second period, withdrawn, no longer makes its span.
    made["stopped"] = campaign_with(tree, "提前结束", (-24 * 3, -24 * 2), (24, 48))
    services.deactivate_campaign(None, made["stopped"])
    return made


ORDER = ["running", "soon", "later", "empty", "stopped", "done", "old"]


def test_the_list_shows_each_season_current_ones_first(tree, users, client_for, api_for):
    made = seasons(tree)
    page = client_for(users.district).get(reverse("study:campaigns")).content.decode()
    positions = [page.index(made[key].title) for key in ORDER]
    assert positions == sorted(positions), "in progress, not started (soonest first), then ended (latest first)"
    running = page[page.index(made["running"].title) : page.index(made["soon"].title)]
    assert "In progress" in running and f"{day(hours(-72))} – {day(hours(48))}" in running
    assert "Not started" in page[page.index(made["soon"].title) : page.index(made["later"].title)]
    assert "No periods yet." in page[page.index(made["empty"].title) : page.index(made["stopped"].title)]
    stopped = page[page.index(made["stopped"].title) : page.index(made["done"].title)]
    assert "Ended" in stopped and f"{day(hours(-72))} – {day(hours(-48))}" in stopped  # the withdrawn period left out

    rows = api_for(users.district).get("/api/study-campaigns/").json()["results"]
    assert [row["id"] for row in rows] == [made[key].pk for key in ORDER]
    by_id = {row["id"]: row for row in rows}
    assert [by_id[made[key].pk]["state"] for key in ORDER] == ["in_progress"] + ["not_started"] * 3 + ["ended"] * 3
    running_row = by_id[made["running"].pk]
    periods = StudyPeriod.objects.filter(campaign=made["running"]).order_by("number")
    assert datetime.datetime.fromisoformat(running_row["first_opens_at"]) == periods[0].opens_at
    assert datetime.datetime.fromisoformat(running_row["last_closes_at"]) == periods[1].closes_at
    assert (by_id[made["empty"].pk]["first_opens_at"], by_id[made["empty"].pk]["last_closes_at"]) == (None, None)
    assert not hasattr(StudyCampaign, "first_opens_at")  # derived, no second source of truth


def test_the_state_follows_the_periods_and_the_labels_are_translated(tree, users, client_for):
    campaign = campaign_with(tree, "春季", (2, 24))
    assert queries.span_of(campaign).state == "not_started"
    StudyPeriod.objects.filter(campaign=campaign).update(opens_at=hours(-1))  # its period opened
    assert queries.span_of(StudyCampaign.objects.get(pk=campaign.pk)).state == "in_progress"
    page = client_for(users.district).get(reverse("study:campaign", args=[campaign.pk])).content.decode()
    season = page[page.index('data-testid="season"') :]
    assert "In progress" in season and f"{day(hours(-1))} – {day(hours(24))}" in season
    StudyPeriod.objects.filter(campaign=campaign).update(closes_at=hours(-0.5))
    assert queries.span_of(StudyCampaign.objects.get(pk=campaign.pk)).state == "ended"
    with translation.override("zh-hans"):
        labels = [str(label) for label in queries.CampaignState.labels]
    assert sorted(labels) == sorted(["进行中", "未开始", "已结束"])


def test_the_list_reads_the_seasons_in_a_fixed_number_of_queries(tree, users, client_for, api_for):
    """One GROUP BY for the spans and states: a list with more campaigns and periods costs the same."""
    campaign_with(tree, "一", (-1, 24))
    client, api = client_for(users.district), api_for(users.district)

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("study:campaigns")).status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api.get("/api/study-campaigns/").status_code == 200
        return len(page), len(listed)

    cost()  # the first request warms the session and the rules' caches
    few = cost()
    for n in range(4):
        campaign_with(tree, f"多{n}", (-24, -12), (-1, 24), (48, 72), org=tree.committee1)
    assert cost() == few


# --- the API reaches as far as the pages -----------------------------------------------------------------------


def test_the_api_lists_the_campaigns_above_as_the_pages_do_read_only(tree, users, client_for, api_for):
    district = open_period(tree)  # the district's campaign, open now
    committee = open_period(tree, org=tree.committee1)
    open_period(tree, org=tree.committee2)  # not above branch A
    own = services.create_campaign(users.secretary_a, organization=tree.branch_a, title="支部自学")
    own_questions = [services.add_question(None, own, kind="single", text="支部自己的题", options=["对", "错"],
                                           answer=[0], explanation="支部自己的解析")]  # fmt: skip
    api = api_for(users.secretary_a)

    listed = {row["id"] for row in api.get("/api/study-campaigns/").json()["results"]}
    on_page = {c.pk for c, _span in client_for(users.secretary_a).get(reverse("study:campaigns")).context["campaigns"]}
    assert listed == on_page == {district.campaign_id, committee.campaign_id, own.pk}
    periods = {row["id"] for row in api.get("/api/study-periods/").json()["results"]}
    assert periods == {district.pk, committee.pk}
    assert api.get(f"/api/study-periods/{district.pk}/").status_code == 200
    assert api.get(f"/api/study-campaigns/{district.campaign_id}/").json()["state"] == "in_progress"

    # Hers to read, not to change: 403 (seen), and nothing written.
    pk = district.campaign_id
    assert api.patch(f"/api/study-campaigns/{pk}/", {"title": "越权"}, format="json").status_code == 403
    assert api.post(f"/api/study-campaigns/{pk}/deactivate/").status_code == 403
    video = api.post(f"/api/study-periods/{district.pk}/video/", {}, format="multipart")
    assert video.status_code == 403
    assert StudyCampaign.objects.get(pk=pk).deactivated_at is None and StudyCampaign.objects.get(pk=pk).title != "越权"
    new_period = api.post("/api/study-periods/", {"campaign": pk, "number": 9, "title": "越权", "opens_at":
                                                  hours(1).isoformat(), "closes_at": hours(9).isoformat()},
                          format="json")  # fmt: skip
    assert new_period.status_code == 400 and "campaign" in new_period.json()
    # The pages refuse the same (404 there, as for every change out of her scope).
    client = client_for(users.secretary_a)
    assert client.get(reverse("study:campaign_edit", args=[pk])).status_code == 404
    assert client.post(reverse("study:campaign_reactivate", args=[pk])).status_code == 404

    # The district's question bank stays the district's: no question, no key, for the branch's secretary.
    district_bank = Question.objects.filter(campaign_id=pk)
    secrets = [q.explanation for q in district_bank] + [q.text for q in district_bank]
    responses = [
        api.get("/api/study-questions/"),
        api.get(f"/api/study-questions/?campaign={pk}"),
        *(api.get(f"/api/study-questions/{q.pk}/") for q in district_bank),
        api.get("/api/study-campaigns/"),
        api.get(f"/api/study-campaigns/{pk}/"),
        api.get("/api/study-periods/"),
        api.get(f"/api/study-periods/{district.pk}/"),
    ]
    for response in responses:
        text = json.dumps(response.json(), ensure_ascii=False)
        assert not any(secret in text for secret in secrets)
    assert [r.status_code for r in responses[2 : 2 + district_bank.count()]] == [404] * district_bank.count()
    mine = api.get("/api/study-questions/").json()["results"]
    assert [(row["id"], row["answer"]) for row in mine] == [(q.pk, q.answer) for q in own_questions]


def test_a_member_gets_no_campaign_period_or_key_from_the_api(tree, users, api_for):
    """The member of branch A (no role) is in the district campaign's audience: the campaign and period routes
    give him nothing, the bank nothing, his attempt no key before he submits."""
    period = open_period(tree)
    api = api_for(users.member)
    started = api.post("/api/study-attempts/", {"period": period.pk}, format="json").json()
    keys = [q.explanation for q in Question.objects.filter(campaign=period.campaign)]
    for url in ("/api/study-campaigns/", "/api/study-periods/", "/api/study-questions/",
                f"/api/study-attempts/{started['id']}/"):  # fmt: skip
        text = json.dumps(api.get(url).json(), ensure_ascii=False)
        assert '"answer"' not in text and not any(key in text for key in keys)
    assert api.get("/api/study-campaigns/").json()["results"] == []
    assert api.get("/api/study-periods/").json()["results"] == []
    assert api.get(f"/api/study-campaigns/{period.campaign_id}/").status_code == 404


# --- reactivation ----------------------------------------------------------------------------------------------


def season(tree):
    """The district's campaign with a period open now (opened 3 hours ago) and one opening in a day."""
    now_open = open_period(tree, opens_in=-3)
    later = services.create_period(None, now_open.campaign, number=2, title="第二期", opens_at=hours(24),
                                   closes_at=hours(48), questions=list(now_open.questions.all()))  # fmt: skip
    return now_open.campaign, now_open, later


def test_reactivating_offers_the_withdrawn_periods_again_as_before(tree, users):
    campaign, now_open, later = season(tree)
    before = {p.pk: services.kept_stats(p) for p in (now_open, later)}
    services.deactivate_campaign(users.district, campaign)
    assert PeriodStats.objects.get(period=later, organization=tree.root).members == 0  # withdrawn: nobody

    with pytest.raises(PermissionDenied):
        services.reactivate_campaign(users.secretary_a, campaign)  # she sees it; it is the district's to change
    services.reactivate_campaign(users.district, campaign)
    campaign.refresh_from_db()
    assert campaign.deactivated_at is None and campaign.active
    person = users.member.person
    assert list(queries.member_periods(person, only_open=False)) == [now_open, later]
    assert {p.pk: services.kept_stats(p) for p in (now_open, later)} == before  # counted again as before
    assert services.kept_stats(later) == services.expected_stats(later)
    later.refresh_from_db()
    assert later.members_counted_at < later.opens_at  # counted once more at its opening
    log = ChangeLog.objects.filter(object_id=str(campaign.pk), action=ChangeLog.Action.UPDATE).latest("pk")
    assert log.before and log.before["deactivated_at"] and log.after == {"deactivated_at": None}

    with pytest.raises(DomainError, match="nothing to reactivate"):
        services.reactivate_campaign(users.district, campaign)
    services.update_campaign(users.district, campaign, title="青年大学习（续）")  # edited again
    bank(campaign, 1)  # takes questions again


def test_a_period_that_opened_while_withdrawn_is_answerable_once_reactivated(tree, users):
    campaign, _now_open, later = season(tree)
    services.deactivate_campaign(users.district, campaign)
    # The clock moved on: the later period opened two hours after the deactivation, while withdrawn.
    StudyCampaign.objects.filter(pk=campaign.pk).update(deactivated_at=hours(-3))
    StudyPeriod.objects.filter(pk=later.pk).update(opens_at=hours(-1))
    with pytest.raises(DomainError, match="withdrawn"):
        services.start_attempt(users.member, later)
    services.reactivate_campaign(users.district, campaign)
    attempt = services.start_attempt(users.member, later)
    services.submit_attempt(users.member, attempt, answers=right_answers(attempt), token=attempt.token)
    later.refresh_from_db()
    assert services.kept_stats(later) == services.expected_stats(later)
    assert PeriodStats.objects.get(period=later, organization=tree.root).participants == 1


QUESTION = "Reactivate this campaign? Its withdrawn periods are offered to members again."


def test_the_page_asks_then_reactivates(tree, users, client_for):
    campaign, _now_open, later = season(tree)
    services.deactivate_campaign(users.district, campaign)
    client = client_for(users.district)
    campaign_page = client.get(reverse("study:campaign", args=[campaign.pk])).content.decode()
    assert "Reactivate" in campaign_page and reverse("study:campaign_edit", args=[campaign.pk]) in campaign_page
    edit = client.get(reverse("study:campaign_edit", args=[campaign.pk])).content.decode()
    url = reverse("study:campaign_reactivate", args=[campaign.pk])
    assert url in edit and 'data-testid="reactivate-campaign"' in edit and QUESTION in edit
    assert 'data-testid="deactivate-campaign"' not in edit

    asked = client.post(url, {"_ask": QUESTION})  # no JavaScript: the server asks first
    assert asked.status_code == 200 and QUESTION in asked.content.decode()
    assert StudyCampaign.objects.get(pk=campaign.pk).deactivated_at is not None
    done = client.post(url, {"_ask": QUESTION, "_confirmed": "1"}, follow=True)
    assert StudyCampaign.objects.get(pk=campaign.pk).deactivated_at is None
    page = done.content.decode()
    assert "The campaign is active again" in page
    assert "Withdrawn" not in page and "Add the question" in page and "Create the period" in page
    again = client.post(url, {"_ask": QUESTION, "_confirmed": "1"}, follow=True).content.decode()
    assert "nothing to reactivate" in again
    member_page = client_for(users.member).get(reverse("study:period", args=[later.pk])).content.decode()
    assert 'data-testid="withdrawn"' not in member_page

    for user in (users.secretary_a, users.viewer, users.outsider, users.member):
        assert client_for(user).post(url, {"_confirmed": "1"}).status_code == 404


def test_the_api_reactivates(tree, users, api_for):
    campaign, _now_open, _later = season(tree)
    api = api_for(users.district)
    assert api.post(f"/api/study-campaigns/{campaign.pk}/deactivate/").json()["active"] is False
    # The district's campaign: every role holder sees it (above her organisation), only the district changes it.
    for user, status in ((users.secretary_a, 403), (users.viewer, 403), (users.outsider, 403), (users.nobody, 404),
                         (users.member, 404)):  # fmt: skip
        assert api_for(user).post(f"/api/study-campaigns/{campaign.pk}/reactivate/").status_code == status
    done = api.post(f"/api/study-campaigns/{campaign.pk}/reactivate/")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["active"] is True and body["deactivated_at"] is None and body["state"] == "in_progress"
    again = api.post(f"/api/study-campaigns/{campaign.pk}/reactivate/")
    assert again.status_code == 400 and "non_field_errors" in again.json()
    assert api.patch(f"/api/study-campaigns/{campaign.pk}/", {"title": "续"}, format="json").status_code == 200
