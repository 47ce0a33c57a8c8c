"""Exporting the roster to Excel: the roster page's filters and scope, Chinese headers and names, real dates,
masked numbers unless the user may change every row, formula text neutralised, one AccessLog row each."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tongxin.accounts.models import Role, RoleAssignment
from tongxin.core.models import AccessLog
from tongxin.core.testing import person_data
from tongxin.core.xlsx import safe_text
from tongxin.people import exports
from tongxin.people.columns import ROSTER_COLUMNS
from tongxin.people.models import Person
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")

HEADERS = [column.header for column in ROSTER_COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, query: str = "") -> bytes:
    response = client.get(f"/people/export/{query}")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    # Reading the stream to its end closes the response, as the test client does it: with Django's
    # close_old_connections unhooked. A second response.close() would close the test's open transaction
    # on PostgreSQL.
    data = b"".join(response.streaming_content)
    return data


def sheets(data: bytes) -> dict[str, list[list[Any]]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def rows_by_name(data: bytes) -> dict[str, dict[str, Any]]:
    """The exported people as {name: {header: value}}."""
    (table,) = sheets(data).values()
    assert table[0] == HEADERS
    return {row[0]: dict(zip(HEADERS, row, strict=True)) for row in table[1:]}


def test_headers_are_the_roster_columns_in_order(tree, users, client_for):
    response = client_for(users.district).get("/people/export/")

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"{timezone.localdate():%Y%m%d}.xlsx" in disposition
    data = b"".join(response.streaming_content)
    assert list(sheets(data)) == ["团员名册"]
    assert sheets(data)["团员名册"][0] == HEADERS


def test_coded_fields_are_written_as_their_chinese_names(tree, users, client_for):
    Person.objects.filter(pk=tree.people.b1.pk).update(ethnicity="07", political_status="01", education="")

    rows = rows_by_name(download(client_for(users.district)))

    a1 = rows["张甲一"]
    assert (a1["性别"], a1["民族"], a1["政治面貌"], a1["学历"], a1["职业"]) == (
        "男",
        "汉族",
        "共青团员",
        "大学本科",
        "学生",
    )
    assert a1["所在团支部"] == tree.branch_a.name
    b1 = rows["王乙一"]
    assert (b1["民族"], b1["政治面貌"], b1["学历"]) == ("彝族", "中共党员", "")
    assert b1["所在团支部"] == tree.branch_b.name


def test_dates_are_excel_dates(tree, users, client_for):
    a1 = Person.objects.get(pk=tree.people.a1.pk)

    row = rows_by_name(download(client_for(users.district)))["张甲一"]

    assert type(row["出生日期"]) is datetime.date
    assert row["出生日期"] == a1.birth_date
    assert row["入团时间"] == a1.league_join_date
    assert row["入党时间"] == ""  # empty, not a zero date


def test_numbers_are_masked_by_default(tree, users, client_for):
    data = download(client_for(users.district))
    rows = rows_by_name(data)

    for person in Person.objects.all():
        row = rows[person.name]
        assert row["公民身份号码"] == person.masked_id_number
        assert row["手机号码"] == person.masked_phone
        assert person.id_number not in str(rows)
    (entry,) = AccessLog.objects.all()
    assert (entry.action, entry.fields, entry.row_count) == (AccessLog.Action.EXPORT, "", 5)


@pytest.mark.parametrize(("who", "query"), [("district", ""), ("committee_admin", ""), ("secretary_a", "")])
def test_full_numbers_for_who_may_change_every_row(who, query, tree, users, client_for):
    rows = rows_by_name(download(client_for(getattr(users, who)), "?full=1"))

    assert rows
    for name, row in rows.items():
        person = Person.objects.get(name=name)
        assert row["公民身份号码"] == person.id_number
        assert row["手机号码"] == person.phone
    (entry,) = AccessLog.objects.all()
    assert set(entry.fields.split(",")) == {"id_number", "phone"}


def test_a_viewer_asking_for_full_numbers_is_refused(tree, users, client_for):
    client = client_for(users.viewer)

    assert client.get("/people/export/?full=1").status_code == 403
    assert client.get(f"/people/export/?org={tree.branch_a.pk}&full=1").status_code == 403
    assert AccessLog.objects.count() == 0
    assert len(rows_by_name(download(client))) == 3  # the masked export is still theirs


def test_full_numbers_only_for_the_subtree_the_user_may_change(tree, users, client_for):
    """A viewer of committee 1 who is also secretary of branch A: full numbers for branch A only."""
    RoleAssignment.objects.create(user=users.viewer, organization=tree.branch_a, role=Role.SECRETARY)
    client = client_for(users.viewer)

    assert client.get("/people/export/?full=1").status_code == 403
    assert client.get(f"/people/export/?org={tree.committee1.pk}&full=1").status_code == 403
    rows = rows_by_name(download(client, f"?org={tree.branch_a.pk}&full=1"))
    assert {row["公民身份号码"] for row in rows.values()} == {tree.people.a1.id_number, tree.people.a2.id_number}


def test_full_export_of_the_users_own_subtree_through_an_ancestor_org(tree, users, client_for):
    """?org=<root> for the committee admin lists committee 1 only, all of it hers to change."""
    rows = rows_by_name(download(client_for(users.committee_admin), f"?org={tree.root.pk}&full=1"))
    assert set(rows) == {"张甲一", "李甲二", "王乙一"}


def test_each_export_leaves_one_access_log_row_with_filter_and_count(tree, users, client_for):
    client = client_for(users.committee_admin)

    download(client, f"?org={tree.branch_a.pk}&q=张")
    download(client, "?full=1&political_status=03")

    masked, full = AccessLog.objects.order_by("id")
    assert masked.actor == users.committee_admin
    assert masked.action == AccessLog.Action.EXPORT
    assert masked.filters == {"org": tree.branch_a.pk, "q": "张", "status": "active", "sort": "org"}
    assert (masked.fields, masked.row_count, masked.org_path) == ("", 1, tree.branch_a.path)
    assert full.filters == {"political_status": "03", "status": "active", "sort": "org"}
    assert (full.row_count, full.org_path) == (3, tree.committee1.path)
    assert set(full.fields.split(",")) == {"id_number", "phone"}


def test_the_roster_filters_choose_the_rows(tree, users, client_for):
    client = client_for(users.district)

    assert set(rows_by_name(download(client, f"?org={tree.committee2.pk}"))) == {"赵丙一", "孙丁一"}
    assert set(rows_by_name(download(client, "?q=甲"))) == {"张甲一", "李甲二"}
    Person.objects.filter(pk=tree.people.d1.pk).update(status="left")
    assert set(rows_by_name(download(client, f"?org={tree.committee2.pk}"))) == {"赵丙一"}
    assert set(rows_by_name(download(client, f"?org={tree.committee2.pk}&status=all"))) == {"赵丙一", "孙丁一"}


def test_rows_follow_the_chosen_sort(tree, users, client_for):
    names = list(rows_by_name(download(client_for(users.district), "?sort=oldest")))
    by_age = Person.objects.order_by("birth_date", "id").values_list("name", flat=True)
    assert names == list(by_age)


def test_outsider_exports_only_their_own_subtree(tree, users, client_for):
    client = client_for(users.outsider)

    assert set(rows_by_name(download(client))) == {"赵丙一", "孙丁一"}
    assert rows_by_name(download(client, f"?org={tree.committee1.pk}")) == {}
    assert rows_by_name(download(client, "?q=甲")) == {}


def test_no_export_without_a_role(tree, users, client_for):
    for user in (users.nobody, users.member):
        assert client_for(user).get("/people/export/").status_code == 404
    assert AccessLog.objects.count() == 0


def test_bad_filters_are_refused_and_nothing_is_logged(tree, users, client_for):
    response = client_for(users.district).get("/people/export/?age_min=5000")
    assert response.status_code == 400
    assert AccessLog.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张甲一", "张甲一"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_text_neutralises_formula_starts(text, expected):
    assert safe_text(text) == expected


def test_a_name_starting_like_a_formula_is_exported_as_plain_text(tree, users, client_for):
    formula = '=HYPERLINK("http://evil.example","click")'
    Person.objects.filter(pk=tree.people.a1.pk).update(name=formula)

    data = download(client_for(users.district))

    assert "'" + formula in rows_by_name(data)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula cell anywhere


def test_the_query_count_does_not_grow_with_the_rows(tree, users, client_for):
    client = client_for(users.district)
    url = f"/people/export/?org={tree.branch_a.pk}&full=1"

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            data = download(client, url.removeprefix("/people/export/"))
        return len(ctx.captured_queries), len(rows_by_name(data))

    create_person(None, person_data(tree.branch_a, name="成员三"))
    client.get("/people/")  # warm up the session and content types
    small, rows = measure()
    assert rows == 3
    for i in range(27):
        create_person(None, person_data(tree.branch_a, name=f"成员{i:02d}"))
    large, rows = measure()
    assert rows == 30
    assert large == small
    assert small <= 8


def test_a_roster_longer_than_a_sheet_continues_on_the_next(tree, users, client_for, monkeypatch):
    monkeypatch.setattr(exports, "ROWS_PER_SHEET", 2)

    tables = sheets(download(client_for(users.district)))

    assert list(tables) == ["团员名册", "团员名册2", "团员名册3"]
    assert all(table[0] == HEADERS for table in tables.values())
    names = [row[0] for table in tables.values() for row in table[1:]]
    assert sorted(names) == sorted(Person.objects.values_list("name", flat=True))
    assert AccessLog.objects.get().row_count == 5


def test_roster_page_offers_the_export_with_its_filters(tree, users, client_for):
    page = client_for(users.district).get(f"/people/?org={tree.committee1.pk}&q=甲").content.decode()
    # The search term is named by its session key (tongxin.core.search_terms), never written in the link.
    assert re.search(rf'href="/people/export/\?org={tree.committee1.pk}&amp;[^"]*s=[\w-]+"', page)
    assert "q=%E7%94%B2" not in page
    assert 'data-testid="export-full-link"' in page
    assert 'href="/people/import-template/"' in page

    viewer_page = client_for(users.viewer).get("/people/").content.decode()
    assert 'data-testid="export-link"' in viewer_page
    assert 'data-testid="export-full-link"' not in viewer_page
