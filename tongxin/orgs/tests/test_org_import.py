"""The organisation tree imports like the roster: a committee loads its structure from a spreadsheet, parents
named by full name or code, above or below their children; the dry run writes nothing, the import writes the
tree with its paths, roll-ups and audit rows, a re-import changes nothing, and every refused row names its rule.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.accounts.models import User
from tongxin.core.exceptions import DomainError
from tongxin.core.imports import NEW, check_file, create_job, get_spec, run_check, run_commit
from tongxin.core.models import ChangeLog, ImportJob
from tongxin.orgs.columns import ORG_COLUMN_BY_KEY, ORG_COLUMNS
from tongxin.orgs.imports import OrgImport
from tongxin.orgs.models import Organization, OrgCategory, OrgKind, path_step
from tongxin.orgs.services import import_organizations, rebuild_rollups
from tongxin.people.queries import direct_member_counts

pytestmark = pytest.mark.usefixtures("english")

KEYS = ["name", "code", "kind", "parent"]
TITLE = "第一团委组织架构（2025年）"


def table(rows: list[dict[str, Any]], keys: list[str] = KEYS) -> list[list[Any]]:
    """A header row of the standard headers, then one row per dict."""
    return [[ORG_COLUMN_BY_KEY[key].header for key in keys], *[[row.get(key) for key in keys] for row in rows]]


def xlsx_file(rows: list[list[Any]], *, title: str | None = None) -> bytes:
    """A workbook whose first sheet holds ``title`` (merged across the first row) above the table."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("组织架构")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    first = 0
    if title is not None:
        sheet.merge_range(0, 0, 0, len(rows[0]) - 1, title)
        first = 1
    for r, row in enumerate(rows, start=first):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_format)
            elif value is not None:
                sheet.write_string(r, c, str(value))
    workbook.close()
    return out.getvalue()


def csv_file(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["" if value is None else value for value in row] for row in rows])
    return out.getvalue().encode(encoding)


def check(user, content: bytes, file_name: str = "组织架构.xlsx", **options: Any) -> ImportJob:
    job = run_check(create_job(user, kind="orgs", file_name=file_name, content=content, options=options))
    assert job.status == ImportJob.Status.CHECKED, job.error
    return job


def commit(user, content: bytes, *, valid_only: bool = False, file_name: str = "组织架构.xlsx") -> ImportJob:
    job = create_job(user, kind="orgs", file_name=file_name, content=content, options={})
    return run_commit(job, valid_only=valid_only)


def report(job: ImportJob) -> dict[str, Any]:
    assert job.report is not None, job.error
    return job.report


def result(job: ImportJob) -> dict[str, Any]:
    assert job.result is not None, (job.status, job.error, report(job)["issues"])
    return job.result


def counts(job: ImportJob) -> dict[str, int]:
    return report(job)["counts"]


def messages(job: ImportJob, row: int) -> list[str]:
    """Every message about Excel row ``row``."""
    return [issue["message"] for issue in report(job)["issues"] if issue["row"] == row]


def only_message(job: ImportJob, row: int, header: str) -> str:
    found = [issue for issue in report(job)["issues"] if issue["row"] == row]
    assert len(found) == 1, report(job)["issues"]
    assert found[0]["header"] == header, found[0]
    return found[0]["message"]


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def structure(tree) -> list[dict[str, Any]]:
    """A committee's structure as it writes it: parents by name and by code, one parent below its children,
    the organisations already in the tree listed again."""
    return [
        {"name": "第一团委", "code": "T1", "kind": "团委", "parent": tree.root.name},
        {"name": "机关团总支", "code": "N1", "kind": "团总支", "parent": "第一团委"},  # parent by full name
        {"name": "机关第一团支部", "code": "N1A", "kind": "团支部", "parent": "N1"},  # by code, parent above
        {"name": "机关联合团支部", "code": "N1B", "kind": "联合团支部", "parent": "机关团总支"},
        {"name": "车间第一团支部", "code": "N2A", "kind": "团支部", "parent": "N2"},  # parent below
        {"name": "车间团总支", "code": "N2", "kind": "团总支部", "parent": "T1"},
        {"name": tree.branch_a.name, "code": "T1A", "kind": "团支部", "parent": "第一团委"},
        {"name": tree.branch_b.name, "code": "T1B", "kind": "团支部", "parent": "T1"},
    ]


