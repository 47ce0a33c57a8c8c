"""The four lists (四清单): rectification needs evidence, verification by someone else, overdue counts up the
tree, evidence checked by its content, pages and API scoped."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.core.exceptions import DomainError
from tongxin.core.inbox import pending_for
from tongxin.core.models import ChangeLog
from tongxin.core.testing import one_winner, race
from tongxin.orglife.models import Attachment, ChecklistItem, ChecklistKind, ChecklistNote, ChecklistStatus
from tongxin.orglife.services import checklists as services

pytestmark = pytest.mark.usefixtures("english")

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)
PDF = b"%PDF-1.4\n" + bytes(100)
TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=3)
FUTURE = TODAY + datetime.timedelta(days=30)


@pytest.fixture
def owner_user(tree):
    """The user of person a1, who is also secretary of branch A (so may change there)."""
    user = User.objects.create(username="owner_a1", person=tree.people.a1)
    RoleAssignment.objects.create(user=user, organization=tree.branch_a, role=Role.SECRETARY)
    return user


def _problem(tree, users, org=None):
    return services.add_item(users.committee_admin, organization=org or tree.committee1, kind=ChecklistKind.PROBLEM,
                             content="会议记录不全")  # fmt: skip


def _rectification(tree, users, problem, owner=None):
    return services.add_item(users.secretary_a, organization=tree.branch_a, kind=ChecklistKind.RECTIFICATION,
                             content="补齐会议记录", problem=problem, owner=owner, deadline=FUTURE)  # fmt: skip


def test_a_problem_may_spawn_several_rectifications_in_its_subtree(tree, users):
    problem = _problem(tree, users)
    first = _rectification(tree, users, problem)
    second = services.add_item(users.secretary_b, organization=tree.branch_b, kind=ChecklistKind.RECTIFICATION,
                               content="乙支部整改", problem=problem)  # fmt: skip
    assert set(problem.rectifications.all()) == {first, second}
    assert first.org_path == tree.branch_a.path and first.status == ChecklistStatus.OPEN


def test_a_rectification_names_a_problem_of_its_subtree(tree, users):
    with pytest.raises(DomainError, match="names the problem"):
        services.add_item(users.secretary_a, organization=tree.branch_a, kind=ChecklistKind.RECTIFICATION,
                          content="x")  # fmt: skip
    problem_b = _problem(tree, users, org=tree.branch_b)
    with pytest.raises(DomainError, match="problem"):
        services.add_item(users.committee_admin, organization=tree.branch_a, kind=ChecklistKind.RECTIFICATION,
                          content="x", problem=problem_b)  # fmt: skip
    not_a_problem = services.add_item(users.committee_admin, organization=tree.committee1,
                                      kind=ChecklistKind.PROJECT, content="项目")  # fmt: skip
    with pytest.raises(DomainError, match="problem list"):
        _rectification(tree, users, not_a_problem)
    with pytest.raises(PermissionDenied):
        services.add_item(users.outsider, organization=tree.branch_a, kind=ChecklistKind.PROJECT, content="x")


def test_a_rectification_without_evidence_is_not_closed_and_nothing_is_written(tree, users):
    item = _rectification(tree, users, _problem(tree, users))
    services.add_note(users.secretary_a, item, text="已开始整改")  # a note, but no evidence
    item.refresh_from_db()
    assert item.status == ChecklistStatus.IN_PROGRESS
    logs = ChangeLog.objects.count()

    with pytest.raises(DomainError, match=r"(?i)a rectification is closed only with evidence") as error:
        services.request_closing(users.secretary_a, item)

    assert "A rectification is closed only with evidence" in " ".join(error.value.messages)
    item.refresh_from_db()
    assert item.status == ChecklistStatus.IN_PROGRESS
    assert ChangeLog.objects.count() == logs

    services.add_note(users.secretary_a, item, text="整改完成", files=[("记录.jpg", JPEG), ("报告.pdf", PDF)])
    services.request_closing(users.secretary_a, item)
    item.refresh_from_db()
    assert item.status == ChecklistStatus.AWAITING_VERIFICATION
    assert Attachment.objects.filter(note__item=item).count() == 2


def test_other_lists_close_without_evidence(tree, users):
    item = services.add_item(users.secretary_a, organization=tree.branch_a, kind=ChecklistKind.RESPONSIBILITY,
                             content="按时收缴团费")  # fmt: skip
    services.request_closing(users.secretary_a, item)
    services.verify(users.committee_admin, item)
    item.refresh_from_db()
    assert item.status == ChecklistStatus.CLOSED


def test_verification_by_the_owner_or_the_requester_is_refused_by_another_user_closes_it(tree, users, owner_user):
    item = _rectification(tree, users, _problem(tree, users), owner=tree.people.a1)
    services.add_note(owner_user, item, text="完成", files=[("照片.png", PNG)])
    services.request_closing(users.secretary_a, item)

    with pytest.raises(DomainError, match="owner of an item cannot verify"):
        services.verify(owner_user, item)
    with pytest.raises(DomainError, match="You asked for this item to be closed"):
        services.verify(users.secretary_a, item)
    with pytest.raises(PermissionDenied):
        services.verify(users.secretary_b, item)
    item.refresh_from_db()
    assert item.status == ChecklistStatus.AWAITING_VERIFICATION

    services.verify(users.committee_admin, item)
    item.refresh_from_db()
    assert item.status == ChecklistStatus.CLOSED
    assert item.verified_by == users.committee_admin and item.closed_at is not None
    with pytest.raises(DomainError, match="already"):
        services.verify(users.district, item)

    services.reopen(users.committee_admin, item)
    item.refresh_from_db()
    assert item.status == ChecklistStatus.IN_PROGRESS and item.closed_at is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("照片.jpg", PNG, "not what its name says"),
        ("报告.pdf", JPEG, "not what its name says"),
        ("照片.png", b"GIF89a" + bytes(20), "not what its name says"),
        ("程序.exe", PDF, r"only photos \(JPEG, PNG\) and PDF files are accepted"),
        ("空.pdf", b"", "empty"),
    ],
)
def test_evidence_not_matching_its_extension_is_refused(tree, users, name, content, message):
    item = _rectification(tree, users, _problem(tree, users))
    with pytest.raises(DomainError, match=message):
        services.add_note(users.secretary_a, item, text="整改", files=[("好的.jpg", JPEG), (name, content)])
    assert ChecklistNote.objects.count() == 0 and Attachment.objects.count() == 0
    item.refresh_from_db()
    assert item.status == ChecklistStatus.OPEN


def test_evidence_over_the_size_limit_is_refused(tree, users, settings):
    settings.TONGXIN_ATTACHMENT_MAX_BYTES = 50
    item = _rectification(tree, users, _problem(tree, users))
    with pytest.raises(DomainError, match="is larger than the limit of"):
        services.add_note(users.secretary_a, item, text="整改", files=[("照片.jpg", JPEG)])
    assert Attachment.objects.count() == 0


def _item(org, actor, deadline, status=None):
    item = services.add_item(actor, organization=org, kind=ChecklistKind.PROJECT, content="事项", deadline=deadline)
    if status is not None:
        ChecklistItem.objects.filter(pk=item.pk).update(status=status)
    return item


def test_overdue_counts_roll_up_the_tree_in_one_aggregate(tree, users, django_assert_num_queries):
    _item(tree.branch_a, None, PAST)
    _item(tree.branch_a, None, PAST, ChecklistStatus.AWAITING_VERIFICATION)
    _item(tree.branch_a, None, PAST, ChecklistStatus.CLOSED)  # closed: not overdue
    _item(tree.branch_a, None, FUTURE)  # not yet due
    _item(tree.branch_a, None, None)  # no deadline
    _item(tree.branch_b, None, PAST)
    _item(tree.branch_c, None, PAST)
    _item(tree.root, None, PAST)

    users.district.get_scope()  # the role rows, cached on the user
    with django_assert_num_queries(2):  # the aggregate, the children
        counts = services.overdue_counts(users.district, tree.root)
    by_org = {row.organization.pk: row.count for row in counts.rows}
    assert by_org[tree.committee1.pk] == 3 and by_org[tree.committee2.pk] == 1
    assert counts.own == 1 and counts.total == 5

    counts = services.overdue_counts(users.committee_admin, tree.committee1)
    assert {row.organization.pk: row.count for row in counts.rows} == {tree.branch_a.pk: 2, tree.branch_b.pk: 1}
    with pytest.raises(PermissionDenied):
        services.overdue_counts(users.outsider, tree.committee1)


def test_overdue_items_wait_in_the_inbox(tree, users):
    _item(tree.branch_a, None, PAST)
    _item(tree.branch_c, None, PAST)
    (entry,) = [p for p in pending_for(users.secretary_a) if "Overdue checklist items" in str(p.label)]
    assert entry.count == 1
    assert not [p for p in pending_for(users.secretary_b) if "Overdue checklist" in str(p.label)]
    assert not [p for p in pending_for(users.viewer) if "Overdue checklist" in str(p.label)]


# --- pages ----------------------------------------------------------------------------------------------------


def test_the_lists_page_shows_tabs_overdue_and_adds_items(tree, users, client_for):
    overdue = _item(tree.branch_a, None, PAST)
    client = client_for(users.committee_admin)
    url = reverse("orglife:checklists", args=[tree.branch_a.pk])
    page = client.get(url + "?kind=project").content.decode()
    assert 'data-overdue="1"' in page and reverse("orglife:checklist_item", args=[overdue.pk]) in page
    committee = client.get(reverse("orglife:checklists", args=[tree.committee1.pk])).content.decode()
    assert f"{url}?overdue=1" in committee  # drill-down to the child

    response = client.post(url, {"kind": "responsibility", "content": "组织生活会记录", "deadline": "", "owner": ""})
    assert response.status_code == 302
    assert ChecklistItem.objects.filter(organization=tree.branch_a, kind="responsibility").count() == 1


def test_the_item_page_takes_a_note_with_evidence_and_the_actions(tree, users, client_for):
    item = _rectification(tree, users, _problem(tree, users))
    client = client_for(users.secretary_a)
    url = reverse("orglife:checklist_item", args=[item.pk])
    assert client.get(url).status_code == 200
    bad = client.post(reverse("orglife:checklist_note", args=[item.pk]),
                      {"text": "整改", "files": SimpleUploadedFile("x.pdf", PNG)})  # fmt: skip
    assert "not what its name says" in bad.content.decode() and ChecklistNote.objects.count() == 0
    response = client.post(reverse("orglife:checklist_note", args=[item.pk]),
                           {"text": "整改完成", "files": SimpleUploadedFile("记录.pdf", PDF)})  # fmt: skip
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    served = client.get(reverse("orglife:checklist_attachment", args=[attachment.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    outsider = client_for(users.outsider)
    assert outsider.get(reverse("orglife:checklist_attachment", args=[attachment.pk])).status_code == 404

    client = client_for(users.secretary_a)
    client.post(reverse("orglife:checklist_act", args=[item.pk]), {"action": "request_closing"})
    refused = client.post(reverse("orglife:checklist_act", args=[item.pk]), {"action": "verify"})
    assert "someone else verifies it" in refused.content.decode()
    client_for(users.committee_admin).post(reverse("orglife:checklist_act", args=[item.pk]), {"action": "verify"})
    item.refresh_from_db()
    assert item.status == ChecklistStatus.CLOSED


def test_outsiders_get_404(tree, users, client_for, api_for):
    item = _item(tree.branch_a, None, PAST)
    for who in ("outsider", "nobody", "member", "secretary_b"):
        client = client_for(getattr(users, who))
        assert client.get(reverse("orglife:checklist_item", args=[item.pk])).status_code == 404
        assert client.get(reverse("orglife:checklists", args=[tree.branch_a.pk])).status_code == 404
        assert api_for(getattr(users, who)).get(f"/api/checklist-items/{item.pk}/").status_code == 404
    assert item.pk not in {r["id"] for r in api_for(users.outsider).get("/api/checklist-items/").json()["results"]}


def test_the_owner_sees_and_reports_on_their_own_item(tree, users, client_for):
    item = services.add_item(users.secretary_a, organization=tree.branch_a, kind=ChecklistKind.PROJECT,
                             content="团日活动", owner=tree.people.a2)  # fmt: skip
    client = client_for(users.member)  # person a2, no role
    assert client.get(reverse("orglife:checklist_item", args=[item.pk])).status_code == 200
    client.post(reverse("orglife:checklist_note", args=[item.pk]), {"text": "已完成"})
    assert ChecklistNote.objects.filter(item=item).count() == 1
    services.request_closing(users.member, item)  # the owner may ask for the verification
    with pytest.raises(PermissionDenied):  # but not verify
        services.verify(users.member, item)


# --- API ------------------------------------------------------------------------------------------------------


def test_the_api_creates_notes_and_closes(tree, users, api_for):
    api = api_for(users.secretary_a)
    problem = _problem(tree, users)
    created = api.post("/api/checklist-items/", {"organization": tree.branch_a.pk, "kind": "rectification",
                                                 "content": "整改", "problem": problem.pk}, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    refused = api.post(f"/api/checklist-items/{pk}/request-closing/")
    assert refused.status_code == 400 and "evidence" in str(refused.json())
    files = [{"name": "照片.jpg", "content_base64": base64.b64encode(JPEG).decode()}]
    noted = api.post(f"/api/checklist-items/{pk}/note/", {"text": "完成", "files": files}, format="json")
    assert noted.status_code == 200 and noted.json()["notes"][0]["files"] == ["照片.jpg"]
    assert api.post(f"/api/checklist-items/{pk}/request-closing/").json()["status"] == "awaiting"
    assert api.post(f"/api/checklist-items/{pk}/verify/").status_code == 400
    verified = api_for(users.committee_admin).post(f"/api/checklist-items/{pk}/verify/")
    assert verified.status_code == 200 and verified.json()["status"] == "closed"
    listed = api_for(users.committee_admin).get(f"/api/checklist-items/?org={tree.branch_a.pk}&kind=rectification")
    assert [r["id"] for r in listed.json()["results"]] == [pk]
    outsider = api_for(users.outsider).post("/api/checklist-items/", {"organization": tree.branch_a.pk,
                                            "kind": "project", "content": "越权"}, format="json")  # fmt: skip
    assert outsider.status_code == 400


# --- PostgreSQL: two verifications at once ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only(reason="needs row locks across connections")
def test_two_verifications_at_once_close_the_item_once(tree, users):
    item = services.add_item(users.secretary_a, organization=tree.branch_a, kind=ChecklistKind.PROJECT,
                             content="并发核验")  # fmt: skip
    services.request_closing(users.secretary_a, item)
    results = race(lambda: services.verify(users.committee_admin, item), lambda: services.verify(users.district, item))

    winner, refusal = one_winner(results, ChecklistItem)
    assert "already “Closed”" in refusal
    item.refresh_from_db()
    assert item.status == ChecklistStatus.CLOSED and item.verified_by == winner.verified_by
    closing = ChangeLog.objects.filter(object_id=str(item.pk), after__status=ChecklistStatus.CLOSED)
    assert closing.count() == 1
