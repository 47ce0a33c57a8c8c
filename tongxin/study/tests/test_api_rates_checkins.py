"""The study pages' actions in the API (issue 14, "Everywhere"): a period's rates per organisation, the
period's video upload, the member's own check-ins, and verifying a receipt."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongxin.study import services
from tongxin.study.models import CheckIn, Participation, StudyVideo
from tongxin.study.tests.helpers import open_period, right_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


def _take_part(user, period):
    attempt = services.start_attempt(user, period)
    services.submit_attempt(user, attempt, answers=right_answers(attempt), token=attempt.token)


def test_rates_per_organisation_and_who_has_not_taken_part_for_the_branch_secretary(tree, users, api_for):
    period = open_period(tree)
    _take_part(users.member, period)  # a2, of branch A
    district = api_for(users.district).get(f"/api/study-periods/{period.pk}/rates/")
    assert district.status_code == 200, district.content
    body = district.json()
    assert (body["organization"], body["participants"]) == (tree.root.pk, 1)
    assert body["members"] >= 2 and body["not_taken_part"] is None  # the district is not a branch
    assert {tree.committee1.pk, tree.committee2.pk} <= {row["organization"] for row in body["children"]}
    rates = [row["rate"] for row in body["children"]]
    assert rates == sorted(rates, key=lambda r: (r is None, r or 0))  # worst first (no members: last)
    branch = api_for(users.secretary_a).get(f"/api/study-periods/{period.pk}/rates/?org={tree.branch_a.pk}").json()
    assert branch["participants"] == 1 and branch["members"] == 2
    assert branch["not_taken_part"] == [tree.people.a1.name]
    assert branch["rate"] == pytest.approx(0.5)
    # another committee's branch, and someone outside: nothing
    other = api_for(users.secretary_a).get(f"/api/study-periods/{period.pk}/rates/?org={tree.branch_c.pk}")
    assert other.status_code == 404
    # the other committee's admin sees her part of the district's campaign, not the district's figures
    theirs = api_for(users.outsider).get(f"/api/study-periods/{period.pk}/rates/").json()
    assert (theirs["organization"], theirs["participants"]) == (tree.committee2.pk, 0)
    assert api_for(users.nobody).get(f"/api/study-periods/{period.pk}/rates/").status_code == 404


def test_the_period_video_is_uploaded_through_the_api_and_a_false_one_refused(tree, users, api_for):
    period = open_period(tree)
    api = api_for(users.district)
    url = f"/api/study-periods/{period.pk}/video/"
    fake = api.post(url, {"video": SimpleUploadedFile("第一期.mp4", b"not a video")}, format="multipart")
    assert fake.status_code == 400 and "第一期.mp4" in fake.content.decode()
    assert not StudyVideo.objects.exists()
    done = api.post(url, {"video": SimpleUploadedFile("第一期.mp4", MP4)}, format="multipart")
    assert done.status_code == 200, done.content
    assert StudyVideo.objects.get(period=period).content_type == "video/mp4"
    member = api_for(users.member).post(url, {"video": SimpleUploadedFile("x.mp4", MP4)}, format="multipart")
    assert member.status_code in (403, 404)


def test_a_member_keeps_his_own_check_ins_through_the_api_and_nobody_else_sees_them(users, api_for):
    api = api_for(users.member)
    today = timezone.localdate().isoformat()
    added = api.post("/api/study-checkins/", {"day": today, "what": "学习党章", "minutes": 30}, format="json")
    assert added.status_code == 201, added.content
    assert [row["what"] for row in api.get("/api/study-checkins/").json()["results"]] == ["学习党章"]
    for bad in ({"day": today, "what": "学习", "minutes": 0},
                {"day": (timezone.localdate() + datetime.timedelta(days=2)).isoformat(), "what": "学习", "minutes": 5},
                {"day": today, "what": "", "minutes": 5}):  # fmt: skip
        assert api.post("/api/study-checkins/", bad, format="json").status_code == 400
    assert CheckIn.objects.count() == 1
    mine = CheckIn.objects.get()
    assert api.get(f"/api/study-checkins/{mine.pk}/").json()["minutes"] == 30
    for who in ("secretary_a", "district"):
        assert api_for(getattr(users, who)).get("/api/study-checkins/").json()["results"] == []
        assert api_for(getattr(users, who)).get(f"/api/study-checkins/{mine.pk}/").status_code == 404


def test_a_receipt_verifies_through_the_api_and_an_altered_one_is_refused(tree, users, api_for):
    period = open_period(tree)
    _take_part(users.member, period)
    token = services.receipt_token(Participation.objects.get())
    api = api_for(users.outsider)  # anyone holding the link
    good = api.post("/api/study-participations/verify/", {"token": token}, format="json")
    assert good.status_code == 200
    assert good.json()["score"] == 100 and tree.people.a2.name not in good.json()["name"]  # masked
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refused = api.post("/api/study-participations/verify/", {"token": altered}, format="json")
    assert refused.status_code == 400 and "token" in refused.json()