NEW_CODES = ["N1", "N1A", "N1B", "N2A", "N2"]


def test_the_import_is_registered_with_its_columns():
    spec = get_spec("orgs")
    assert isinstance(spec, OrgImport)
    assert str(spec.label) == "Organisation tree"
    required = {column.header for column in ORG_COLUMNS if column.required}
    assert required == {"组织全称", "组织编码", "上级组织"}


def test_the_dry_run_counts_every_outcome_and_writes_nothing(tree, users, row_counts, rollups):
    rows = structure(tree)
    rows[7]["name"] = "乙团支部（车间）"  # a new name for branch B: an update
    rows.append({"name": "错放团支部", "code": "BAD", "kind": "团支部", "parent": tree.branch_a.name})
    before, stats = row_counts(), rollups()

    job = check(users.committee_admin, xlsx_file(table(rows), title=TITLE))

    assert report(job)["header_row"] == 2  # below the title
    assert counts(job) == {"new": 5, "updated": 1, "unchanged": 2, "rejected": 1}
    assert report(job)["changes"] == [
        {"row": 10, "label": "乙团支部（车间）", "fields": [["full name", tree.branch_b.name, "乙团支部（车间）"]]}
    ]
    assert "A branch cannot have child organisations" in only_message(job, 11, "上级组织")
    assert row_counts() == before
    assert rollups() == stats
    assert not Organization.objects.filter(code__in=NEW_CODES).exists()


def test_the_import_writes_the_tree_with_paths_rollups_and_audit(tree, users, rollups):
    rows = structure(tree)
    rows[7]["name"] = "乙团支部（车间）"
    before = rollups()

    job = commit(users.committee_admin, xlsx_file(table(rows), title=TITLE))

    assert job.status == ImportJob.Status.DONE, (job.error, report(job).get("issues"))
    assert result(job)["counts"] == {"new": 5, "updated": 1, "unchanged": 2, "rejected": 0}
    c1, n1, n2 = tree.committee1, org("N1"), org("N2")
    assert (n1.parent_id, n1.path, n1.depth) == (c1.pk, c1.path + path_step(n1.pk), c1.depth + 1)
    assert (n2.parent_id, n2.kind) == (c1.pk, OrgKind.GENERAL_BRANCH)
    for code, parent in (("N1A", n1), ("N1B", n1), ("N2A", n2)):
        child = org(code)
        assert (child.parent_id, child.path, child.depth) == (parent.pk, parent.path + path_step(child.pk), 3)
        assert child.kind == OrgKind.BRANCH
    assert org("N1B").is_joint and not org("N1A").is_joint
    assert org("T1B").name == "乙团支部（车间）"
    assert Organization.objects.get(pk=tree.branch_b.pk).path == tree.branch_b.path

    after = rollups()
    assert after[c1.pk] == (before[c1.pk][0], before[c1.pk][1], before[c1.pk][2] + 2)
    assert after[n1.pk] == (0, 0, 2) and after[n2.pk] == (0, 0, 1) and after[org("N2A").pk] == (0, 0, 0)
    assert {pk: value for pk, value in after.items() if pk in before} == {**before, c1.pk: after[c1.pk]}
    rebuild_rollups(direct_member_counts)
    assert rollups() == after  # what a full recount gives

    created = ChangeLog.objects.filter(
        action=ChangeLog.Action.CREATE, object_id__in=[str(org(c).pk) for c in NEW_CODES]
    )
    assert {entry.org_path for entry in created} == {org(c).path for c in NEW_CODES}
    assert all(entry.actor == users.committee_admin for entry in created)
    renamed = ChangeLog.objects.get(action=ChangeLog.Action.UPDATE, object_id=str(tree.branch_b.pk))
    assert renamed.after == {"name": "乙团支部（车间）"}
    imported = ChangeLog.objects.get(action=ChangeLog.Action.IMPORT).after
    assert imported is not None and imported["new"] == 5


