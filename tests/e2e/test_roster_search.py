"""Flow 2: the district admin finds a person in the roster by name; ID numbers are masked in the list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import count_text, login, shoot, url, zh

pytestmark = pytest.mark.e2e
MASKED_ID = re.compile(r"\d{3}\*{11}[\dX]{4}")


def test_district_admin_searches_the_roster_by_name(page, tree, users):
    login(page, "district")
    page.goto(url("people:roster"))
    rows = page.locator("#roster-table tbody tr")
    expect(page.get_by_test_id("roster-total")).to_have_text(count_text(5))
    expect(rows).to_have_count(5)

    # Every listed ID number is masked, and no full number or phone is anywhere on the page.
    shown = rows.evaluate_all("rows => rows.map(r => r.querySelector('td.tx-masked').textContent.trim())")
    assert all(MASKED_ID.fullmatch(value) for value in shown), shown
    content = page.content()
    for person in vars(tree.people).values():
        assert person.id_number not in content
        assert person.phone not in content

    wang = tree.people.b1
    # The search form is POSTed by htmx (the term stays out of the URL): the server keeps the term in the
    # session and redirects to ?s=<key>; only the table is fetched, and the address bar follows.
    with page.expect_response(lambda r: "/people/?" in r.url and "s=" in r.url) as response:
        page.get_by_role("searchbox", name=zh("Search")).fill(wang.name)
        page.get_by_role("button", name=zh("Search")).click()
    assert response.value.status == 200
    expect(page.get_by_test_id("roster-total")).to_have_text(count_text(1))
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]s=[\w-]+"))
    assert "%E7%8E%8B%E4%B9%99%E4%B8%80" not in page.url and wang.name not in page.url  # 王乙一
    expect(rows.get_by_role("link", name=wang.name, exact=True)).to_have_attribute(
        "href", url("people:detail", wang.pk)
    )
    expect(rows).to_contain_text(tree.branch_b.name)
    expect(rows.locator("td.tx-masked").first).to_have_text(f"{wang.id_number[:3]}{'*' * 11}{wang.id_number[-4:]}")
    assert wang.id_number not in page.content()
    shoot(page, "roster")
