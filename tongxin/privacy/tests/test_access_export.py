"""Right of access: a person's data as an .xlsx file, for themself or for a user who may change them: every
record about them (ID number and phone in full), nobody else's, each export in the AccessLog."""

from __future__ import annotations

import datetime
import io

import pytest
from python_calamine import CalamineWorkbook

from tongxin.core.models import AccessLog
from tongxin.lifecycle.services.dues import mark_paid
from tongxin.orglife.services.meetings import record_meeting
from tongxin.orglife.tests.meeting_helpers import planned
from tongxin.people.services import appoint_cadre
from tongxin.privacy.exports import NOT_EXPORTED, SECTIONS, person_relations
from tongxin.privacy.tests.helpers import consent

pytestmark = pytest.mark.django_db


def cells(response) -> dict[str, list[list[str]]]:
    data = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: [[str(c) for c in row] for row in book.get_sheet_by_name(name).to_python()]
            for name in book.sheet_names}  # fmt: skip


def text(sheets) -> str:
    return "\n".join("\t".join(row) for rows in sheets.values() for row in rows)


@pytest.fixture
def records(tree, users):
    a2 = tree.people.a2
    appoint_cadre(None, person=a2, organization=tree.branch_a, title="publicity", start=datetime.date(2024, 9, 1))
    mark_paid(None, branch=tree.branch_a, kind="league", month=datetime.date(2025, 1, 1),
              person_ids=[a2.pk, tree.people.a1.pk], paid_on=datetime.date(2025, 1, 10))  # fmt: skip
    meeting = planned(None, tree.branch_a)
    record_meeting(None, meeting, attendance={a2.pk: ("present", ""), tree.people.a1.pk: ("leave", "病假")})
    consent(users.secretary_a, a2, given_by="self", notice_version="2026-版本1")
    return meeting


def test_the_member_downloads_their_own_data(tree, users, records, client_for):
    a2 = tree.people.a2
    client = client_for(users.member)  # linked to a2
    client.post(f"/people/{a2.pk}/reveal/")  # an earlier view of the data, which the file lists
    response = client.get(f"/privacy/people/{a2.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert a2.name not in response["Content-Disposition"]
    sheets = cells(response)
    everything = text(sheets)
    for expected in (a2.name, a2.id_number, a2.phone, tree.branch_a.name, "2026-版本1", "学习会", "2025-01-10"):
        assert expected in everything, expected
    for other in (tree.people.a1, tree.people.b1):  # a1 is in the same meeting and dues ledger
        assert other.name not in everything and other.id_number not in everything and other.phone not in everything
    assert "病假" not in everything  # a1's reason for leave
    assert len(sheets) >= 10
    log = AccessLog.objects.filter(action="export", object_id=str(a2.pk)).get()
    assert log.actor == users.member and log.fields == "id_number,phone" and log.org_path == tree.branch_a.path


def test_a_secretary_exports_for_a_member_and_the_export_is_listed_next_time(tree, users, records, client_for):
    users.secretary_a.first_name = "周书记"  # listed by her name, never her login (issue 13)
    users.secretary_a.save(update_fields=["first_name"])
    client = client_for(users.secretary_a)
    assert client.get(f"/privacy/people/{tree.people.a2.pk}/export/").status_code == 200
    sheets = cells(client.get(f"/privacy/people/{tree.people.a2.pk}/export/"))
    access_sheet = next(rows for name, rows in sheets.items() if any("周书记" in "".join(r) for r in rows[1:]))
    assert not any("secretary_a" in "".join(r) for rows in sheets.values() for r in rows)
    assert len(access_sheet) >= 2
    assert AccessLog.objects.filter(action="export", object_id=str(tree.people.a2.pk)).count() == 2


def test_outsiders_and_viewers_get_404_and_nothing_is_logged(tree, users, records, client_for):
    url = f"/privacy/people/{tree.people.a1.pk}/export/"
    before = AccessLog.objects.count()
    for who in (users.outsider, users.secretary_b, users.member, users.nobody, users.viewer):
        assert client_for(who).get(url).status_code == 404, who
    assert AccessLog.objects.count() == before


def test_every_relation_to_a_person_is_exported_or_excused():
    keys = {key for key, _relation in person_relations()}
    unknown = keys - set(SECTIONS) - set(NOT_EXPORTED)
    assert not unknown, f"Say in privacy.exports whether these records go into the access file: {unknown}"
    assert not (set(SECTIONS) | set(NOT_EXPORTED)) - keys, "stale entries in privacy.exports"
