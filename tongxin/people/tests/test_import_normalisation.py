"""Cells as people type them: spaces, full-width characters, a lowercase x, dates written every usual way,
codes as names or as numbers, CSV files in GBK or UTF-8 with a BOM; an ID number Excel turned into a
number is refused with the reason."""

from __future__ import annotations

import datetime

import pytest

from tongxin.core.testing import make_id_number
from tongxin.people.models import Person
from tongxin.people.tests.helpers import fullwidth, id_number_ending_in_x
from tongxin.people.tests.import_helpers import (
    USUAL,
    check,
    commit,
    counts,
    csv_file,
    issues_at,
    member,
    report,
    table,
    xls_file,
    xlsx_file,
)

pytestmark = pytest.mark.usefixtures("english")

BIRTH = datetime.date(2003, 1, 15)  # 16 in May 2019


def imported(job, row: dict) -> Person:
    assert job.status == "done", (job.error, job.report)
    return Person.objects.with_id_number(row["id_number"].strip().upper()[-18:]).get()


def test_id_number_with_spaces_full_width_digits_and_a_lowercase_x(tree, users):
    number = id_number_ending_in_x(BIRTH, male=False)
    typed = f" {fullwidth(number[:6])} {fullwidth(number[6:14])} {number[14:17]}{number[17].lower()} "
    row = member(tree.branch_a, "林晓", id_number=typed, birth=BIRTH)

    job = commit(users.district, xlsx_file(table([row])))

    assert job.status == "done", job.report
    person = Person.objects.get(name="林晓")
    assert person.id_number == number
    assert person.id_number.endswith("X")
    assert (person.birth_date, person.sex) == (BIRTH, "2")


def test_phone_and_member_number_with_full_width_digits_and_spaces(tree, users):
    row = member(tree.branch_a, "高山")
    typed_phone = f"{fullwidth(row['phone'][:3])} {row['phone'][3:7]} {fullwidth(row['phone'][7:])}"
    typed_number = fullwidth(row["league_number"])

    job = commit(users.district, xlsx_file(table([{**row, "phone": typed_phone, "league_number": typed_number}])))

    person = imported(job, row)
    assert person.phone == row["phone"]
    assert person.league_number == row["league_number"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("张 三", "张三"),
        (" 欧阳　娜娜 ", "欧阳娜娜"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("ＡＬＩＣＥ  Ｗａｎｇ", "ALICE Wang"),
    ],
)
def test_names_lose_the_spaces_between_chinese_characters(tree, users, typed, stored):
    row = member(tree.branch_a, typed)

    person = imported(commit(users.district, xlsx_file(table([row]))), row)

    assert person.name == stored


@pytest.mark.parametrize(
    "cell",
    [
        "2019-05-01",
        "2019/5/1",
        "2019.05",
        "2019年5月",
        "2019年5月1日",
        "201905",
        "20190501",
        201905,
        43586,  # the Excel serial number of 2019-05-01
        43586.5,  # with a time of day
        datetime.date(2019, 5, 1),  # a real date cell
        "２０１９－０５－０１",
    ],
)
def test_dates_written_the_usual_ways(tree, users, cell):
    row = member(tree.branch_a, "潘一", birth=BIRTH, league_join_date=cell, league_number="201900001234")

    person = imported(commit(users.district, xlsx_file(table([row]))), row)

    assert person.league_join_date == datetime.date(2019, 5, 1)


@pytest.mark.parametrize("cell", ["2019-13-01", "去年五月", "2019-02-30", "1850-01-01", 99999999])
def test_a_cell_that_is_no_date_is_rejected_with_the_forms_accepted(tree, users, cell):
    row = member(tree.branch_a, "潘二", birth=BIRTH, league_join_date=cell, league_number="201900001235")

    job = check(users.district, xlsx_file(table([row])))

    (issue,) = issues_at(job, 2)
    assert (issue["letter"], issue["header"]) == ("E", "入团时间")
    assert issue["message"] == "This is not a date: write it like 2019-05-01 or 2019年5月."


@pytest.mark.parametrize(
    ("ethnicity", "status", "education", "expected"),
    [
        ("汉族", "共青团员", "本科", ("01", "03", "20")),
        ("01", "03", "20", ("01", "03", "20")),
        (1, 3, 20, ("01", "03", "20")),  # typed as numbers: Excel drops the leading zero
        ("1", "3", "30", ("01", "03", "30")),
        ("彝", "团员", "大学专科", ("07", "03", "30")),
        ("崩龙族", "中共党员", "硕士研究生", ("46", "01", "14")),
    ],
)
def test_coded_fields_as_names_or_as_codes(tree, users, ethnicity, status, education, expected):
    row = member(tree.branch_a, "金一", ethnicity=ethnicity, political_status=status, education=education)

    person = imported(commit(users.district, xlsx_file(table([row]))), row)

    assert (person.ethnicity, person.political_status, person.education) == expected