def test_reimporting_the_same_file_changes_nothing(tree, users, row_counts, rollups):
    content = xlsx_file(table(structure(tree)), title=TITLE)
    assert commit(users.committee_admin, content).status == ImportJob.Status.DONE
    before, stats = row_counts(), rollups()
    stored = list(Organization.objects.values())

    job = commit(users.committee_admin, content)

    assert job.status == ImportJob.Status.DONE
    assert result(job)["counts"] == {"new": 0, "updated": 0, "unchanged": 8, "rejected": 0}
    assert row_counts() == {**before, "ChangeLog": before["ChangeLog"] + 1}  # only the import's own entry
    assert rollups() == stats
    assert list(Organization.objects.values()) == stored


def test_a_changed_field_is_an_update_showing_the_difference(tree, users):
    rows = [
        {"name": "第一团委（新）", "code": "T1", "kind": "团委", "parent": "T0", "category": "企业",
         "established": datetime.date(2010, 5, 4)},
        {"name": tree.branch_a.name, "code": "T1A", "kind": "联合团支部", "parent": "T1"},
    ]  # fmt: skip
    # The district renames committee 1 (its committee admin may not: four eyes, the organisation above does).
    job = check(users.district, xlsx_file(table(rows, [*KEYS, "category", "established"])))

    assert counts(job) == {"new": 0, "updated": 2, "unchanged": 0, "rejected": 0}
    changes = {change["row"]: change["fields"] for change in report(job)["changes"]}
    assert changes[2] == [
        ["full name", "第一团委", "第一团委（新）"], ["category", "其他", "企业"], ["established", "", "2010-05-04"]
    ]  # fmt: skip
    assert changes[3] == [["kind", "团支部", "联合团支部"]]

    job = commit(users.district, xlsx_file(table(rows, [*KEYS, "category", "established"])))
    assert job.status == ImportJob.Status.DONE
    c1 = org("T1")
    assert (c1.name, c1.category, c1.established) == (
        "第一团委（新）",
        OrgCategory.ENTERPRISE,
        datetime.date(2010, 5, 4),
    )
    assert org("T1A").is_joint


def test_a_csv_file_in_gbk_with_optional_columns(tree, users):
    keys = [*KEYS, "short_name", "category", "division_code", "established", "term_start", "term_end"]
    rows = [
        {"name": "第三团委", "code": "N3", "kind": "基层团委", "parent": "T0", "short_name": "三团委",
         "category": "学校", "division_code": "530112", "established": "2001年5月", "term_start": "2024/5/4",
         "term_end": "2026-05-03"},
        {"name": "第三团委团支部", "code": "N3A", "kind": "团支部", "parent": "第三团委"},
    ]  # fmt: skip

    job = commit(users.district, csv_file(table(rows, keys), "gbk"), file_name="架构.csv")

    assert job.status == ImportJob.Status.DONE, report(job).get("issues")
    n3 = org("N3")
    assert (n3.parent_id, n3.kind, n3.short_name, n3.category) == (tree.root.pk, "committee", "三团委", "school")
    assert (n3.division_code, n3.established, n3.term_end) == (
        "530112",
        datetime.date(2001, 5, 1),
        datetime.date(2026, 5, 3),
    )
    assert org("N3A").parent_id == n3.pk


def test_an_empty_parent_cell_means_the_organisation_chosen_on_the_page_or_a_new_root(tree, users):
    rows = [{"name": "新团总支", "code": "X1", "kind": "团总支"}, {"name": "新团支部", "code": "X2", "kind": "团支部"}]
    job = check(users.committee_admin, xlsx_file(table(rows)), org_id=tree.committee1.pk)
    assert counts(job)["new"] == 2

    job = check(users.district, xlsx_file(table(rows)))
    assert "Name the parent organisation" in only_message(job, 2, "上级组织")

    root = [{"name": "共青团另一区委员会", "code": "R1", "kind": "团县委"}, {"name": "团支部", "code": "R1A",
             "kind": "团支部", "parent": "R1"}]  # fmt: skip
    job = run_commit(create_job(None, kind="orgs", file_name="a.xlsx", content=xlsx_file(table(root)), options={}))
    assert job.status == ImportJob.Status.DONE
    new_root = org("R1")
    assert (new_root.parent_id, new_root.depth, new_root.path, new_root.kind, new_root.level) == (
        None, 0, path_step(new_root.pk), OrgKind.LOCAL_COMMITTEE, "county"
    )  # fmt: skip
    assert org("R1A").path == new_root.path + path_step(org("R1A").pk)


