"""The deputies' pages and API: the list and a deputy's page, recording a request on the page, the steps, the
masked phone and its audited reveal, the overdue filter, the yearly summary and its export; scoped (secretary B
and the outsider get 404, the API hides the rows); the API never gives the phone in full."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.core.models import AccessLog
from tongxin.deputies import services
from tongxin.deputies.models import ConstituentRequest, RequestStatus
from tongxin.deputies.tests.deputy_helpers import deputy, request

pytestmark = pytest.mark.usefixtures("english")


def test_the_pages_show_the_deputy_and_mask_the_phone(tree, users, client_for):
    dep = deputy(tree)
    row = request(users.committee_admin, dep)
    client = client_for(users.secretary_a)
    page = client.get(reverse("deputies:list")).content.decode()
    assert tree.people.a1.name in page and "甲团代表工作室" in page
    page = client.get(reverse("deputies:deputy", args=[dep.pk])).content.decode()
    assert "求职就业指导" in page and "138****5678" in page and "13812345678" not in page
    page = client.get(reverse("deputies:request", args=[row.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert not AccessLog.objects.exists()
    page = client.post(reverse("deputies:request_reveal", args=[row.pk])).content.decode()
    assert "13812345678" in page
    log = AccessLog.objects.get()
    assert (log.action, log.fields, log.object_id) == (AccessLog.Action.REVEAL, "phone", str(row.pk))


def test_recording_assigning_and_answering_on_the_pages(tree, users, client_for):
    dep = deputy(tree)
    client = client_for(users.secretary_a)
    url = reverse("deputies:request_create", args=[dep.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "王浩然", "phone": "13900001111", "subject": "篮球场照明",
                                 "content": "晚上没有灯"})  # fmt: skip
    assert response.status_code == 302
    row = ConstituentRequest.objects.get()
    act = reverse("deputies:request_act", args=[row.pk])
    client.post(act, {"step": "assign", "organization": tree.branch_a.pk})
    client.post(act, {"step": "answer", "answer": "已协调街道加装路灯"})
    row.refresh_from_db()
    assert row.status == RequestStatus.ANSWERED and row.answer == "已协调街道加装路灯"


def test_a_bad_request_on_the_page_names_the_field_and_writes_nothing(tree, users, client_for):
    dep = deputy(tree)
    client = client_for(users.secretary_a)
    response = client.post(reverse("deputies:request_create", args=[dep.pk]),
                           {"name": "王浩然", "phone": "12345", "subject": "照明", "content": "没有灯"})  # fmt: skip
    assert response.status_code == 200 and "The phone number is malformed" in response.content.decode()
    assert not ConstituentRequest.objects.exists()


def test_the_overdue_filter(tree, users, client_for):
    dep = deputy(tree)
    today = timezone.localdate()
    request(users.committee_admin, dep, subject="逾期事项", received_on=today - datetime.timedelta(days=30))
    request(users.committee_admin, dep, subject="新近事项", received_on=today)
    page = client_for(users.committee_admin).get(reverse("deputies:requests") + "?overdue=1").content.decode()
    assert "逾期事项" in page and "新近事项" not in page and "Overdue since" in page


@pytest.mark.parametrize("who", ["secretary_b", "outsider"])
def test_outsiders_get_404(tree, users, client_for, who):
    dep = deputy(tree)
    row = request(users.committee_admin, dep)
    client = client_for(getattr(users, who))
    for name, pk in [("deputies:deputy", dep.pk), ("deputies:request_create", dep.pk), ("deputies:summary", dep.pk),
                     ("deputies:summary_export", dep.pk), ("deputies:request", row.pk)]:  # fmt: skip
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("deputies:request_reveal", args=[row.pk])).status_code == 404
    act = client.post(
        reverse("deputies:request_act", args=[row.pk]), {"step": "assign", "organization": tree.branch_b.pk}
    )
    assert act.status_code == 404
    row.refresh_from_db()
    assert row.status == RequestStatus.RECEIVED and not AccessLog.objects.exists()
    assert tree.people.a1.name not in client.get(reverse("deputies:list")).content.decode()


def test_the_summary_and_its_export(tree, users, client_for):
    dep = deputy(tree)
    today = timezone.localdate()
    request(users.committee_admin, dep, received_on=today)
    client = client_for(users.committee_admin)
    page = client.get(reverse("deputies:summary", args=[dep.pk])).content.decode()
    assert f"{today.year}-{today.month:02d}" in page
    response = client.get(reverse("deputies:summary_export", args=[dep.pk]) + f"?year={today.year}")
    assert response["Content-Disposition"].startswith("attachment")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    assert rows[0] == ["Month", "Received", "Answered", "Overdue"]
    line = next(r for r in rows if r[0] == f"{today.year}-{today.month:02d}")
    assert line[1] == 1
    assert rows[-1][0] == "Total" and rows[-1][1] == 1


def test_the_api_lists_creates_and_steps_within_the_scope(tree, users, api_for):
    dep = deputy(tree)
    api = api_for(users.secretary_a)
    data = {"deputy": dep.pk, "name": "张思琪", "phone": "13700002222", "subject": "心理咨询", "content": "备考压力大"}
    answer = api.post("/api/deputy-requests/", data, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["phone_masked"] == "137****2222" and "13700002222" not in answer.content.decode()
    pk = body["id"]
    answer = api.post(f"/api/deputy-requests/{pk}/assign/", {"organization": tree.branch_a.pk}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "assigned"
    answer = api.post(f"/api/deputy-requests/{pk}/answer/", {"answer": "已联系心理咨询站"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "answered"
    assert [d["id"] for d in api.get("/api/deputies/").json()["results"]] == [dep.pk]
    assert api.get("/api/deputy-requests/?overdue=true").json()["results"] == []

    bad = api.post("/api/deputy-requests/", {"deputy": dep.pk, "name": "张思琪", "phone": "1",
                                             "subject": "x", "content": "y"}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "phone" in bad.json()
    outsider = api_for(users.secretary_b)
    assert outsider.get(f"/api/deputy-requests/{pk}/").status_code == 404
    assert outsider.get("/api/deputies/").json()["results"] == []
    refused = outsider.post("/api/deputy-requests/", {"deputy": dep.pk, "name": "张三", "subject": "x",
                                                      "content": "y"}, format="json")  # fmt: skip
    assert refused.status_code == 400 and "deputy" in refused.json()
    assert ConstituentRequest.objects.count() == 1
    assert services.REQUESTS.url(ConstituentRequest.objects.get()) == reverse("deputies:request", args=[pk])


def test_a_congress_and_a_deputy_are_added_on_the_pages(tree, users, client_for):
    from tongxin.deputies.models import Congress, Deputy
    from tongxin.deputies.tests.deputy_helpers import studio

    room = studio(tree.committee1)
    client = client_for(users.committee_admin)
    response = client.post(reverse("deputies:congress_create"), {
        "organization": tree.committee1.pk, "name": "一委第四次团代会", "term_start": "2025-05-04",
        "term_end": "2025-05-04",
    })  # fmt: skip
    assert response.status_code == 200 and "A term ends after it starts." in response.content.decode()
    assert not Congress.objects.exists()
    response = client.post(reverse("deputies:congress_create"), {
        "organization": tree.committee1.pk, "name": "一委第四次团代会", "term_start": "2025-05-04",
        "term_end": "2029-05-03",
    })  # fmt: skip
    assert response.status_code == 302
    held = Congress.objects.get()
    response = client.post(reverse("deputies:deputy_add"), {"congress": held.pk, "person": tree.people.c1.pk})
    assert response.status_code == 200 and "No such person under" in response.content.decode()
    response = client.post(reverse("deputies:deputy_add"),
                           {"congress": held.pk, "person": tree.people.a2.pk, "studio": room.pk})  # fmt: skip
    assert response.status_code == 302
    assert Deputy.objects.get().person == tree.people.a2
    # secretary A may not add deputies to committee 1's congress: it is not offered to her
    response = client_for(users.secretary_a).post(reverse("deputies:deputy_add"),
                                                  {"congress": held.pk, "person": tree.people.a1.pk})  # fmt: skip
    assert response.status_code == 200 and Deputy.objects.count() == 1


def test_the_api_elects_a_deputy_within_the_scope(tree, users, api_for):
    from tongxin.deputies.models import Deputy
    from tongxin.deputies.tests.deputy_helpers import congress

    held = congress(tree.committee1)
    answer = api_for(users.committee_admin).post("/api/deputies/", {"congress": held.pk, "person": tree.people.a1.pk},
                                                 format="json")  # fmt: skip
    assert answer.status_code == 201 and answer.json()["person"] == tree.people.a1.pk
    refused = api_for(users.outsider).post("/api/deputies/", {"congress": held.pk, "person": tree.people.a2.pk},
                                           format="json")  # fmt: skip
    assert refused.status_code == 400 and "congress" in refused.json()
    assert Deputy.objects.count() == 1


def test_lists_cost_the_same_for_few_and_many_rows(tree, users, client_for, api_for):
    """No query per row: the deputies list, a deputy's page, the requests list and the API lists read the same
    number of queries for two requests as for twelve."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dep = deputy(tree)
    other = services.elect_deputy(None, congress=dep.congress, person=tree.people.a2, studio=dep.studio)
    client = client_for(users.committee_admin)
    api = api_for(users.committee_admin)
    pages = [reverse("deputies:list"), reverse("deputies:deputy", args=[dep.pk]), reverse("deputies:requests"),
             "/api/deputies/", "/api/deputy-requests/"]  # fmt: skip

    def counts() -> list[int]:
        found = []
        for url in pages:
            with CaptureQueriesContext(connection) as ctx:
                caller = api if url.startswith("/api/") else client
                assert caller.get(url).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    for who in (dep, other):
        request(None, who, received_on=timezone.localdate() - datetime.timedelta(days=20))
    counts()  # the first round fills the per-session caches (the inbox badge, the rules)
    few = counts()
    for n in range(10):
        row = request(None, (dep, other)[n % 2])
        services.assign_request(None, row, organization=(tree.branch_a, tree.branch_b)[n % 2])
    assert counts() == few


def test_the_assigned_organisation_handles_the_request_without_the_deputy_page(tree, users, client_for):
    dep = deputy(tree)
    row = services.assign_request(users.committee_admin, request(users.committee_admin, dep),
                                  organization=tree.branch_b)  # fmt: skip
    client = client_for(users.secretary_b)
    page = client.get(reverse("deputies:request", args=[row.pk])).content.decode()
    assert reverse("deputies:deputy", args=[dep.pk]) not in page  # her scope holds the request, not the deputy
    assert client.get(reverse("deputies:deputy", args=[dep.pk])).status_code == 404
    client.post(reverse("deputies:request_act", args=[row.pk]), {"step": "answer", "answer": "乙支部已答复"})
    row.refresh_from_db()
    assert row.status == RequestStatus.ANSWERED
    assert client.post(reverse("deputies:request_act", args=[row.pk]), {"step": "close"}).status_code == 404
    row.refresh_from_db()
    assert row.status == RequestStatus.ANSWERED  # closing is the deputy's side
