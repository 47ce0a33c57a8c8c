"""The certificate of service hours: issued by an organiser (never for herself) for the hours at the issuer's
activities, a PDF with the CJK font and a QR code, verified on a public page by its random key; a forged key has
no record; the outsider neither downloads nor issues one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tongxin.activities import services
from tongxin.activities.models import Certificate
from tongxin.activities.tests.helpers import make_activity
from tongxin.core.exceptions import DomainError

pytestmark = pytest.mark.usefixtures("english")


def _with_hours(tree, users, hours: str = "2"):
    activity = make_activity(tree, hours_ago=2, length_hours=3)
    registration = services.register(users.member, activity)
    services.confirm(users.secretary_a, registration)
    services.set_supplementary_hours(users.secretary_a, registration, hours, "现场核实")
    return activity


def test_issue_download_and_verify(tree, users, client_for):
    _with_hours(tree, users)
    certificate = services.issue_certificate(users.secretary_a, person=tree.people.a2, organization=tree.branch_a)
    assert certificate.supplementary_hours == Decimal("2.00") and certificate.verified_hours == 0
    assert certificate.holder_masked_id != tree.people.a2.id_number and "*" in certificate.holder_masked_id
    pdf = client_for(users.member).get(f"/activities/certificates/{certificate.pk}/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"STSong-Light" in pdf.content
    page = Client().get(f"/activities/verify/{certificate.verify_key}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert certificate.serial in body and tree.people.a2.name not in body and tree.people.a2.id_number not in body


def test_a_forged_key_has_no_record(db):
    assert Client().get("/activities/verify/forged-key-0000/").status_code == 404


def test_nothing_to_certify_is_refused(tree, users):
    with pytest.raises(DomainError, match="no hours"):
        services.issue_certificate(users.secretary_a, person=tree.people.a2, organization=tree.branch_a)
    assert not Certificate.objects.exists()


def test_no_certificate_for_oneself(tree, selves, users):
    activity = make_activity(tree, hours_ago=2, length_hours=3)
    own = services.confirm(None, services.register(None, activity, tree.people.a1))
    services.set_supplementary_hours(None, own, "1", "补录")
    with pytest.raises(DomainError, match="concerns you personally"):
        services.issue_certificate(selves.secretary, person=tree.people.a1, organization=tree.branch_a)


def test_the_outsider_neither_issues_nor_downloads(tree, users, client_for):
    _with_hours(tree, users)
    with pytest.raises(PermissionDenied):
        services.issue_certificate(users.outsider, person=tree.people.a2, organization=tree.branch_a)
    certificate = services.issue_certificate(None, person=tree.people.a2, organization=tree.branch_a)
    assert client_for(users.outsider).get(f"/activities/certificates/{certificate.pk}/").status_code == 404
