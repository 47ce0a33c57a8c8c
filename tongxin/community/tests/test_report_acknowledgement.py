"""Community reports widened (issue 15): a free-standing report (service done without a posted need) with optional
photos; the community's admin (``users.outsider``, admin of committee 2 over branch C, the community) acknowledges
it or sends it back with a reason; the reporter (the member, a2 of branch A) completes one sent back and sees where
it stands; the yearly report counts acknowledged reports apart; the inbox lists reports to acknowledge. Nobody
acknowledges his own report, nor another community's; a file that is not a photo and too many photos are refused
with nothing written; pages and API alike."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.community import queries, services
from tongxin.community.models import ReportPhoto, ReportStatus, ServiceReport
from tongxin.core.exceptions import DomainError
from tongxin.core.inbox import pending_for
from tongxin.core.models import ChangeLog, Notification
from tongxin.orgs.models import Organization, OrgCategory

pytestmark = pytest.mark.usefixtures("english")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.4\n" + b"\x00" * 32
OWN_CASE = "This concerns you personally: another person responsible must approve it."


@pytest.fixture
def community(tree):
    Organization.objects.filter(pk=tree.branch_c.pk).update(category=OrgCategory.COMMUNITY)
    tree.branch_c.refresh_from_db()
    return tree.branch_c


@pytest.fixture
def registration(tree, users, community):
    return services.register(users.member, community=community, person=tree.people.a2)


def _free(users, registration, **kwargs):
    kwargs.setdefault("content", "清理了小区楼道")
    return services.file_report(users.member, registration, **kwargs)


def _waiting(user) -> int:
    """What the inbox says waits for ``user`` among community reports (0: no such item)."""
    return sum(i.count for i in pending_for(user) if str(i.label) == "Community reports to acknowledge")


def _written():
    return ServiceReport.objects.count(), ReportPhoto.objects.count(), ChangeLog.objects.count()


def test_a_free_standing_report_with_photos_waits_for_the_community(tree, users, registration):
    report = _free(users, registration, hours="1.5", people=6, photos=[("楼道.png", PNG), ("合影.jpg", JPEG)])
    assert report.take_up is None and report.registration == registration and report.people == 6
    assert report.status == ReportStatus.SUBMITTED
    assert [(p.file_name, p.content_type) for p in report.photos.all()] == [("楼道.png", "image/png"),
                                                                            ("合影.jpg", "image/jpeg")]  # fmt: skip
    # photos are optional: the same report without any
    assert _free(users, registration).photos.count() == 0
    # the community's admins have it in their inbox, the member and branch B do not
    assert (_waiting(users.outsider), _waiting(users.member), _waiting(users.secretary_b)) == (2, 0, 0)


def test_a_file_that_is_not_a_photo_or_too_many_photos_are_refused_and_nothing_written(users, registration):
    before = _written()
    cases = [
        [("报告.pdf", PDF)],  # a PDF is no photo
        [("伪装.png", PDF)],  # content that is not what the name says
        [("空.png", b"")],
        [("脚本.svg", b"<svg onload=alert(1)>")],
        [(f"{i}.png", PNG) for i in range(services.MAX_PHOTOS + 1)],  # too many
    ]
    for photos in cases:
        with pytest.raises(DomainError) as refused:
            _free(users, registration, photos=photos)
        assert "photos" in refused.value.errors, photos
    for field, kwargs in (("people", {"people": 0}), ("people", {"people": 10001}), ("hours", {"hours": "NaN"})):
        with pytest.raises(DomainError) as refused:
            _free(users, registration, **kwargs)
        assert field in refused.value.errors
    assert _written() == before


def test_a_photo_over_the_size_limit_is_refused(users, registration, settings):
    settings.TONGXIN_ATTACHMENT_MAX_BYTES = 1024
    before = _written()
    with pytest.raises(DomainError) as refused:
        _free(users, registration, photos=[("大.png", PNG + b"\x00" * 1024)])
    assert "photos" in refused.value.errors and "larger than the limit" in " ".join(refused.value.messages)
    assert _written() == before
    assert _free(users, registration, photos=[("小.png", PNG)]).photos.count() == 1


def test_a_report_on_a_need_taken_up_may_carry_a_photo_too(users, community, registration, client_for):
    need = services.post_need(users.outsider, community=community, title="独居老人探访")
    services.take_up(users.member, need, registration=registration)
    client = client_for(users.member)
    page = client.get(reverse("community:need", args=[need.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
    photo = SimpleUploadedFile("探访.jpg", JPEG, content_type="image/jpeg")
    client.post(reverse("community:need_report", args=[need.pk]),
                {"registration": registration.pk, "content": "探访了两位老人", "photos": [photo]})  # fmt: skip
    report = ServiceReport.objects.get()
    assert report.take_up is not None and report.take_up.need == need
    assert report.photos.get().content_type == "image/jpeg"


def test_the_community_acknowledges_and_the_year_counts_it_apart(tree, users, registration):
    first = _free(users, registration, hours="2.0")
    _free(users, registration, hours="1.0")
    acknowledged = services.acknowledge_report(users.outsider, first)
    assert acknowledged.status == ReportStatus.ACKNOWLEDGED and acknowledged.acknowledged_by == users.outsider
    year = queries.year_of(registration, timezone.localdate().year)
    assert (year.count, year.acknowledged, str(year.hours), str(year.acknowledged_hours)) == (2, 1, "3.0", "2.0")
    # the reporter is told, the inbox counts one less
    assert Notification.objects.filter(recipient=users.member, url=reverse("community:report", args=[first.pk]))
    assert _waiting(users.outsider) == 1
    with pytest.raises(DomainError) as refused:  # acted on already
        services.acknowledge_report(users.outsider, first)
    assert "status" in refused.value.errors
    audited = ChangeLog.objects.filter(object_id=str(first.pk), action=ChangeLog.Action.UPDATE)
    assert audited.filter(org_path=registration.community_path).exists()


def test_sent_back_with_a_reason_the_member_completes_it(tree, users, registration):
    report = _free(users, registration)
    with pytest.raises(DomainError) as refused:
        services.send_back_report(users.outsider, report, reason="  ")
    assert "reason" in refused.value.errors
    returned = services.send_back_report(users.outsider, report, reason="请补充参与人数")
    assert returned.status == ReportStatus.RETURNED and returned.return_reason == "请补充参与人数"
    assert Notification.objects.filter(recipient=users.member, text__contains="请补充参与人数").exists()
    with pytest.raises(DomainError):  # nothing to acknowledge while it is back with the member
        services.acknowledge_report(users.outsider, returned)
    with pytest.raises(PermissionDenied):  # branch B is not his side
        services.resubmit_report(users.secretary_b, returned, content="越权")
    again = services.resubmit_report(users.member, returned, content="清理了楼道，8 人参与", people=8,
                                     photos=[("补充.png", PNG)])  # fmt: skip
    assert (again.status, again.people, again.return_reason, again.photos.count()) == (ReportStatus.SUBMITTED, 8,
                                                                                       "", 1)  # fmt: skip
    assert services.acknowledge_report(users.outsider, again).status == ReportStatus.ACKNOWLEDGED


def test_nobody_acknowledges_his_own_report_nor_another_community(tree, users, community, registration):
    report = _free(users, registration)
    for other in (users.secretary_b, users.member, users.secretary_a):  # another community's, the reporter, his unit
        with pytest.raises(PermissionDenied):
            services.acknowledge_report(other, report)
        with pytest.raises(PermissionDenied):
            services.send_back_report(other, report, reason="越权")
    # the community's admin who is himself the member reporting
    users.member.person = None
    users.member.save(update_fields=["person"])
    users.outsider.person = tree.people.a2
    users.outsider.save(update_fields=["person"])
    for step in (lambda: services.acknowledge_report(users.outsider, report),
                 lambda: services.send_back_report(users.outsider, report, reason="自己退回")):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            step()
        assert refused.value.messages == [OWN_CASE]
    assert _waiting(users.outsider) == 0  # his own report is not work waiting for him
    # an organisation's report: the user who filed it does not acknowledge it
    unit = services.register(users.outsider, community=community, organization=tree.branch_d)
    filed = services.file_report(users.outsider, unit, content="支部为社区开展义诊")
    with pytest.raises(DomainError) as refused:
        services.acknowledge_report(users.outsider, filed)
    assert refused.value.messages == [OWN_CASE]
    assert ServiceReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 2


def test_the_pages_file_show_acknowledge_and_send_back(tree, users, registration, client_for):
    member = client_for(users.member)
    url = reverse("community:report_new", args=[registration.pk])
    assert member.get(url).status_code == 200
    photo_file = SimpleUploadedFile("理发.png", PNG, content_type="image/png")
    response = member.post(url, {"content": "为社区老人理发", "hours": "2", "people": "3", "photos": [photo_file]})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = ServiceReport.objects.get()
    assert response["Location"] == reverse("community:report", args=[report.pk])
    photo = report.photos.get()
    page = member.get(response["Location"]).content.decode()
    assert "为社区老人理发" in page and "Awaiting acknowledgement" in page
    assert reverse("community:report_photo", args=[photo.pk]) in page and 'data-testid="acknowledge"' not in page
    served = member.get(reverse("community:report_photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png" and served.content == PNG
    # a file that is not a photo: the form again with the reason, nothing written
    response = member.post(url, {"content": "x", "photos": [SimpleUploadedFile("a.pdf", PDF)]})
    assert response.status_code == 200 and "JPEG or PNG" in response.content.decode()
    assert ServiceReport.objects.count() == 1
    # branch B sees neither the report nor its photo (one test client: logged in as each in turn)
    other = client_for(users.secretary_b)
    for path in (reverse("community:report", args=[report.pk]), reverse("community:report_photo", args=[photo.pk])):
        assert other.get(path).status_code == 404
    assert other.post(reverse("community:report_acknowledge", args=[report.pk])).status_code == 404
    # the community: the inbox link lists it, its page acknowledges it
    admin = client_for(users.outsider)
    waiting = admin.get(reverse("community:index") + "?waiting=1").content.decode()
    assert "为社区老人理发" in waiting
    page = admin.get(reverse("community:report", args=[report.pk])).content.decode()
    assert 'data-testid="acknowledge"' in page and "data-confirm" in page
    admin.post(reverse("community:report_acknowledge", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED
    # who has reported what, with the state: the community's page and the unit's (branch A, the member's branch)
    for user, path in ((users.outsider, reverse("community:community", args=[registration.community_id])),
                       (users.secretary_a, reverse("community:unit", args=[tree.branch_a.pk])),
                       (users.member, reverse("community:mine"))):  # fmt: skip
        page = client_for(user).get(path).content.decode()
        assert "为社区老人理发" in page and ">Acknowledged<" in page, path
    page = client_for(users.member).get(reverse("community:registration", args=[registration.pk])).content.decode()
    assert "Acknowledged by the community: 1 reports, 2.0 hours." in page


def test_send_back_and_resubmit_on_the_pages(users, registration, client_for):
    report = _free(users, registration)
    admin = client_for(users.outsider)
    admin.post(reverse("community:report_send_back", args=[report.pk]), {"reason": "请补充照片或人数"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    member = client_for(users.member)  # the one test client, now the member's
    page = member.get(reverse("community:report", args=[report.pk])).content.decode()
    assert "请补充照片或人数" in page and 'data-testid="resubmit"' in page
    member.post(reverse("community:report_resubmit", args=[report.pk]), {"content": "清理了楼道", "people": "5"})
    report.refresh_from_db()
    assert (report.status, report.people) == (ReportStatus.SUBMITTED, 5)


def test_the_yearly_export_shows_the_state_and_the_acknowledged_apart(users, registration, client_for):
    services.acknowledge_report(users.outsider, _free(users, registration, hours="2.0"))
    _free(users, registration, content="另一次服务")
    response = client_for(users.member).get(reverse("community:registration_export", args=[registration.pk]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)
    table = rows.to_python()
    assert ["Acknowledged", "", "1", 2.0, "", ""] in [list(r) for r in table]
    assert {"Acknowledged", "Awaiting acknowledgement"} <= {str(c) for r in table for c in r}


def test_the_api_files_with_photos_acknowledges_and_sends_back(tree, users, registration, api_for):
    member = api_for(users.member)
    files = [SimpleUploadedFile("a.png", PNG, content_type="image/png"),
             SimpleUploadedFile("b.jpg", JPEG, content_type="image/jpeg")]  # fmt: skip
    response = member.post("/api/service-reports/", {"registration": registration.pk, "content": "陪老人散步",
                                                     "people": 2, "photos": files}, format="multipart")  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["take_up"] is None and body["status"] == "submitted" and len(body["photos"]) == 2
    report = body["id"]
    # bad input: a file that is not a photo, too many photos; nothing written
    before = _written()
    response = member.post("/api/service-reports/", {"registration": registration.pk, "content": "x",
                                                     "photos": [SimpleUploadedFile("a.png", PDF)]},
                           format="multipart")  # fmt: skip
    assert response.status_code == 400 and "photos" in response.json()
    many = [SimpleUploadedFile(f"{i}.png", PNG) for i in range(services.MAX_PHOTOS + 1)]
    response = member.post("/api/service-reports/", {"registration": registration.pk, "content": "x", "photos": many},
                           format="multipart")  # fmt: skip
    assert response.status_code == 400 and "photos" in response.json()
    assert _written() == before
    # the reporter may not acknowledge; another community's admin does not see it; the community does
    assert member.post(f"/api/service-reports/{report}/acknowledge/").status_code == 403
    assert api_for(users.secretary_b).post(f"/api/service-reports/{report}/acknowledge/").status_code == 404
    admin = api_for(users.outsider)
    assert admin.get("/api/service-reports/?status=submitted").json()["results"][0]["id"] == report
    assert admin.get("/api/service-reports/?status=bogus").status_code == 400
    response = admin.post(f"/api/service-reports/{report}/send-back/", {"reason": ""}, format="json")
    assert response.status_code == 400
    response = admin.post(f"/api/service-reports/{report}/send-back/", {"reason": "请补充时长"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    body = json.dumps({"content": "陪老人散步", "hours": "1.0"})
    response = member.post(f"/api/service-reports/{report}/resubmit/", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "submitted", response.content
    response = admin.post(f"/api/service-reports/{report}/acknowledge/")
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    assert member.get(f"/api/service-reports/{report}/").json()["status"] == "acknowledged"


def test_the_lists_cost_the_same_for_few_and_many_reports(tree, users, community, registration, client_for, api_for):
    """No query per report: the community's page, the unit's, the inbox list, the member's page, the yearly report
    and the API list read the same number of queries for two reports (with photos, one acknowledged) as for ten."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unit = services.register(users.secretary_a, community=community, organization=tree.branch_a)
    pages = [(users.outsider, reverse("community:community", args=[community.pk])),
             (users.outsider, reverse("community:index") + "?waiting=1"),
             (users.secretary_a, reverse("community:unit", args=[tree.branch_a.pk])),
             (users.member, reverse("community:mine")),
             (users.member, reverse("community:registration", args=[registration.pk])),
             (users.outsider, "/api/service-reports/")]  # fmt: skip

    def counts() -> list[int]:
        found = []
        for user, url in pages:
            caller = api_for(user) if url.startswith("/api/") else client_for(user)
            caller.get(url)  # the per-session caches (the inbox badge, the rules) filled first
            with CaptureQueriesContext(connection) as ctx:
                assert caller.get(url).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    def add(n: int) -> None:
        for i in range(n):
            which = (registration, unit)[i % 2]
            actor = users.member if which == registration else users.secretary_a
            report = services.file_report(actor, which, content=f"服务{i}", photos=[("p.png", PNG)])
            if i % 3 == 0:
                services.acknowledge_report(users.outsider, report)

    add(2)
    few = counts()
    add(8)
    assert counts() == few
