"""Recording consent (PIPL art. 31): under 14 on the consent date a named guardian consents; 14 to 17 the
member's own separate consent is enough. Each record is audited; a refused one writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.privacy.models import ConsentRecord
from tongxin.privacy.tests.helpers import consent, minor

pytestmark = pytest.mark.django_db


def test_under_14_without_a_guardian_is_refused(tree, users, english):
    child = minor(tree.branch_a, 12)
    logs = ChangeLog.objects.count()
    with pytest.raises(DomainError) as refused:
        consent(users.secretary_a, child, given_by="self", guardian_name="", guardian_relationship="")
    assert "guardian must consent" in " ".join(refused.value.errors["given_by"])
    with pytest.raises(DomainError) as unnamed:
        consent(users.secretary_a, child, given_by="guardian", guardian_name="  ", guardian_relationship="")
    assert set(unnamed.value.errors) == {"guardian_name", "guardian_relationship"}
    assert ConsentRecord.objects.count() == 0
    assert ChangeLog.objects.count() == logs


def test_age_on_the_consent_date_decides(tree, users):
    """14 today, but 13 on the day the form was signed: the form needed a guardian."""
    teen = minor(tree.branch_a, 14, days=30)
    with pytest.raises(DomainError):
        consent(users.secretary_a, teen, given_by="self", given_on=timezone.localdate() - datetime.timedelta(days=60))
    record = consent(users.secretary_a, teen, given_by="self", guardian_name="不应保存")
    assert record.given_by == "self" and record.guardian_name == ""


def test_guardian_consent_is_recorded_and_audited(tree, users):
    child = minor(tree.branch_a, 10)
    record = consent(users.secretary_a, child)
    assert record.recorded_by == users.secretary_a and record.withdrawn_at is None
    entry = ChangeLog.objects.get(content_type__model="consentrecord", object_id=str(record.pk))
    assert entry.actor == users.secretary_a and entry.org_path == tree.branch_a.path
    assert (entry.after or {})["guardian_name"] == "王监护"


def test_a_future_date_is_refused(tree, users):
    teen = minor(tree.branch_a, 16)
    with pytest.raises(DomainError) as refused:
        consent(users.secretary_a, teen, given_by="self", given_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "given_on" in refused.value.errors


def test_outside_the_change_scope_is_refused(tree, users):
    teen = minor(tree.branch_a, 16)
    for who in (users.secretary_b, users.viewer, users.outsider):
        with pytest.raises(PermissionDenied):
            consent(who, teen, given_by="self")
    assert ConsentRecord.objects.count() == 0


def test_the_form_page_records_consent(tree, users, client_for):
    child = minor(tree.branch_a, 9, name="周小")
    client = client_for(users.secretary_a)
    url = f"/privacy/people/{child.pk}/consent/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"given_by": "self", "given_on": timezone.localdate().isoformat(),
                                 "purpose": "团籍管理", "notice_version": "v1", "method": "in_person"})  # fmt: skip
    assert response.status_code == 200 and not ConsentRecord.objects.exists()  # re-rendered with the error
    response = client.post(url, {"given_by": "guardian", "guardian_name": "周父", "guardian_relationship": "father",
                                 "given_on": timezone.localdate().isoformat(), "purpose": "团籍管理",
                                 "notice_version": "v1", "method": "paper"})  # fmt: skip
    assert response.status_code == 302
    assert ConsentRecord.objects.get(person=child).guardian_name == "周父"


def test_who_may_open_the_form(tree, users, client_for):
    teen = minor(tree.branch_a, 16)
    url = f"/privacy/people/{teen.pk}/consent/"
    assert client_for(users.viewer).get(url).status_code == 404  # sees the member, may not change them
    assert client_for(users.secretary_b).get(url).status_code == 404
    assert client_for(users.outsider).get(url).status_code == 404


def test_consent_records_are_scoped_through_the_persons_branch(tree, users):
    """The records follow the person: seen from their branch's subtree, and by the person themself."""
    from tongxin.people.services import update_person

    record = consent(users.secretary_a, tree.people.a2, given_by="self")
    assert list(ConsentRecord.objects.visible_to(users.secretary_a)) == [record]
    assert list(ConsentRecord.objects.visible_to(users.member)) == [record]  # a2's own
    assert not ConsentRecord.objects.visible_to(users.secretary_b).exists()
    assert not ConsentRecord.objects.visible_to(users.outsider).exists()
    update_person(None, tree.people.a2, {"branch": tree.branch_b})  # moved: now branch B's
    assert list(ConsentRecord.objects.visible_to(users.secretary_b)) == [record]
    assert not ConsentRecord.objects.visible_to(users.secretary_a).exists()