def test_sex_as_a_name_or_a_code_is_checked_against_the_id_number(tree, users):
    rows = [member(tree.branch_a, "魏男", male=True, sex="男"), member(tree.branch_a, "魏女", male=False, sex=2)]

    job = commit(users.district, xlsx_file(table(rows, keys=[*USUAL, "sex"])))

    assert job.status == "done", job.report
    assert dict(Person.objects.filter(name__startswith="魏").values_list("name", "sex")) == {"魏男": "1", "魏女": "2"}


def test_an_unknown_code_is_rejected_with_the_accepted_names(tree, users):
    row = member(tree.branch_a, "陶一", political_status="团委委员")

    job = check(users.district, xlsx_file(table([row])))

    (issue,) = issues_at(job, 2)
    assert (issue["letter"], issue["value"]) == ("D", "团委委员")
    assert issue["message"].startswith("Unknown value; use one of: 中共党员、中共预备党员、共青团员")


def test_an_id_number_typed_as_a_number_is_rejected_with_the_reason(tree, users, row_counts):
    number = make_id_number(BIRTH)
    # The last three digits 120 keep the float's 15th-digit rounding clear of a tie, whichever digits the
    # writer keeps (xlsxwriter writes 16 significant digits, Excel 17): the cell shows the first 15 and 000.
    row = member(tree.branch_a, "姜一", id_number=float(number[:15] + "120"))
    before = row_counts()

    job = commit(users.district, xlsx_file(table([row])))

    assert counts(job)["rejected"] == 1
    (issue,) = issues_at(job, 2)
    assert (issue["letter"], issue["header"]) == ("B", "公民身份号码")
    # As Excel shows it: 15 significant digits, the lost end as 0s.
    assert issue["value"] == number[:15] + "000"
    assert issue["message"] == (
        "Excel stored this number as a number and lost its last digits: format the column as text and type it again."
    )
    assert row_counts() == before


def test_phone_and_member_number_typed_as_numbers_are_read_whole(tree, users):
    row = member(tree.branch_a, "戚一")
    cells = {**row, "phone": int(row["phone"]), "league_number": int(row["league_number"])}

    person = imported(commit(users.district, xlsx_file(table([cells]))), row)

    assert (person.phone, person.league_number) == (row["phone"], row["league_number"])


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_files_in_gbk_and_utf8(tree, users, encoding):
    rows = [
        member(tree.branch_a, "谢婷婷", ethnicity="彝族", league_join_date="2019/5/1", birth=BIRTH,
               league_number="201900007777"),
        member(tree.branch_a, "邹 一", education="大专"),
    ]  # fmt: skip

    job = commit(users.district, csv_file(table(rows), encoding), "名册.csv")

    assert job.status == "done", (job.error, job.report)
    assert counts(job) == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    first = Person.objects.with_id_number(rows[0]["id_number"]).get()
    assert (first.name, first.ethnicity, first.league_join_date) == ("谢婷婷", "07", datetime.date(2019, 5, 1))
    assert first.branch == tree.branch_a
    second = Person.objects.with_id_number(rows[1]["id_number"]).get()
    assert (second.name, second.education) == ("邹一", "30")


def test_a_gbk_csv_keeps_its_row_numbers_and_values_in_the_report(tree, users):
    rows = [member(tree.branch_a, "曹一"), member(tree.branch_a, "曹二", ethnicity="火星族")]

    job = check(users.district, csv_file(table(rows), "gbk"), "名册.csv")

    (issue,) = issues_at(job, 3)
    assert (issue["letter"], issue["header"], issue["value"]) == ("C", "民族", "火星族")


def test_a_csv_with_semicolons_is_read(tree, users):
    row = member(tree.branch_a, "严一")
    content = csv_file(table([row]), "utf-8-sig").replace(b",", b";")

    person = imported(commit(users.district, content, "名册.csv"), row)

    assert person.name == "严一"


def test_an_xls_workbook(tree, users):
    """Excel 97-2003 files are still common: text, numbers typed as numbers, a date as a serial number."""
    rows = [
        member(tree.branch_a, "段 一", ethnicity=3, political_status="03", league_join_date=43586, birth=BIRTH,
               league_number=201900004321.0),
        member(tree.branch_b, "段二", phone=13800001111),
    ]  # fmt: skip

    job = commit(users.district, xls_file(table(rows), sheet="团员名册"), "名册.xls")

    assert job.status == "done", (job.error, job.report)
    assert report(job)["sheet"] == "团员名册"
    first = Person.objects.with_id_number(rows[0]["id_number"]).get()
    assert (first.name, first.ethnicity, first.branch) == ("段一", "03", tree.branch_a)
    assert (first.league_join_date, first.league_number) == (datetime.date(2019, 5, 1), "201900004321")
    second = Person.objects.with_id_number(rows[1]["id_number"]).get()
    assert (second.phone, second.branch) == ("13800001111", tree.branch_b)


def test_an_xls_workbook_reports_rows_as_excel_numbers_them(tree, users):
    rows = [["某某单位团员名单"], *table([member(tree.branch_a, "段三"), member(tree.branch_a, "段四", phone="110")])]

    job = check(users.district, xls_file(rows), "名册.xls")

    assert report(job)["header_row"] == 2
    (issue,) = issues_at(job, 4)
    assert (issue["letter"], issue["header"], issue["value"]) == ("G", "手机号码", "110")
