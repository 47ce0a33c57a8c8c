"""Every write through a service leaves a ChangeLog row: who, what, before/after, personal data masked."""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from tongxin.core.masking import mask_id_number, mask_phone
from tongxin.core.models import ChangeLog
from tongxin.core.testing import person_data
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.services import create_organization, update_organization
from tongxin.people.models import Person
from tongxin.people.services import create_person, update_person


def entries_for(obj) -> list[ChangeLog]:
    ct = ContentType.objects.get_for_model(obj)
    return list(ChangeLog.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("id"))


def as_text(entry: ChangeLog) -> str:
    return json.dumps([entry.before, entry.after], ensure_ascii=False)


def test_creating_an_organisation_is_logged(tree, users):
    org = create_organization(
        users.committee_admin, parent=tree.committee1, kind=OrgKind.BRANCH, name="丙支部", code="N1"
    )
    (entry,) = entries_for(org)
    assert entry.action == ChangeLog.Action.CREATE
    assert entry.actor == users.committee_admin
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["name"] == "丙支部" and entry.after["code"] == "N1"
    assert entry.after["parent"] == tree.committee1.pk
    assert entry.org_path == org.path


def test_updating_an_organisation_logs_only_what_changed(tree, users):
    update_organization(users.committee_admin, tree.branch_a, name="甲团支部（更名）", short_name="甲支")
    entry = entries_for(tree.branch_a)[-1]
    assert entry.action == ChangeLog.Action.UPDATE
    assert entry.actor == users.committee_admin
    assert entry.before == {"name": "甲团支部", "short_name": ""}
    assert entry.after == {"name": "甲团支部（更名）", "short_name": "甲支"}
    with translation.override("en"):
        assert entry.changed_fields() == [("full name", "甲团支部", "甲团支部（更名）"), ("short name", "", "甲支")]


def test_creating_a_person_logs_masked_personal_data(tree, users):
    data = person_data(tree.branch_a, name="钱甲三", phone="13912345678")
    person = create_person(users.secretary_a, data)
    (entry,) = entries_for(person)
    assert entry.actor == users.secretary_a
    assert entry.org_path == tree.branch_a.path
    assert entry.after is not None
    assert entry.after["name"] == "钱甲三"
    assert entry.after["id_number"] == mask_id_number(person.id_number)
    assert entry.after["phone"] == mask_phone("13912345678") == "139****5678"
    text = as_text(entry)
    assert person.id_number not in text
    assert "13912345678" not in text
    assert person.id_number[6:14] not in text  # not even the birth date digits


def test_updating_a_person_logs_masked_before_and_after(tree, users):
    person = tree.people.a1
    old_id = Person.objects.get(pk=person.pk).id_number
    old_phone = Person.objects.get(pk=person.pk).phone
    new = person_data(tree.branch_a)
    update_person(users.secretary_a, person, {"id_number": new["id_number"], "phone": "13800001234"})
    entry = entries_for(person)[-1]
    assert entry.action == ChangeLog.Action.UPDATE
    assert entry.actor == users.secretary_a
    assert entry.before is not None and entry.after is not None
    assert set(entry.before) == set(entry.after) == {"id_number", "phone"}
    assert entry.before["id_number"] == mask_id_number(old_id)
    assert entry.after["id_number"] == mask_id_number(new["id_number"])
    assert entry.after["phone"] == "138****1234"
    text = as_text(entry)
    for secret in (old_id, new["id_number"], old_phone, "13800001234"):
        assert secret not in text


def test_a_change_of_branch_is_logged_where_the_person_now_is(tree, users):
    update_person(users.committee_admin, tree.people.a1, {"branch": tree.branch_b})
    entry = entries_for(tree.people.a1)[-1]
    assert entry.before == {"branch": tree.branch_a.pk}
    assert entry.after == {"branch": tree.branch_b.pk}
    assert entry.org_path == tree.branch_b.path


def test_system_writes_have_no_actor(tree):
    (entry,) = entries_for(Organization.objects.get(pk=tree.root.pk))
    assert entry.actor is None


def test_no_full_id_number_anywhere_in_the_change_log(tree, users):
    update_person(users.secretary_a, tree.people.a2, {"name": "李甲贰"})
    ids = list(Person.objects.values_list("id_number", flat=True))
    phones = [p for p in Person.objects.values_list("phone", flat=True) if p]
    everything = json.dumps(list(ChangeLog.objects.values_list("before", "after")), ensure_ascii=False)
    assert ids and phones
    for secret in ids + phones:
        assert secret not in everything


def test_a_recorded_list_of_coded_values_reads_label_by_label(db):
    """A service may record a multiple choice as one field (a rota's quarters, kinds): the audit page shows
    each value's label, and a value that is no code (a mapping) as recorded, never a server error."""
    from tongxin.orglife.models import Meeting, MeetingKind

    entry = ChangeLog(
        content_type=ContentType.objects.get_for_model(Meeting), object_id="1", object_repr="x",
        action=ChangeLog.Action.UPDATE, before={"kind": "league_day", "topic": {"a": 1}},
        after={"kind": ["league_day", "no-such-code"], "topic": {"a": 2}},
    )  # fmt: skip
    with translation.override("en"):
        rows = {label: new for label, _old, new in entry.changed_fields()}
        assert rows["kind"] == [str(MeetingKind.LEAGUE_DAY.label), "no-such-code"]
    assert rows["topic"] == {"a": 2}
