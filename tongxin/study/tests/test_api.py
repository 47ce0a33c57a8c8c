"""The study API: a member starts, reads his questions without any answer, submits once (a retry answers the
same result), and the secretary lists the participations with their receipt tokens; outsiders get 404."""

from __future__ import annotations

import json

import pytest

from tongxin.study import services
from tongxin.study.models import Participation, Question
from tongxin.study.tests.helpers import open_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_member_answers_through_the_api(tree, users, api_for):
    period = open_period(tree)
    api = api_for(users.member)
    started = api.post("/api/study-attempts/", {"period": period.pk}, format="json")
    assert started.status_code == 201, started.content
    body = started.json()
    explanations = [q.explanation for q in Question.objects.filter(campaign=period.campaign)]
    bank = Question.objects.filter(campaign=period.campaign).values_list("pk", flat=True)
    # Every answer the member gets before he submits, the campaign and question bank routes included (those are
    # for the secretaries who manage the campaign: he gets nothing there, and never a key).
    responses = [
        started,
        api.get(f"/api/study-attempts/{body['id']}/"),
        api.get("/api/study-attempts/"),
        api.get("/api/study-campaigns/"),
        api.get(f"/api/study-campaigns/{period.campaign_id}/"),
        api.get("/api/study-questions/"),
        api.get(f"/api/study-questions/?campaign={period.campaign_id}"),
        *(api.get(f"/api/study-questions/{pk}/") for pk in bank),
        api.get("/api/study-periods/"),
        api.get(f"/api/study-periods/{period.pk}/"),
    ]
    for response in responses:
        text = json.dumps(response.json(), ensure_ascii=False)
        assert '"answer"' not in text and not any(e in text for e in explanations)
    assert [r.status_code for r in responses[4:5] + responses[7:-2]] == [404] * (1 + len(bank))
    assert body["results"] is None
    right = {str(q.pk): q.answer for q in Question.objects.filter(pk__in=[x["id"] for x in body["questions"]])}
    url = f"/api/study-attempts/{body['id']}/submit/"
    first = api.post(url, {"token": body["token"], "answers": right}, format="json")
    assert first.status_code == 200 and first.json()["score"] == 100
    again = api.post(url, {"token": body["token"], "answers": {}}, format="json")
    assert again.json()["score"] == 100
    assert Participation.objects.filter(period=period).count() == 1
    assert all(row["explanation"] for row in first.json()["results"])
    listed = api_for(users.secretary_a).get("/api/study-participations/").json()["results"]
    assert [row["person"] for row in listed] == [tree.people.a2.pk]
    assert services.verify_receipt(listed[0]["receipt"])["s"] == 100
    assert api_for(users.outsider).get("/api/study-participations/").json()["results"] == []
    assert api_for(users.outsider).get(f"/api/study-attempts/{body['id']}/").status_code == 404


def test_start_refused_outside_the_audience(tree, users, api_for):
    period = open_period(tree, org=tree.committee2)
    response = api_for(users.member).post("/api/study-attempts/", {"period": period.pk}, format="json")
    assert response.status_code == 400
