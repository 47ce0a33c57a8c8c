"""The roster's rules applied to every row of a file: each rejected row is reported with its row number as
Excel shows it, the column letter and header, the value and the rule broken; nothing of a file with a
rejected row is written unless the user asks for the valid rows only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from stdnum.cn import ric

from tongxin.orgs.models import OrgKind, OrgStatus
from tongxin.orgs.services import create_organization
from tongxin.people.models import Person
from tongxin.people.tests.helpers import fullwidth, with_wrong_check_character
from tongxin.people.tests.import_helpers import (
    USUAL,
    check,
    commit,
    counts,
    issues_at,
    member,
    messages,
    person_row,
    report,
    table,
    xlsx_file,
)

pytestmark = pytest.mark.usefixtures("english")

ALL = [*USUAL, "sex", "birth_date"]  # letters A (name) to J (branch), K sex, L birth date
CHECKSUM = "The ID number's check character is wrong (GB 11643 checksum): please check each digit."
NO_BRANCH = "No branch given: name it in a “所在团支部” column, or choose the organisation on the import page."
UNKNOWN_BRANCH = "No organisation with this name or code in your organisations."


def issue_tuples(job) -> list[tuple[int, str, str, str, str]]:
    return [(i["row"], i["letter"], i["header"], i["value"], i["message"]) for i in report(job)["issues"]]


def only_message(job, row: int, key: str) -> str:
    found = messages(job, row, key)
    assert len(found) == 1, job.report
    return found[0]


def test_every_problem_names_row_column_header_value_and_rule(tree, users, row_counts):
    birth = datetime.date(2004, 6, 1)
    good = member(tree.branch_a, "吕一", birth=birth, sex="男", birth_date="2004-06-01")
    checksum = member(tree.branch_a, "吕二")
    checksum["id_number"] = with_wrong_check_character(checksum["id_number"])
    sex = member(tree.branch_a, "吕三", birth=birth, male=True, sex="女")
    born = member(tree.branch_a, "吕四", birth=birth, birth_date="2004-06-02")
    nameless = member(tree.branch_a, None)
    branch = member("第九团支部", "吕五")
    phone = member(tree.branch_a, "吕六", phone="1381234")
    rows = [good, checksum, sex, born, nameless, branch, phone]
    before = row_counts()

    job = commit(users.district, xlsx_file(table(rows, ALL)))

    assert job.status == "checked"  # not imported: the file has rejected rows
    assert counts(job) == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 6}
    assert issue_tuples(job) == [
        (3, "B", "公民身份号码", checksum["id_number"], CHECKSUM),
        (4, "K", "性别", "女", "The sex does not match the ID number (its 17th digit)."),
        (5, "L", "出生日期", "2004-06-02", "The birth date does not match the ID number (2004-06-01)."),
        (6, "A", "姓名", "", "The name is required."),
        (7, "J", "所在团支部", "第九团支部", UNKNOWN_BRANCH),
        (8, "G", "手机号码", "1381234",
         "The phone number is malformed: use an 11-digit mobile number or a landline such as 0871-12345678."),
    ]  # fmt: skip
    assert [i["col"] for i in report(job)["issues"]] == [1, 10, 11, 0, 9, 6]
    assert row_counts() == before


def test_a_row_with_several_problems_lists_each(tree, users):
    row = member("第九团支部", "吕七", phone="12", ethnicity="火星族")
    row["id_number"] = with_wrong_check_character(row["id_number"])

    job = check(users.district, xlsx_file(table([row])))

    assert [(i["letter"], i["header"]) for i in issues_at(job, 2)] == [
        ("C", "民族"),
        ("B", "公民身份号码"),
        ("G", "手机号码"),
        ("J", "所在团支部"),
    ]
    assert counts(job)["rejected"] == 1


def checked(body: str) -> str:
    """``body`` (17 characters) with its right check character."""
    return body + ric.calc_check_digit(body + "0")


MALFORMED = "The ID number is malformed: its region code or birth date is not valid (GB 11643)."
# Stands for a number born on 1 January next year, made when the test runs: a number made at collection on
# 31 December would be born today once the run crosses midnight in Asia/Shanghai.
BORN_NEXT_YEAR = "born next year"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (with_wrong_check_character(checked("53011220040601001")), CHECKSUM),
        ("53011220040601001", "An ID number has 18 characters; this one has 17."),
        (checked("53011220040601001") + "1", "An ID number has 18 characters; this one has 19."),
        ("53011220040601001A", MALFORMED),
        (checked("53011220041332001"), MALFORMED),  # 32 December
        (checked("00000020040601001"), MALFORMED),  # no such region
        (BORN_NEXT_YEAR, MALFORMED),
    ],
)
def test_bad_id_numbers(tree, users, number, message):
    if number == BORN_NEXT_YEAR:
        number = checked(f"530112{timezone.localdate().year + 1}0101001")
    job = check(users.district, xlsx_file(table([member(tree.branch_a, "施一", id_number=number)])))

    assert only_message(job, 2, "id_number") == message


def test_the_right_check_character_is_accepted(tree, users):
    """The first case above with its check character put right."""
    job = check(
        users.district, xlsx_file(table([member(tree.branch_a, "施二", id_number=checked("53011220040601001"))]))
    )

    assert counts(job)["new"] == 1, job.report


@pytest.mark.parametrize(
    ("birth", "join", "message"),
    [
        ((2005, 6, 1), (2018, 7, 1), "Joining the League is open from age 14 to 28; this person was 13 on that date."),
        ((1990, 1, 1), (2019, 5, 1), "Joining the League is open from age 14 to 28; this person was 29 on that date."),
        ((2003, 1, 1), (2014, 5, 1), "Joining the League is open from age 12 to 28; this person was 11 on that date."),
    ],
)
def test_league_join_age_outside_the_rule(tree, users, birth, join, message):
    join_date = datetime.date(*join)
    number = f"{join_date.year}00000777" if join_date.year >= 2017 else None
    row = member(tree.branch_a, "孔一", birth=datetime.date(*birth), league_join_date=join_date.isoformat(),
                 league_number=number)  # fmt: skip

    job = check(users.district, xlsx_file(table([row])))

    assert only_message(job, 2, "league_join_date") == message
    assert issues_at(job, 2)[0]["letter"] == "E"


@pytest.mark.parametrize(("birth", "join"), [((2004, 6, 1), (2018, 6, 1)), ((1990, 5, 2), (2018, 5, 1)),
                                             ((2002, 3, 1), (2015, 3, 10))])  # fmt: skip
def test_league_join_age_at_the_limits_is_accepted(tree, users, birth, join):
    """14 on the day, 28 the day before turning 29, and 13 before 2017 (when 12 was the lower bound)."""
    join_date = datetime.date(*join)
    number = f"{join_date.year}00000778" if join_date.year >= 2017 else None
    row = member(tree.branch_a, "孔二", birth=datetime.date(*birth), league_join_date=join_date.isoformat(),
                 league_number=number)  # fmt: skip

    job = commit(users.district, xlsx_file(table([row])))

    assert job.status == "done", job.report
    assert Person.objects.with_id_number(row["id_number"]).get().league_join_date == join_date


def test_league_join_date_in_the_future(tree, users):
    join = timezone.localdate() + datetime.timedelta(days=30)
    row = member(tree.branch_a, "孔三", league_join_date=join.isoformat(), league_number=f"{join.year}00000779")

    job = check(users.district, xlsx_file(table([row])))

    assert "The league join date is in the future." in messages(job, 2, "league_join_date")


def test_league_number_required_from_2017(tree, users):
    birth = datetime.date(2002, 3, 1)
    rows = [
        member(tree.branch_a, "曹一", birth=birth, league_join_date="2018-05-04", league_number=None),
        member(tree.branch_a, "曹二", birth=birth, league_join_date="2016-05-04", league_number=None),
    ]

    job = check(users.district, xlsx_file(table(rows)))

    assert issue_tuples(job) == [(2, "F", "团员编号", "", "Members who joined from 2017 need a league member number.")]
    assert counts(job) == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 1}


@pytest.mark.parametrize(
    ("number", "join", "key", "message"),
    [
        ("201700000001", "2018-05-04", "league_number", "The league member number must start with the join year 2018."),
        ("2018AB000001", "2018-05-04", "league_number", "The league member number must contain digits only."),
        ("201800000001", None, "league_join_date", "Enter the league join date that goes with this member number."),
    ],
)
def test_league_number_and_its_year(tree, users, number, join, key, message):
    row = member(tree.branch_a, "曹三", birth=datetime.date(2002, 3, 1), league_number=number, league_join_date=join)

    job = check(users.district, xlsx_file(table([row])))

    assert only_message(job, 2, key) == message


def test_duplicate_id_number_in_the_file_names_the_first_row(tree, users):
    first = member(tree.branch_a, "华一")
    number = first["id_number"]
    again = member(tree.branch_b, "华二", id_number=f"{fullwidth(number[:6])} {number[6:]}".lower())
    rows = [first, member(tree.branch_a, "华三"), again]

    job = check(users.district, xlsx_file(table(rows), title="团员名单"))  # title row 1, header row 2

    assert issue_tuples(job) == [
        (5, "B", "公民身份号码", again["id_number"], "This ID number is already on row 3 of this file.")
    ]
    assert counts(job)["new"] == 2


def test_duplicate_league_number_in_the_file_names_the_first_row(tree, users):
    first = member(tree.branch_a, "华四")
    rows = [first, member(tree.branch_a, "华五", league_number=first["league_number"])]

    job = check(users.district, xlsx_file(table(rows)))

    assert only_message(job, 3, "league_number") == "This league member number is already on row 2 of this file."
    assert messages(job, 2) == []


OUT_OF_SCOPE = "This ID number already belongs to a League member of another organisation: ask for a transfer in."
IN_SCOPE = "This person is already registered in 乙团支部: transfer them from there instead of importing them again."


@pytest.mark.parametrize(("holder", "message"), [("c1", OUT_OF_SCOPE), ("b1", IN_SCOPE)])
def test_id_number_already_held_in_another_organisation_names_it(tree, users, row_counts, holder, message):
    """The committee admin sees 乙团支部 (committee 1) and is told the person is there; 丙团支部 (committee 2) is
    not hers: she is told only to ask for a transfer in, not who it is or where (no oracle, issue 12 §2)."""
    existing = getattr(tree.people, holder)
    row = {**person_row(existing), "branch": tree.branch_a.name, "name": "另一个名字"}
    before = row_counts()

    job = commit(users.committee_admin, xlsx_file(table([row])))

    assert only_message(job, 2, "id_number") == message
    assert row_counts() == before
    assert Person.objects.get(pk=existing.pk).name == existing.name


def test_the_same_person_in_the_same_branch_is_not_a_conflict(tree, users):
    row = person_row(tree.people.a1)

    job = check(users.secretary_a, xlsx_file(table([row])))

    assert report(job)["issues"] == []
    assert counts(job)["unchanged"] == 1


def test_league_number_held_by_someone_else(tree, users, row_counts):
    taken = tree.people.a1.league_number
    new = member(tree.branch_a, "卫一", league_number=taken)
    assert new["league_join_date"][:4] == taken[:4]  # the same join year: only the holder is wrong
    existing = {**person_row(tree.people.a2), "league_number": tree.people.b1.league_number}
    before = row_counts()

    job = commit(users.district, xlsx_file(table([new, existing])))

    assert only_message(job, 2, "league_number") == "This league member number is already in use."
    assert only_message(job, 3, "league_number") == "This league member number is already in use."
    assert row_counts() == before


def test_a_person_keeps_their_own_league_number(tree, users):
    job = check(users.district, xlsx_file(table([person_row(tree.people.a1)])))

    assert report(job)["issues"] == []


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("第九团支部", UNKNOWN_BRANCH),
        ("甲团支部 ", None),  # a trailing space is trimmed
        ("T1A", None),  # by code
        ("第一团委", "Only branches hold members: 第一团委 is a League committee."),
    ],
)
def test_the_branch_named_on_the_row(tree, users, cell, message):
    row = member(cell, "褚一")

    job = check(users.district, xlsx_file(table([row])))

    assert messages(job, 2, "branch") == ([message] if message else [])


def test_a_dissolved_branch_takes_no_new_members(tree, users):
    create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name="已撤销团支部", code="T1X",
                        status=OrgStatus.DISSOLVED)  # fmt: skip

    job = check(users.district, xlsx_file(table([member("已撤销团支部", "褚二")])))

    assert only_message(job, 2, "branch") == "已撤销团支部 has been dissolved."


def test_two_branches_of_the_same_name_need_the_code_unless_the_chosen_organisation_tells_them_apart(tree, users):
    create_organization(None, parent=tree.committee2, kind=OrgKind.BRANCH, name="甲团支部", code="T2A")
    rows = [member("甲团支部", "褚三")]

    job = check(users.district, xlsx_file(table(rows)))
    assert only_message(job, 2, "branch") == (
        "Several of your organisations are named 甲团支部: write the branch's code instead."
    )

    job = commit(users.district, xlsx_file(table(rows)), org=tree.committee1)
    assert job.status == "done", job.report
    assert Person.objects.with_id_number(rows[0]["id_number"]).get().branch == tree.branch_a


def test_an_empty_branch_cell_takes_the_organisation_chosen_on_the_page(tree, users):
    rows = [member(None, "卫二"), member(None, "卫三")]
    content = xlsx_file(table(rows))

    no_choice = check(users.district, content)
    assert only_message(no_choice, 2, "branch") == (NO_BRANCH)
    committee = check(users.district, content, org=tree.committee1)
    assert only_message(committee, 3, "branch") == (
        "No branch is named on this row and 第一团委 is not a branch: name the branch."
    )

    job = commit(users.district, content, org=tree.branch_b)
    assert job.status == "done", job.report
    assert set(Person.objects.filter(name__in=["卫二", "卫三"]).values_list("branch", flat=True)) == {tree.branch_b.pk}


def test_a_branch_outside_the_importers_scope_is_rejected(tree, users, row_counts):
    rows = [member(tree.branch_a, "沈一"), member(tree.branch_b, "沈二"), member("T1B", "沈三")]
    before = row_counts()

    job = commit(users.secretary_a, xlsx_file(table(rows)))

    assert issue_tuples(job) == [
        (3, "J", "所在团支部", "乙团支部", UNKNOWN_BRANCH),
        (4, "J", "所在团支部", "T1B", UNKNOWN_BRANCH),
    ]
    assert job.status == "checked"
    assert row_counts() == before

    job = commit(users.secretary_a, xlsx_file(table(rows)), valid_only=True)
    assert job.status == "done"
    assert list(Person.objects.filter(name__startswith="沈").values_list("name", "branch")) == [
        ("沈一", tree.branch_a.pk)
    ]


def test_a_default_organisation_outside_the_importers_scope_is_not_used(tree, users, row_counts):
    before = row_counts()

    job = commit(users.secretary_a, xlsx_file(table([member(None, "沈四")])), org=tree.branch_b)

    assert only_message(job, 2, "branch") == (NO_BRANCH)
    assert row_counts() == before


def test_an_update_of_someone_outside_the_importers_scope_is_rejected(tree, users, row_counts):
    """secretary_a names their own branch for a member of branch B: the import never moves people."""
    row = {**person_row(tree.people.b1), "branch": tree.branch_a.name, "phone": "13900002222"}
    before = row_counts()

    job = commit(users.secretary_a, xlsx_file(table([row], ALL)))

    assert counts(job)["rejected"] == 1
    assert only_message(job, 2, "id_number") == OUT_OF_SCOPE  # b1 is not in branch A's scope: no branch named
    assert row_counts() == before
    assert Person.objects.get(pk=tree.people.b1.pk).phone == tree.people.b1.phone