def test_cell_rules_are_named(tree, users):
    keys = [*KEYS, "division_code", "term_start", "term_end", "level"]
    rows = [
        {"name": "甲", "code": "X1", "kind": "团总支", "parent": "T1", "division_code": "5301"},
        {"name": "乙", "code": "X2", "kind": "团总支", "parent": "T1", "term_start": "2025-05-04",
         "term_end": "2024-05-04"},
        {"name": "丙", "code": "X3", "kind": "团小组", "parent": "T1"},
        {"name": "丁", "code": "X4", "parent": "T1"},
        {"name": "戊", "code": "X5", "kind": "团区委", "parent": "T0", "level": "市级"},
        {"code": "X6", "kind": "团总支", "parent": "T1"},
    ]  # fmt: skip
    job = check(users.district, xlsx_file(table(rows, keys)))

    assert counts(job)["rejected"] == 6
    assert "6 digits (GB/T 2260)" in only_message(job, 2, "行政区划代码")
    assert "must end after it starts" in only_message(job, 3, "本届届满时间")
    assert "Unknown value; use one of" in only_message(job, 4, "组织类别")
    assert "kind of a new organisation is required" in only_message(job, 5, "组织类别")
    assert "level does not match the kind" in only_message(job, 6, "级别")
    assert "full name is required" in only_message(job, 7, "组织全称")


def test_a_branch_under_a_branch_and_a_party_branch_under_a_league_committee_are_refused(tree, users, row_counts):
    rows = [
        {"name": "支部下的支部", "code": "X1", "kind": "团支部", "parent": tree.branch_a.name},
        {"name": "第一团委党支部", "code": "X2", "kind": "党支部", "parent": "T1"},
        {"name": "新团支部下的团总支", "code": "X4", "kind": "团总支", "parent": "X3"},  # a branch of the file
        {"name": "新团支部", "code": "X3", "kind": "团支部", "parent": "T1"},
        {"name": "团总支下的团委", "code": "X5", "kind": "团委", "parent": "X6"},
        {"name": "新团总支", "code": "X6", "kind": "团总支", "parent": "T1"},
    ]
    before = row_counts()
    job = check(users.committee_admin, xlsx_file(table(rows)))

    assert counts(job) == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 4}
    assert "A branch cannot have child organisations" in only_message(job, 2, "上级组织")
    assert "A Party branch cannot sit under a League committee" in only_message(job, 3, "上级组织")
    assert "A branch cannot have child organisations" in only_message(job, 4, "上级组织")
    assert "A League committee cannot sit under a League general branch" in only_message(job, 6, "上级组织")
    assert row_counts() == before


def test_an_unknown_parent_is_refused(tree, users):
    job = check(users.committee_admin, xlsx_file(table([{"name": "甲", "code": "X1", "kind": "团支部",
                                                          "parent": "不存在的团委"}])))  # fmt: skip
    message = only_message(job, 2, "上级组织")
    assert "不存在的团委 is neither an organisation you manage nor a row of this file" in message


def test_a_parent_outside_the_scope_is_refused_like_an_unknown_one(tree, users, row_counts):
    rows = [
        {"name": "甲", "code": "X1", "kind": "团支部", "parent": tree.committee2.name},
        {"name": "乙", "code": "X2", "kind": "团支部", "parent": tree.committee2.code},
        {"name": "丙", "code": "X3", "kind": "团支部", "parent": "不存在的团委"},
    ]
    before = row_counts()
    job = commit(users.committee_admin, xlsx_file(table(rows)), valid_only=True)

    assert result(job)["counts"]["rejected"] == 3
    unknown = only_message(job, 4, "上级组织").replace("不存在的团委", "%s")
    assert only_message(job, 2, "上级组织") == unknown % tree.committee2.name
    assert only_message(job, 3, "上级组织") == unknown % tree.committee2.code
    assert row_counts() == {**before, "ChangeLog": before["ChangeLog"] + 1}


def test_a_visible_parent_the_user_does_not_manage_is_refused(tree, users):
    job = check(users.viewer, xlsx_file(table([{"name": "甲", "code": "X1", "kind": "团支部", "parent": "T1"}])))
    assert f"You do not manage {tree.committee1.name}" in only_message(job, 2, "上级组织")


