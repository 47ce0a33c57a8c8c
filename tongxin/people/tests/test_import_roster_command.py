"""``manage.py import_roster``: the same check as the page, counts printed, the error report written next
to the file, all or nothing unless --valid-only, nothing written by --dry-run."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from tongxin.core.models import AccessLog, ChangeLog
from tongxin.core.testing import person_data
from tongxin.people.models import Person

pytestmark = pytest.mark.usefixtures("english")


def write_roster(path, branch, names, *, bad: bool = False, with_branch: bool = True):
    lines = ["姓名,身份证号" + (",所在团支部" if with_branch else "")]
    for name in names:
        line = f"{name},{person_data(branch, name=name)['id_number']}"
        lines.append(line + (f",{branch.name}" if with_branch else ""))
    if bad:
        lines.append("错号码,110101200001011234" + (f",{branch.name}" if with_branch else ""))
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_roster", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_dry_run_prints_the_counts_and_writes_only_the_report(tree, tmp_path, row_counts):
    path = write_roster(tmp_path / "名册.csv", tree.branch_a, ["新人甲", "新人乙"], bad=True)
    before = row_counts()

    output = run(path, "--dry-run")

    assert "3 rows: 2 new, 0 updated, 0 unchanged, 1 with problems." in output
    assert "nothing was written" in output
    assert row_counts() == {**before, "AccessLog": before["AccessLog"] + 1}  # the report: an audited export
    report = tmp_path / "名册_error report.xlsx"
    assert report.exists()
    workbook = CalamineWorkbook.from_path(str(report))
    problems = workbook.get_sheet_by_name(workbook.sheet_names[1]).to_python()
    assert problems[1][0] == 4 and "check character" in str(problems[1][4])


def test_import_writes_people_with_an_audit_entry(tree, tmp_path):
    path = write_roster(tmp_path / "名册.csv", tree.branch_a, ["新人甲", "新人乙"])

    output = run(path)

    assert "Imported: 2 new, 0 updated." in output
    assert Person.objects.filter(branch=tree.branch_a, name__in=["新人甲", "新人乙"]).count() == 2
    entry = ChangeLog.objects.get(action=ChangeLog.Action.IMPORT)
    assert entry.actor is None and entry.after is not None and entry.after["file"] == "名册.csv"


def test_rows_without_a_branch_go_to_the_org_given_by_code(tree, tmp_path):
    path = write_roster(tmp_path / "名册.csv", tree.branch_b, ["新人丙"], with_branch=False)

    run(path, "--org", tree.branch_b.code)

    assert Person.objects.get(name="新人丙").branch == tree.branch_b


def test_problems_stop_the_import_unless_valid_only(tree, tmp_path, row_counts):
    path = write_roster(tmp_path / "名册.csv", tree.branch_a, ["新人甲"], bad=True)
    before = row_counts()

    with pytest.raises(CommandError, match="1 rows have problems"):
        run(path)
    assert row_counts() == {**before, "AccessLog": before["AccessLog"] + 1}  # the report: an audited export

    run(path, "--valid-only")
    assert Person.objects.filter(name="新人甲").exists()
    assert not Person.objects.filter(name="错号码").exists()


def test_an_unknown_org_code_or_a_missing_file_is_a_clear_error(tree, tmp_path):
    path = write_roster(tmp_path / "名册.csv", tree.branch_a, ["新人甲"])
    with pytest.raises(CommandError, match="No organisation has the code NOPE"):
        run(path, "--org", "NOPE")
    with pytest.raises(CommandError, match="Could not read"):
        run(tmp_path / "missing.xlsx")


def test_a_file_that_is_no_spreadsheet_is_refused(tree, tmp_path, row_counts):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(b"%PDF-1.7 not a workbook")
    before = row_counts()
    with pytest.raises(CommandError, match="not a spreadsheet"):
        run(path)
    assert row_counts() == before


def test_the_error_report_written_is_an_audited_export(tree, tmp_path):
    path = write_roster(tmp_path / "名册.csv", tree.branch_a, ["新人甲"], bad=True)

    run(path, "--dry-run")

    (entry,) = AccessLog.objects.filter(action=AccessLog.Action.EXPORT)
    assert entry.actor is None
    assert entry.fields == "id_number"  # the file has an ID-number column and no phone column
    assert entry.row_count == 2
