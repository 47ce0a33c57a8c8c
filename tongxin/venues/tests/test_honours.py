"""Honours and brands (荣誉, 品牌): awarded to an organisation or a person with the certificate checked by its
content, counted by kind and level across a subtree, reviewed and revoked (never by the person honoured),
shown on the holder's page, exported; a person's honour is offered to the points hook and withdrawn when
revoked. The outsider sees and awards nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tongxin.core import achievements
from tongxin.core.exceptions import DomainError
from tongxin.core.testing import refused_unchanged
from tongxin.venues import queries, services
from tongxin.venues.models import Honour, HonourStatus

pytestmark = pytest.mark.usefixtures("english")

PDF = b"%PDF-1.4\n%certificate\n"


def _award(actor, **kw):
    values: dict[str, Any] = {"kind": "youth_civilisation", "level": "municipal", "year": 2024,
                              "awarding_body": "共青团昆明市委"}  # fmt: skip
    values.update(kw)
    return services.award_honour(actor, **values)


@pytest.fixture
def received():
    got: list = []
    taken: list = []
    achievements.register_receiver("test", got.append, lambda kind, source: taken.append((kind, source)))
    yield got, taken
    achievements.unregister_receiver("test")


def test_an_organisation_and_a_person_are_honoured_and_counted(tree, users, received):
    got, _taken = received
    _award(users.committee_admin, organization=tree.committee1, certificate=("证书.pdf", PDF))
    _award(users.secretary_a, organization=tree.branch_a, kind="shock_team", level="district")
    person = _award(users.secretary_a, person=tree.people.a1, kind="outstanding_member", level="district")
    _award(users.outsider, organization=tree.branch_c, kind="shock_team", level="district")

    assert person.org_path == tree.branch_a.path and person.organization == tree.branch_a
    assert [(a.kind, a.person_id, a.source) for a in got] == [
        ("venues.honour", tree.people.a1.pk, f"venues.honour:{person.pk}")
    ]
    levels, rows = queries.honour_counts(Honour.objects.visible_to(users.committee_admin))
    assert levels == ["National", "Provincial", "Municipal", "District"]
    assert rows == [("Youth civilisation post", [0, 0, 1, 0], 1), ("Youth shock team", [0, 0, 0, 1], 1),
                    ("Outstanding member", [0, 0, 0, 1], 1)]  # fmt: skip


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"certificate": ("证书.pdf", b"\x89PNG\r\n\x1a\n...")}, "certificate", "is not what its name says"),
        ({"certificate": ("证书.exe", b"MZ")}, "certificate", "only photos (JPEG, PNG) and PDF files are accepted"),
        ({"kind": "outstanding_member"}, "kind", "is awarded to a person"),
        ({"year": 2999}, "year", "The year is from 1949 to this year."),
        ({"awarding_body": ""}, "awarding_body", "Name the body that awarded it."),
    ],
)
def test_a_bad_honour_is_refused_and_nothing_is_written(tree, users, values, field, message):
    error = refused_unchanged(lambda: Honour.objects.count(),
                              lambda: _award(users.committee_admin, organization=tree.committee1, **values),
                              message)  # fmt: skip
    assert field in error.errors


def test_a_person_honour_kind_for_an_organisation_and_the_reverse(tree, users):
    with pytest.raises(DomainError, match="is awarded to an organisation"):
        _award(users.secretary_a, person=tree.people.a1, kind="youth_civilisation")


def test_review_confirm_and_revoke_and_the_points_taken_back(tree, users, received):
    _got, taken = received
    brand = _award(users.committee_admin, organization=tree.branch_a)
    brand = services.review_honour(users.committee_admin, brand)
    assert brand.status == HonourStatus.UNDER_REVIEW
    brand = services.confirm_honour(users.committee_admin, brand)
    assert brand.status == HonourStatus.VALID
    person = _award(users.secretary_a, person=tree.people.a1, kind="outstanding_member", level="district")
    services.revoke_honour(users.committee_admin, person, reason="材料不实")
    person.refresh_from_db()
    assert person.status == HonourStatus.REVOKED and person.note == "材料不实"
    assert taken == [("venues.honour", f"venues.honour:{person.pk}")]
    with pytest.raises(DomainError, match="already “Revoked”"):
        services.revoke_honour(users.committee_admin, person, reason="再次")


def test_nobody_revokes_her_own_honour(tree, users, selves):
    honour = _award(users.committee_admin, person=tree.people.a1, kind="outstanding_cadre", level="district")
    with pytest.raises(DomainError):
        services.revoke_honour(selves.secretary, honour, reason="自己撤销")  # her person record is a1
    honour.refresh_from_db()
    assert honour.status == HonourStatus.VALID


def test_the_outsider_sees_and_awards_nothing(tree, users):
    honour = _award(users.committee_admin, organization=tree.branch_a)
    with pytest.raises(PermissionDenied):
        _award(users.outsider, organization=tree.branch_a)
    with pytest.raises(PermissionDenied):
        services.revoke_honour(users.outsider, honour, reason="越权")
    assert not Honour.objects.visible_to(users.outsider).exists()
    assert not Honour.objects.visible_to(users.secretary_b).exists()


def test_the_holder_pages_show_the_honours_and_the_member_sees_her_own(tree, users, client_for):
    _award(users.committee_admin, organization=tree.branch_a, kind="rights_post")
    _award(users.committee_admin, person=tree.people.a2, kind="outstanding_member", level="district")
    page = client_for(users.secretary_a).get(reverse("orgs:detail", args=[tree.branch_a.pk])).content.decode()
    assert "Minors&#x27; rights protection post" in page or "Minors' rights protection post" in page
    page = client_for(users.member).get(reverse("people:detail", args=[tree.people.a2.pk])).content.decode()
    assert "Outstanding member" in page


def test_the_export_lists_the_subtree_only(tree, users, client_for):
    _award(users.committee_admin, organization=tree.branch_a, kind="rights_post")
    _award(users.outsider, organization=tree.branch_c, kind="shock_team")
    response = client_for(users.committee_admin).get(reverse("venues:honours_export"))
    data = b"".join(response.streaming_content)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = [str(c) for row in workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python() for c in row]
    assert tree.branch_a.name in cells and tree.branch_c.name not in cells


def test_awarding_on_the_page_with_a_certificate(tree, users, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(users.secretary_a)
    response = client.post(f"{reverse('venues:honour_award')}?person={tree.people.a1.pk}", {
        "kind": "outstanding_league_member", "level": "district", "year": 2025, "awarding_body": "团区委",
        "person": tree.people.a1.pk, "certificate": SimpleUploadedFile("证书.pdf", PDF, content_type="application/pdf"),
    })  # fmt: skip
    assert response.status_code == 302
    honour = Honour.objects.get()
    assert honour.person == tree.people.a1 and honour.certificate_name == "证书.pdf"
    assert client.get(reverse("venues:honour_certificate", args=[honour.pk])).status_code == 200
    fake = SimpleUploadedFile("假.pdf", b"not a pdf", content_type="application/pdf")
    data = {"kind": "shock_team", "level": "district", "year": 2025, "awarding_body": "团区委",
            "organization": tree.branch_a.pk, "certificate": fake}  # fmt: skip
    response = client.post(reverse("venues:honour_award"), data)
    assert response.status_code == 200 and "is not what its name says" in response.content.decode()
    assert Honour.objects.count() == 1
