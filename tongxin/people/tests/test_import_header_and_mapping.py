"""Finding the header row and the columns of a roster file: below a title, by any of the usual headers,
with blank rows ignored; an unknown header is shown and may be mapped by hand; a file without a header
or without a required column is not imported."""

from __future__ import annotations

import datetime

import pytest

from tongxin.people.models import Person
from tongxin.people.tests.import_helpers import (
    USUAL,
    check,
    commit,
    counts,
    header,
    member,
    messages,
    report,
    table,
    xlsx_file,
)

pytestmark = pytest.mark.usefixtures("english")


def test_header_row_below_a_merged_title_row(tree, users, row_counts):
    good = member(tree.branch_a, "周一")
    bad = member(tree.branch_a, "吴二", phone="12345")
    content = xlsx_file(table([good, bad]), title="第一团委2024年度团员花名册")

    job = check(users.district, content)

    assert job.status == "checked", job.error
    assert report(job)["header_row"] == 2
    assert [column["header"] for column in report(job)["columns"]] == [header(key) for key in USUAL]
    assert counts(job) == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    # Rows are numbered as Excel shows them: title 1, header 2, 周一 3, 吴二 4.
    assert messages(job, 4, "phone") == [
        "The phone number is malformed: use an 11-digit mobile number or a landline such as 0871-12345678."
    ]
    assert messages(job, 3) == []

    before = row_counts()
    job = commit(users.district, content, valid_only=True)
    assert job.status == "done"
    assert Person.objects.get(name="周一").id_number == good["id_number"]
    assert row_counts()["Person"] == before["Person"] + 1


def test_blank_rows_between_blocks_and_at_the_end_are_ignored(tree, users):
    first = [member(tree.branch_a, "郑一"), member(tree.branch_a, "郑二")]
    second = [member(tree.branch_b, "冯一"), member(tree.branch_b, "冯二", id_number="5301")]
    rows = table(first)
    rows += [[None] * len(USUAL), ["  ", None, "", " "]]  # rows 4 and 5: empty, and spaces only
    rows += table(second)[1:]  # rows 6 and 7
    rows += [[None], [" "] * len(USUAL), [""] * 3]  # trailing rows Excel keeps after a deletion

    job = check(users.district, xlsx_file(rows))

    assert report(job)["rows"] == 4
    assert counts(job) == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 1}
    assert {issue["row"] for issue in report(job)["issues"]} == {7}
    assert messages(job, 7, "id_number") == ["An ID number has 18 characters; this one has 4."]

    commit(users.district, xlsx_file(rows), valid_only=True)
    names = Person.objects.filter(name__in=["郑一", "郑二", "冯一", "冯二"]).values_list("name", flat=True)
    assert set(names) == {"郑一", "郑二", "冯一"}


@pytest.mark.parametrize("id_header", ["身份证号", "公民身份号码", "证件号码"])
@pytest.mark.parametrize("phone_header", ["手机", "联系电话"])
@pytest.mark.parametrize("branch_header", ["所在组织", "组织全称"])
def test_the_usual_other_headers_are_recognised(tree, users, id_header, phone_header, branch_header):
    row = member(tree.branch_b, "蒋三", education="硕士")
    headers = {
        "id_number": id_header,
        "phone": phone_header,
        "branch": branch_header,
        "league_join_date": "入团年月",
        "league_number": "发展团员编号",
        "education": "文化程度",
    }
    content = xlsx_file(table([row], headers=headers))

    job = commit(users.district, content)

    assert job.status == "done", job.error
    assert {column["header"]: column["key"] for column in report(job)["columns"]} == {
        "姓名": "name",
        id_header: "id_number",
        "民族": "ethnicity",
        "政治面貌": "political_status",
        "入团年月": "league_join_date",
        "发展团员编号": "league_number",
        phone_header: "phone",
        "文化程度": "education",
        "职业": "occupation",
        branch_header: "branch",
    }
    person = Person.objects.with_id_number(row["id_number"]).get()
    assert person.name == "蒋三"
    assert person.branch == tree.branch_b
    assert person.phone == row["phone"]
    assert person.league_join_date == datetime.date.fromisoformat(row["league_join_date"])
    assert person.league_number == row["league_number"]
    assert person.education == "14"


