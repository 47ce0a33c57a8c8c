"""The dry run counts what an import would do and writes nothing; the commit writes all or nothing (or the
valid rows only, when asked), leaves an audit trail, keeps the roll-up counts right, and a file imported
twice, or the roster's own export, changes nothing the second time."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from tongxin.core.masking import mask_phone
from tongxin.core.models import ChangeLog
from tongxin.core.testing import person_data
from tongxin.people.exports import export_roster
from tongxin.people.models import Membership, Person
from tongxin.people.services import create_person
from tongxin.people.tests.helpers import id_number_ending_in_x, stored, with_wrong_check_character
from tongxin.people.tests.import_helpers import (
    check,
    commit,
    counts,
    member,
    person_row,
    report,
    table,
    xlsx_file,
)

pytestmark = pytest.mark.usefixtures("english")


def imports() -> list[ChangeLog]:
    return list(ChangeLog.objects.filter(action=ChangeLog.Action.IMPORT))


def mixed_file(tree) -> tuple[bytes, dict, dict]:
    """Two new people, a1 with a new phone, a2 as on record, and a row with a bad ID number."""
    new1, new2 = member(tree.branch_a, "新甲一"), member(tree.branch_b, "新乙一")
    a1 = {**person_row(tree.people.a1), "phone": "13712345678"}
    bad = member(tree.branch_a, "坏号码")
    bad["id_number"] = with_wrong_check_character(bad["id_number"])
    return xlsx_file(table([new1, new2, a1, person_row(tree.people.a2), bad])), new1, new2


def test_dry_run_counts_each_outcome_and_writes_nothing(tree, users, row_counts):
    content, new1, new2 = mixed_file(tree)
    before, a1 = row_counts(), stored(tree.people.a1)

    job = check(users.district, content)

    assert job.status == "checked"
    assert counts(job) == {"new": 2, "updated": 1, "unchanged": 1, "rejected": 1}
    assert report(job)["rows"] == 5
    assert [issue["row"] for issue in report(job)["issues"]] == [6]
    assert row_counts() == before
    assert stored(tree.people.a1) == a1
    assert not Person.objects.with_id_numbers([new1["id_number"], new2["id_number"]]).exists()


def test_commit_is_all_or_nothing_when_a_row_is_rejected(tree, users, row_counts):
    content, _new1, _new2 = mixed_file(tree)
    before, a1 = row_counts(), stored(tree.people.a1)

    job = commit(users.district, content)

    assert job.status == "checked"  # back to the preview, with the problems listed
    assert job.result is None
    assert counts(job)["rejected"] == 1
    assert row_counts() == before
    assert stored(tree.people.a1) == a1
    assert imports() == []


def test_valid_only_writes_the_good_rows(tree, users, row_counts):
    content, new1, new2 = mixed_file(tree)
    before = row_counts()

    job = commit(users.district, content, valid_only=True)

    assert job.status == "done"
    assert job.result == {"counts": {"new": 2, "updated": 1, "unchanged": 1, "rejected": 1}, "valid_only": True}
    assert Person.objects.with_id_number(new1["id_number"]).get().branch == tree.branch_a
    assert Person.objects.with_id_number(new2["id_number"]).get().branch == tree.branch_b
    assert not Person.objects.filter(name="坏号码").exists()
    assert Person.objects.get(pk=tree.people.a1.pk).phone == "13712345678"
    after = row_counts()
    assert (after["Person"], after["Membership"]) == (before["Person"] + 2, before["Membership"] + 2)
    # One row per new person and per update, and the import's own row.
    assert after["ChangeLog"] == before["ChangeLog"] + 4
    (entry,) = imports()
    assert (entry.after or {})["valid_only"] is True


def test_importing_the_same_file_again_changes_nothing(tree, users, row_counts):
    rows = [member(tree.branch_a, "重一"), member(tree.branch_b, "重二"), person_row(tree.people.a1)]
    content = xlsx_file(table(rows))
    first = commit(users.district, content)
    assert first.status == "done"
    assert counts(first) == {"new": 2, "updated": 0, "unchanged": 1, "rejected": 0}
    before = row_counts()
    people = [stored(person) for person in Person.objects.all()]

    again = commit(users.district, content)

    assert again.status == "done"
    assert counts(again) == {"new": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert report(again)["changes"] == []
    assert [stored(person) for person in Person.objects.all()] == people
    assert row_counts() == {**before, "ChangeLog": before["ChangeLog"] + 1}  # only the import's own row
    assert (imports()[0].after or {})["unchanged"] == 3


def test_an_empty_cell_never_clears_a_value_on_record(tree, users):
    row = {**person_row(tree.people.a1), "phone": None, "education": None, "league_number": None}

    job = commit(users.district, xlsx_file(table([row])))

    assert counts(job)["unchanged"] == 1
    person = Person.objects.get(pk=tree.people.a1.pk)
    assert (person.phone, person.education, person.league_number) == (
        tree.people.a1.phone,
        tree.people.a1.education,
        tree.people.a1.league_number,
    )


def test_a_changed_name_and_phone_show_as_an_update_with_the_phone_masked(tree, users, row_counts):
    a1 = tree.people.a1
    row = {**person_row(a1), "name": "张 甲壹", "phone": "13712345678", "ethnicity": "彝族"}
    content = xlsx_file(table([row]))
    before = row_counts()

    job = check(users.secretary_a, content)

    assert counts(job) == {"new": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert report(job)["changes"] == [
        {
            "row": 2,
            "label": "张甲壹",
            "fields": [
                ["name", "张甲一", "张甲壹"],
                ["ethnicity", "汉族", "彝族"],
                ["phone", mask_phone(a1.phone), "137****5678"],
            ],
        }
    ]
    assert a1.phone not in json.dumps(job.report) and "13712345678" not in json.dumps(job.report)
    assert row_counts() == before

    job = run_and_check_done(users.secretary_a, content)

    person = Person.objects.get(pk=a1.pk)
    assert (person.name, person.phone, person.ethnicity) == ("张甲壹", "13712345678", "07")
    assert (person.name_pinyin, person.phone_tail) == ("zhangjiayi", "5678")
    assert person.id_number == a1.id_number and person.branch == tree.branch_a
    (update,) = ChangeLog.objects.filter(action=ChangeLog.Action.UPDATE, object_id=str(a1.pk))
    assert update.actor == users.secretary_a
    assert update.org_path == tree.branch_a.path
    assert update.before == {"name": "张甲一", "ethnicity": "01", "phone": mask_phone(a1.phone)}
    assert update.after == {"name": "张甲壹", "ethnicity": "07", "phone": "137****5678"}
    after = row_counts()
    assert (after["Person"], after["Membership"], after["ChangeLog"]) == (
        before["Person"],
        before["Membership"],
        before["ChangeLog"] + 2,  # the update and the import
    )


def run_and_check_done(actor, content):
    job = commit(actor, content)
    assert job.status == "done", (job.error, job.report)
    return job


def test_the_import_leaves_one_import_row_and_one_create_row_per_new_person(tree, users):
    rows = [member(tree.branch_a, "审一"), member(tree.branch_a, "审二"), {**person_row(tree.people.a2),
            "phone": "13900007777"}, person_row(tree.people.a1)]  # fmt: skip
    ChangeLog.objects.all().delete()

    run_and_check_done(users.committee_admin, xlsx_file(table(rows), title="花名册"))

    (entry,) = imports()
    assert entry.actor == users.committee_admin
    assert entry.after == {"file": "名册.xlsx", "kind": "roster", "valid_only": False,
                           "new": 2, "updated": 1, "unchanged": 1, "rejected": 0}  # fmt: skip
    creates = ChangeLog.objects.filter(action=ChangeLog.Action.CREATE)
    new_people = Person.objects.filter(name__in=["审一", "审二"])
    assert sorted(entry.object_id for entry in creates) == sorted(str(person.pk) for person in new_people)
    person_type = ContentType.objects.get_for_model(Person)
    for create in creates:
        assert create.content_type == person_type
        assert create.actor == users.committee_admin
        assert create.org_path == tree.branch_a.path
        person = Person.objects.get(pk=create.object_id)
        after = create.after or {}
        assert after["name"] == person.name
        assert after["id_number"] != person.id_number  # stored masked
        assert after["id_number"].endswith(person.id_number[-4:])
    assert ChangeLog.objects.filter(action=ChangeLog.Action.UPDATE).count() == 1
    assert ChangeLog.objects.count() == 4
    for person in new_people:
        (stay,) = Membership.objects.filter(person=person)
        assert (stay.organization, stay.end, stay.start) == (tree.branch_a, None, timezone.localdate())


def test_rollups_are_right_after_the_commit(tree, users, rollups):
    before = rollups()
    rows = [member(tree.branch_a, f"卷甲{i}") for i in range(3)]
    rows += [member(tree.branch_c, "卷丙"), member(tree.party_branch, "卷党", political_status="中共党员")]
    rows += [{**person_row(tree.people.b1), "phone": "13900008888"}]

    run_and_check_done(users.district, xlsx_file(table(rows)))

    counted = rollups()
    assert counted[tree.branch_a.pk][:2] == (before[tree.branch_a.pk][0] + 3, before[tree.branch_a.pk][1] + 3)
    assert counted[tree.branch_b.pk] == before[tree.branch_b.pk]
    assert counted[tree.committee1.pk][1] == before[tree.committee1.pk][1] + 3
    assert counted[tree.committee2.pk][1] == before[tree.committee2.pk][1] + 1
    assert counted[tree.party_branch.pk][:2] == (1, 1)
    assert counted[tree.root.pk][1] == before[tree.root.pk][1] + 5 == Person.objects.active().count()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert rollups() == counted


def test_the_full_roster_export_imports_again_unchanged(tree, users, row_counts):
    """People of every shape: an ID ending in X, a party member, a join before 2017 without a member number,
    a minority ethnicity, no education, a name with a middle dot, a landline."""
    born = datetime.date(1998, 3, 3)
    create_person(None, person_data(tree.branch_a, name="阿依古丽·买买提", ethnicity="05", education="",
                                    id_number=id_number_ending_in_x(datetime.date(2004, 2, 29))))  # fmt: skip
    create_person(None, person_data(tree.branch_b, name="党员甲", political_status="01", birth=born,
                                    party_join_date=datetime.date(2020, 7, 1), phone="0871-12345678"))  # fmt: skip
    create_person(None, person_data(tree.branch_c, name="老团员", birth=born, occupation="employed", phone="",
                                    league_join_date=datetime.date(2012, 5, 4), league_number=None))  # fmt: skip
    out = io.BytesIO()
    assert export_roster(Person.objects.all(), out, full=True) == 8
    before = row_counts()
    people = [stored(person) for person in Person.objects.all()]

    job = run_and_check_done(users.district, out.getvalue())

    assert report(job)["issues"] == []
    assert counts(job) == {"new": 0, "updated": 0, "unchanged": 8, "rejected": 0}
    assert [stored(person) for person in Person.objects.all()] == people
    assert row_counts() == {**before, "ChangeLog": before["ChangeLog"] + 1}
