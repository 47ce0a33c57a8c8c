"""Community reporting (双报到双报告): a serving party member (a2, branch A) registers with a community (branch C,
under committee 2, whose admin is ``users.outsider`` here), takes up the community's need and reports it; the
community sees who reported what, the member's unit (branch A, committee 1) sees its member's report, branch B sees
nothing. Bad input is refused with the field named and nothing written; pages and API are scoped (404 outside);
the yearly report exports to Excel."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.community import services
from tongxin.community.models import CommunityRegistration, RegistrationStatus, ServiceNeed, ServiceReport, TakeUp
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.orgs.models import Organization, OrgCategory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def community(tree):
    Organization.objects.filter(pk=tree.branch_c.pk).update(category=OrgCategory.COMMUNITY)
    tree.branch_c.refresh_from_db()
    return tree.branch_c


def _flow(tree, users, community):
    registration = services.register(users.member, community=community, person=tree.people.a2)
    need = services.post_need(users.outsider, community=community, title="独居老人探访", capacity=2)
    taken = services.take_up(users.member, need, registration=registration)
    report = services.file_report(users.member, registration, content="探访了两位老人", hours="2.0", take_up=taken)
    return registration, need, taken, report


def test_the_member_registers_takes_up_and_reports_and_each_side_sees_it(tree, users, community):
    registration, need, taken, report = _flow(tree, users, community)
    assert registration.org_path == tree.people.a2.org_path and registration.community_path == community.path
    audited = {(c.content_type.model, c.action) for c in ChangeLog.objects.select_related("content_type")}
    assert {("communityregistration", "create"), ("serviceneed", "create"), ("takeup", "create"),
            ("servicereport", "create")} <= audited  # fmt: skip
    for user in (users.outsider, users.secretary_a, users.committee_admin, users.member, users.district):
        assert list(ServiceReport.objects.visible_to(user)) == [report], user
        assert list(CommunityRegistration.objects.visible_to(user)) == [registration], user
    assert not ServiceReport.objects.visible_to(users.secretary_b).exists()
    assert not CommunityRegistration.objects.visible_to(users.secretary_b).exists()
    # the registered member sees his community's needs; branch B does not
    assert list(ServiceNeed.objects.visible_to(users.member)) == [need]
    assert not ServiceNeed.objects.visible_to(users.secretary_b).exists()
    assert taken.person_id == tree.people.a2.pk


def test_an_organisation_registers_and_ending_goes_through_the_workflow(tree, users, community):
    row = services.register(users.secretary_a, community=community, organization=tree.branch_a)
    assert row.person is None and row.org_path == tree.branch_a.path
    with pytest.raises(DomainError):
        services.register(users.secretary_a, community=community, organization=tree.branch_a)
    ended = services.end_registration(users.outsider, row)
    assert ended.status == RegistrationStatus.ENDED and ended.ended_at is not None
    with pytest.raises(DomainError):
        services.end_registration(users.outsider, row)


def _counts():
    return (CommunityRegistration.objects.count(), ServiceNeed.objects.count(), TakeUp.objects.count(),
            ServiceReport.objects.count(), ChangeLog.objects.count())  # fmt: skip


def test_bad_input_is_refused_with_the_field_named_and_nothing_written(tree, users, community):
    registration = services.register(users.member, community=community, person=tree.people.a2)
    need = services.post_need(users.outsider, community=community, title="环境整治", capacity=1)
    before = _counts()
    cases = [
        (lambda: services.register(users.member, community=None, person=tree.people.a2), "community"),
        (lambda: services.register(users.member, community=community), "person"),
        (lambda: services.post_need(users.outsider, community=community, title="  "), "title"),
        (lambda: services.file_report(users.member, registration, content=""), "content"),
        (lambda: services.file_report(users.member, registration, content="做了",
                                      done_on=timezone.localdate() + datetime.timedelta(days=1)), "done_on"),
        (lambda: services.file_report(users.member, registration, content="做了", hours="30"), "hours"),
        (lambda: services.file_report(users.member, registration, content="a\x00b"), "content"),
    ]  # fmt: skip
    for call, field in cases:
        with pytest.raises(DomainError) as caught:
            call()
        assert field in caught.value.errors, (field, caught.value.errors)
    for call in (
        lambda: services.register(users.secretary_b, community=community, person=tree.people.a1),
        lambda: services.register(users.member, community=community, person=tree.people.a1),
        lambda: services.post_need(users.member, community=community, title="越权"),
        lambda: services.take_up(users.secretary_b, need, registration=registration),
        lambda: services.file_report(users.secretary_b, registration, content="越权"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert _counts() == before
    services.take_up(users.member, need, registration=registration)
    other = services.register(users.secretary_a, community=community, organization=tree.branch_a)
    with pytest.raises(DomainError):  # one place only
        services.take_up(users.secretary_a, need, registration=other)
    services.close_need(users.outsider, need)
    with pytest.raises(DomainError):
        services.take_up(users.member, need, registration=registration)


def test_the_pages_show_who_reported_what_and_are_404_outside(tree, users, community, client_for):
    registration, need, _taken, _report = _flow(tree, users, community)
    client = client_for(users.outsider)
    page = client.get(reverse("community:community", args=[community.pk])).content.decode()
    assert tree.people.a2.name in page and "探访了两位老人" in page and "独居老人探访" in page
    page = client_for(users.secretary_a).get(reverse("community:unit", args=[tree.branch_a.pk])).content.decode()
    assert tree.people.a2.name in page and "探访了两位老人" in page
    page = client_for(users.member).get(reverse("community:mine")).content.decode()
    assert community.name in page and "独居老人探访" in page and "探访了两位老人" in page
    outsider = client_for(users.secretary_b)
    for url in (
        reverse("community:registration", args=[registration.pk]),
        reverse("community:registration_export", args=[registration.pk]),
        reverse("community:need", args=[need.pk]),
        reverse("community:community", args=[community.pk]),
    ):
        assert outsider.get(url).status_code == 404, url  # fmt: skip
    assert outsider.post(reverse("community:need_take_up", args=[need.pk]),
                         {"registration": registration.pk}).status_code == 404  # fmt: skip


def test_the_member_flow_on_the_pages(tree, users, community, client_for):
    need = services.post_need(users.outsider, community=community, title="四点半课堂")
    client = client_for(users.member)
    url = reverse("community:person_register", args=[tree.people.a2.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"community": community.pk}).status_code == 302
    registration = CommunityRegistration.objects.get(person=tree.people.a2)
    assert client.post(reverse("community:need_take_up", args=[need.pk]),
                       {"registration": registration.pk}).status_code == 302  # fmt: skip
    assert TakeUp.objects.filter(need=need, registration=registration).exists()
    assert (
        client.post(
            reverse("community:need_report", args=[need.pk]),
            {"registration": registration.pk, "content": "辅导作业", "hours": "1.5"},
        ).status_code
        == 302
    )
    report = ServiceReport.objects.get()
    assert report.take_up is not None and report.take_up.need == need and str(report.hours) == "1.5"
    # someone else's person: 404
    assert client.get(reverse("community:person_register", args=[tree.people.a1.pk])).status_code == 404


def test_the_yearly_report_exports_to_excel(tree, users, community, client_for):
    registration, *_ = _flow(tree, users, community)
    year = timezone.localdate().year
    client = client_for(users.secretary_a)
    page = client.get(reverse("community:registration", args=[registration.pk])).content.decode()
    assert "探访了两位老人" in page
    response = client.get(reverse("community:registration_export", args=[registration.pk]) + f"?year={year}")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)
    cells = [str(c) for row in rows.to_python() for c in row]
    assert "探访了两位老人" in cells and "独居老人探访" in cells


def test_the_api_registers_posts_takes_up_and_reports_scoped(tree, users, community, api_for):
    member = api_for(users.member)
    response = member.post("/api/community-registrations/", {"community": community.pk, "person": tree.people.a2.pk},
                           format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    registration = response.json()["id"]
    response = api_for(users.outsider).post("/api/service-needs/", {"community": community.pk, "title": "环境整治"},
                                            format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    need = response.json()["id"]
    assert member.get("/api/service-needs/").json()["results"][0]["id"] == need
    response = member.post(f"/api/service-needs/{need}/take-up/", {"registration": registration}, format="json")
    assert response.status_code == 200, response.content
    take_up = response.json()["id"]
    response = member.post("/api/service-reports/", {"registration": registration, "take_up": take_up,
                                                    "content": "清理了楼道"}, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert [r["content"] for r in api_for(users.secretary_a).get("/api/service-reports/").json()["results"]] == [
        "清理了楼道"
    ]
    other = api_for(users.secretary_b)
    assert other.get("/api/service-reports/").json()["results"] == []
    response = other.post("/api/service-reports/", {"registration": registration, "content": "越权"}, format="json")
    assert response.status_code == 400
    assert ServiceReport.objects.count() == 1
    # bad input: nothing written
    response = member.post("/api/service-reports/", {"registration": registration, "content": "x", "hours": "99"},
                           format="json")  # fmt: skip
    assert response.status_code == 400 and ServiceReport.objects.count() == 1