def test_headers_with_marks_notes_and_spaces_are_recognised(tree, users):
    row = member(tree.branch_a, "沈四")
    headers = {"name": "*姓 名", "id_number": "身份证号码（18位）", "phone": "手机号码：", "branch": "所在团支部(全称)"}

    job = commit(users.district, xlsx_file(table([row], headers=headers)))

    assert job.status == "done", job.error
    person = Person.objects.with_id_number(row["id_number"]).get()
    assert (person.name, person.phone, person.branch) == ("沈四", row["phone"], tree.branch_a)


def test_an_unknown_header_is_reported_and_can_be_mapped_by_hand(tree, users):
    row = member(tree.branch_a, "韩五")
    content = xlsx_file(table([row], headers={"phone": "移动电话号"}))
    phone_col = USUAL.index("phone")

    job = check(users.district, content)

    column = report(job)["columns"][phone_col]
    assert column == {"index": phone_col, "letter": "G", "header": "移动电话号", "key": ""}
    assert report(job)["missing"] == []
    assert counts(job)["new"] == 1

    job = commit(users.district, content, mapping={phone_col: "phone"})

    assert job.status == "done", job.error
    assert report(job)["columns"][phone_col]["key"] == "phone"
    assert Person.objects.with_id_number(row["id_number"]).get().phone == row["phone"]


def test_without_the_mapping_the_unknown_column_is_not_imported(tree, users):
    row = member(tree.branch_a, "杨六")
    job = commit(users.district, xlsx_file(table([row], headers={"phone": "移动电话号"})))

    assert job.status == "done", job.error
    assert Person.objects.with_id_number(row["id_number"]).get().phone == ""


def test_the_mapping_can_correct_a_recognised_column(tree, users):
    """A file whose 手机号码 column holds something else, and whose real phones are under 备注."""
    row = member(tree.branch_a, "朱七")
    rows = table([row], keys=[*USUAL, "phone"], headers={"phone": "备注"})
    rows[0][USUAL.index("phone")] = "手机号码"
    rows[1][USUAL.index("phone")] = "见备注"
    last = len(USUAL)

    wrong = check(users.district, xlsx_file(rows))
    assert messages(wrong, 2, "phone") == [
        "The phone number is malformed: use an 11-digit mobile number or a landline such as 0871-12345678."
    ]

    job = commit(users.district, xlsx_file(rows), mapping={last: "phone", USUAL.index("phone"): ""})

    assert job.status == "done", job.error
    assert Person.objects.with_id_number(row["id_number"]).get().phone == row["phone"]
    keys = {column["header"]: column["key"] for column in report(job)["columns"]}
    assert (keys["手机号码"], keys["备注"]) == ("", "phone")


def test_a_sheet_without_a_recognisable_header_is_refused(tree, users, row_counts):
    rows = table([member(tree.branch_a, "秦八"), member(tree.branch_a, "尤九")])[1:]  # data rows only
    before = row_counts()

    job = commit(users.district, xlsx_file(rows))

    assert job.status == "refused"
    assert job.error.startswith("No header row was found")
    assert "姓名、公民身份号码" in job.error
    assert row_counts() == before


def test_the_roster_sheet_is_found_after_a_sheet_of_notes(tree, users):
    row = member(tree.branch_a, "许十")
    notes = [["填表说明"], ["请勿修改表头"], ["身份证号请设为文本格式"]]

    job = commit(users.district, xlsx_file(("说明", notes), ("名单", table([row]))))

    assert job.status == "done", job.error
    assert report(job)["sheet"] == "名单"
    assert Person.objects.with_id_number(row["id_number"]).exists()


def test_a_missing_required_column_is_reported_and_nothing_is_imported(tree, users, row_counts):
    rows = table([member(tree.branch_a, "何一")], keys=[key for key in USUAL if key != "id_number"])
    before = row_counts()

    job = check(users.district, xlsx_file(rows))

    assert job.status == "checked"
    assert report(job)["missing"] == ["id_number"]
    assert counts(job)["new"] == 0

    job = commit(users.district, xlsx_file(rows))
    assert job.status == "refused"
    assert job.error == "Some required columns are not mapped: correct the mapping first."
    assert row_counts() == before