def test_a_duplicate_code_or_name_in_the_file_is_refused(tree, users):
    rows = [
        {"name": "甲团总支", "code": "X1", "kind": "团总支", "parent": "T1"},
        {"name": "乙团总支", "code": "X1", "kind": "团总支", "parent": "T1"},
        {"name": "甲团总支", "code": "X2", "kind": "团总支", "parent": "T1"},
        {"name": "甲团总支", "code": "X3", "kind": "团总支", "parent": "T0"},  # another parent: allowed
    ]
    job = check(users.district, xlsx_file(table(rows)))

    assert counts(job) == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert only_message(job, 3, "组织编码") == "This code is already on row 2 of this file."
    assert "Row 2 of this file has the same full name under the same parent" in only_message(job, 4, "组织全称")


def test_parents_going_round_in_a_circle_are_refused(tree, users):
    rows = [
        {"name": "甲", "code": "X1", "kind": "团总支", "parent": "X2"},
        {"name": "乙", "code": "X2", "kind": "团总支", "parent": "X3"},
        {"name": "丙", "code": "X3", "kind": "团总支", "parent": "甲"},
        {"name": "丁", "code": "X4", "kind": "团支部", "parent": "X3"},  # hangs from the circle
        {"name": "戊", "code": "X5", "kind": "团总支", "parent": "X5"},  # its own parent
    ]
    job = check(users.committee_admin, xlsx_file(table(rows)))

    assert counts(job)["rejected"] == 5
    for row in (2, 3, 4):
        assert "rows 2, 3, 4 go round in a circle" in only_message(job, row, "上级组织")
    assert "parent organisation on row 4 has errors" in only_message(job, 5, "上级组织")
    assert "An organisation cannot be its own parent" in only_message(job, 6, "上级组织")


def test_the_tree_cannot_grow_deeper_than_its_paths_hold(tree, users):
    rows = [
        {"name": f"团委{i}", "code": f"D{i}", "kind": "团委", "parent": f"D{i - 1}" if i else "T1"} for i in range(31)
    ]
    job = check(users.committee_admin, xlsx_file(table(rows)))
    assert counts(job) == {"new": 29, "updated": 0, "unchanged": 0, "rejected": 2}
    assert "at most 31 levels deep" in only_message(job, 31, "上级组织")  # D29 would sit at depth 31
    assert "parent organisation on row 31 has errors" in only_message(job, 32, "上级组织")


def test_an_import_does_not_move_an_organisation(tree, users):
    rows = [{"name": tree.branch_a.name, "code": "T1A", "kind": "团支部", "parent": "T2"}]
    job = check(users.district, xlsx_file(table(rows)))
    message = only_message(job, 2, "上级组织")
    assert "an import does not move organisations" in message and "move page" in message


def test_a_code_used_outside_the_scope_is_refused_without_naming_its_holder(tree, users):
    rows = [{"name": "新团支部", "code": tree.branch_c.code, "kind": "团支部", "parent": "T1"}]
    job = check(users.committee_admin, xlsx_file(table(rows)))
    message = only_message(job, 2, "组织编码")
    assert "already used by another organisation" in message
    assert tree.branch_c.name not in message


def test_a_branch_with_members_cannot_change_kind(tree, users):
    rows = [{"name": tree.branch_a.name, "code": "T1A", "kind": "团总支", "parent": "T1"}]
    job = check(users.committee_admin, xlsx_file(table(rows)))
    assert "A branch with members must stay a branch" in only_message(job, 2, "组织类别")


def test_one_bad_row_writes_nothing(tree, users, row_counts, rollups):
    rows = [*structure(tree), {"name": "错放团支部", "code": "BAD", "kind": "团支部", "parent": "T1A"}]
    before, stats = row_counts(), rollups()

    job = commit(users.committee_admin, xlsx_file(table(rows)))

    assert job.status == ImportJob.Status.CHECKED and job.result is None
    assert counts(job)["rejected"] == 1
    assert row_counts() == before
    assert rollups() == stats


