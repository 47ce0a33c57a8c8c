"""The points API: the ledger and claims the caller sees, a claim filed and reviewed, a month published; an
outsider gets 404 and the subject of a claim cannot review it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongxin.points.models import ClaimStatus, CycleStatus, PointEntry
from tongxin.points.tests.helpers import defaults, give, league_rule

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _rules(db):
    defaults()


def test_claim_review_publish_through_the_api(tree, users, api_for):
    member, secretary = api_for(users.member), api_for(users.secretary_a)
    answer = member.post("/api/point-claims/", {"person": tree.people.a2.pk, "rule": league_rule("pioneer").pk,
                                                "evidence": "社区服务"}, format="json")  # fmt: skip
    assert answer.status_code == 201, answer.json()
    claim_id = answer.json()["id"]
    assert api_for(users.outsider).get(f"/api/point-claims/{claim_id}/").status_code == 404
    refused = member.post(f"/api/point-claims/{claim_id}/review/", {"decision": "accepted"}, format="json")
    assert refused.status_code in (403, 404)
    done = secretary.post(f"/api/point-claims/{claim_id}/review/", {"decision": "accepted"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == ClaimStatus.ACCEPTED
    entries = member.get("/api/point-entries/").json()["results"]
    assert [e["points"] for e in entries] == ["2.00"]
    month = timezone.localdate().strftime("%Y-%m")
    opened = secretary.post("/api/point-months/open/", {"organization": tree.branch_a.pk, "month": month},
                            format="json")  # fmt: skip
    assert opened.status_code == 201, opened.json()
    published = secretary.post(f"/api/point-months/{opened.json()['id']}/publish/", {}, format="json")
    assert published.status_code == 200 and published.json()["status"] == CycleStatus.PUBLISHED
    late = member.post("/api/point-claims/", {"person": tree.people.a2.pk, "rule": league_rule("pioneer").pk,
                                              "evidence": "又一次"}, format="json")  # fmt: skip
    assert late.status_code == 400 and "published" in str(late.json())


def test_the_ledger_shows_each_his_own(tree, users, api_for):
    give(tree.people.a1, "x:1")
    give(tree.people.c1, "x:2")
    assert PointEntry.objects.count() == 2
    assert api_for(users.member).get("/api/point-entries/").json()["count"] == 0
    seen = api_for(users.secretary_a).get("/api/point-entries/").json()["results"]
    assert [e["person"] for e in seen] == [tree.people.a1.pk]
