"""A campaign edited and deactivated: the periods open when it was deactivated stay answerable until they close,
those not yet open are withdrawn (no longer offered to members, counting nobody), every participation is kept;
the page asks before it deactivates, and nobody outside the campaign's organisation edits it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.study import queries, services
from tongxin.study.models import Participation, PeriodStats, StudyCampaign, StudyPeriod
from tongxin.study.tests.helpers import bank, open_period, right_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def take_part(user, period):
    attempt = services.start_attempt(user, period)
    return services.submit_attempt(user, attempt, answers=right_answers(attempt), token=attempt.token)


def hours(n: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=n)


def season(tree):
    """The district's campaign with a period open now (opened 3 hours ago) and one opening in a day."""
    now_open = open_period(tree, opens_in=-3)
    questions = list(now_open.questions.all())
    later = services.create_period(None, now_open.campaign, number=2, title="第二期", opens_at=hours(24),
                                   closes_at=hours(48), questions=questions)  # fmt: skip
    return now_open.campaign, now_open, later


def test_the_open_period_stays_answerable_and_the_later_one_is_withdrawn(tree, users):
    campaign, now_open, later = season(tree)
    services.deactivate_campaign(users.district, campaign)
    person = users.member.person

    assert list(queries.member_periods(person)) == [now_open]
    take_part(users.member, now_open)  # answerable until it closes
    assert Participation.objects.filter(period=now_open, person=person).exists()
    assert PeriodStats.objects.get(period=now_open, organization=tree.root).participants == 1
    assert PeriodStats.objects.get(period=later, organization=tree.root).members == 0  # counts nobody

    # The later period's opening comes (the clock moved on: the campaign was deactivated two hours before it).
    StudyCampaign.objects.filter(pk=campaign.pk).update(deactivated_at=hours(-2))
    StudyPeriod.objects.filter(pk=later.pk).update(opens_at=hours(-1))
    assert list(queries.member_periods(person)) == [now_open]
    assert queries.pending_periods(users.member) == []  # the open one is done, the withdrawn one is not asked
    with pytest.raises(DomainError, match="withdrawn"):
        services.start_attempt(users.member, later)
    assert services.kept_stats(later) == services.expected_stats(later)


def test_participations_already_taken_are_kept(tree, users):
    campaign, now_open, _later = season(tree)
    take_part(users.member, now_open)
    StudyPeriod.objects.filter(pk=now_open.pk).update(closes_at=hours(-1))  # it closed
    before = services.kept_stats(now_open)
    services.deactivate_campaign(users.district, campaign)
    assert Participation.objects.filter(period=now_open).count() == 1
    assert services.kept_stats(now_open) == before
    assert services.expected_stats(now_open) == before


def test_a_deactivated_campaign_is_no_longer_edited(tree, users):
    campaign, now_open, _later = season(tree)
    services.deactivate_campaign(users.district, campaign)
    with pytest.raises(DomainError, match="already"):
        services.deactivate_campaign(users.district, campaign)
    with pytest.raises(DomainError):
        services.update_campaign(users.district, campaign, title="改名")
    with pytest.raises(DomainError):
        services.create_period(None, campaign, number=3, title="第三期", opens_at=hours(72), closes_at=hours(96),
                               questions=list(now_open.questions.all()))  # fmt: skip
    with pytest.raises(DomainError):
        bank(campaign, 1)
    log = ChangeLog.objects.filter(object_id=str(campaign.pk), action=ChangeLog.Action.UPDATE).get()
    assert log.before == {"deactivated_at": None} and log.after and log.after["deactivated_at"]


def test_the_edit_page_changes_the_campaign_and_keeps_the_audience_once_a_period_opened(tree, users, client_for):
    campaign, _now_open, _later = season(tree)
    client = client_for(users.district)
    url = reverse("study:campaign_edit", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "1 period open now stays answerable until it closes" in page and "1 period not yet open is withdrawn" in page
    response = client.post(url, {"title": "青年大学习（修订）", "audience_statuses": ["01"], "tiers_enabled": "on",
                                 "tier_thresholds": "90"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("study:campaign", args=[campaign.pk])
    campaign.refresh_from_db()
    assert (campaign.title, campaign.audience_statuses, campaign.tiers_enabled, campaign.tier_thresholds) == (
        "青年大学习（修订）",
        "03",
        True,
        "90",
    )


def test_the_page_asks_before_it_deactivates(tree, users, client_for):
    campaign, _now_open, later = season(tree)
    client = client_for(users.district)
    url = reverse("study:campaign_deactivate", args=[campaign.pk])
    question = "Deactivate this campaign? Its periods not yet open are withdrawn until it is reactivated."
    asked = client.post(url, {"_ask": question})  # no JavaScript: the server asks
    assert asked.status_code == 200 and question in asked.content.decode()
    assert StudyCampaign.objects.get(pk=campaign.pk).deactivated_at is None
    done = client.post(url, {"_ask": question, "_confirmed": "1"}, follow=True)
    assert StudyCampaign.objects.get(pk=campaign.pk).deactivated_at is not None
    page = done.content.decode()
    assert "those open stay answerable until they close" in page  # the message
    assert "Withdrawn" in page and 'data-testid="deactivated-note"' in page
    assert "Add the question" not in page and "Create the period" not in page
    listed = client.get(reverse("study:campaigns")).content.decode()
    assert "Deactivated" in listed and "Period open" in listed  # its open period still runs
    posted = client.post(reverse("study:campaign", args=[campaign.pk]), {"p-number": "3", "p-title": "第三期"},
                         follow=True)  # fmt: skip
    assert "takes no new periods or questions" in posted.content.decode()
    assert StudyPeriod.objects.filter(campaign=campaign).count() == 2
    member_page = client_for(users.member).get(reverse("study:period", args=[later.pk])).content.decode()
    assert "start-quiz" not in member_page


def test_only_those_who_change_the_organisation_edit_or_deactivate(tree, users, client_for):
    campaign = open_period(tree, org=tree.committee1).campaign
    for user in (users.secretary_a, users.secretary_b, users.viewer, users.outsider, users.member):
        client = client_for(user)
        assert client.get(reverse("study:campaign_edit", args=[campaign.pk])).status_code == 404
        assert client.post(reverse("study:campaign_deactivate", args=[campaign.pk])).status_code == 404
    assert StudyCampaign.objects.get(pk=campaign.pk).deactivated_at is None
    page = client_for(users.committee_admin).get(reverse("study:campaign", args=[campaign.pk])).content.decode()
    assert reverse("study:campaign_edit", args=[campaign.pk]) in page
    viewer_page = client_for(users.viewer).get(reverse("study:campaign", args=[campaign.pk])).content.decode()
    assert reverse("study:campaign_edit", args=[campaign.pk]) not in viewer_page