def test_valid_rows_only_writes_the_good_rows_and_not_the_children_of_bad_ones(tree, users, rollups):
    rows = [
        {"name": "好团总支", "code": "G1", "kind": "团总支", "parent": "T1"},
        {"name": "好团支部", "code": "G1A", "kind": "团支部", "parent": "G1"},
        {"name": "坏团总支", "code": "B1", "kind": "团总支", "parent": "T1A"},
        {"name": "坏团总支的团支部", "code": "B1A", "kind": "团支部", "parent": "B1"},
    ]
    job = commit(users.committee_admin, xlsx_file(table(rows)), valid_only=True)

    assert job.status == ImportJob.Status.DONE
    assert result(job)["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert "parent organisation on row 4 has errors" in only_message(job, 5, "上级组织")
    assert set(Organization.objects.filter(code__in=["G1", "G1A", "B1", "B1A"]).values_list("code", flat=True)) == {
        "G1", "G1A"
    }  # fmt: skip
    after = rollups()
    rebuild_rollups(direct_member_counts)
    assert rollups() == after


def test_an_outsider_cannot_create_under_committee1(tree, users, row_counts):
    rows = [{"name": "外来团支部", "code": "X1", "kind": "团支部", "parent": tree.committee1.name}]
    before = row_counts()

    job = commit(users.outsider, xlsx_file(table(rows)), valid_only=True)

    assert result(job)["counts"] == {"new": 0, "updated": 0, "unchanged": 0, "rejected": 1}
    assert "neither an organisation you manage nor a row of this file" in only_message(job, 2, "上级组织")
    assert row_counts() == {**before, "ChangeLog": before["ChangeLog"] + 1}
    with pytest.raises(PermissionDenied):
        new = [{"name": "外来团支部", "code": "X1", "kind": "branch", "parent_id": tree.committee1.pk}]
        import_organizations(users.outsider, new=new, updates=[])
    assert not Organization.objects.filter(code="X1").exists()


def test_the_service_checks_the_rules_again(tree, users, row_counts):
    """What changed since the check (a code taken, a parent dissolved) stops the write with the rule named."""
    before = row_counts()
    cases = [
        ([{"name": "甲", "code": "T1B", "kind": "branch", "parent_id": tree.committee1.pk}], "already used by"),
        ([{"name": "甲", "code": "X1", "kind": "branch", "parent_id": tree.branch_a.pk}], "cannot have child"),
        ([{"name": "甲", "code": "X1", "kind": "branch", "parent_code": "X2"},
          {"name": "乙", "code": "X2", "kind": "general_branch", "parent_code": "X1"}], "neither organisations"),
    ]  # fmt: skip
    for new, rule in cases:
        with pytest.raises(DomainError) as caught:
            import_organizations(users.committee_admin, new=new, updates=[])
        assert rule in str(caught.value)
    assert row_counts() == before


def test_checking_asks_the_database_a_fixed_number_of_times(tree, users):
    def queries(size: int) -> int:
        rows = [{"name": f"团总支{i}", "code": f"Q{i}", "kind": "团总支", "parent": "T1"} for i in range(size)]
        rows += [{"name": f"团支部{i}", "code": f"Q{i}A", "kind": "团支部", "parent": f"Q{i}"} for i in range(size)]
        content = xlsx_file(table(rows))
        user = User.objects.get(pk=users.committee_admin.pk)  # its scope not yet read
        with CaptureQueriesContext(connection) as captured:
            outcome = check_file(OrgImport(), user, content, "a.xlsx", {}, lambda done, total: None)
        assert all(row.status == NEW and not row.rejected for row in outcome.rows)
        return len(captured)

    assert queries(5) == queries(150) <= 5


def test_writing_a_few_hundred_organisations_takes_a_few_statements(tree, users, rollups):
    rows = [{"name": f"团总支{i}", "code": f"Q{i}", "kind": "团总支", "parent": "T1"} for i in range(100)]
    rows += [
        {"name": f"团支部{i}{letter}", "code": f"Q{i}{letter}", "kind": "团支部", "parent": f"Q{i}"}
        for i in range(100)
        for letter in "AB"
    ]
    content = xlsx_file(table(rows))
    with CaptureQueriesContext(connection) as captured:
        job = commit(users.committee_admin, content)
    assert job.status == ImportJob.Status.DONE
    assert Organization.objects.filter(code__startswith="Q").count() == 300
    assert len(captured) < 60, len(captured)
    after = rollups()
    assert after[tree.committee1.pk][2] == 102
    rebuild_rollups(direct_member_counts)
    assert rollups() == after
