"""Flow 4: the secretary of branch A sees nothing of branch B; its pages answer 404 (ARCHITECTURE: scoping)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import count_text, login, url

pytestmark = pytest.mark.e2e


def test_secretary_sees_only_her_branch(page, tree, users):
    login(page, "secretary_a")
    expect(page).to_have_url(url("core:home"))  # her workbench (工作台)
    page.goto(url("orgs:tree"))
    expect(page.get_by_role("link", name=tree.branch_a.name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=tree.branch_b.name, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name=tree.committee1.name, exact=True)).to_have_count(0)

    page.goto(url("people:roster"))
    expect(page.get_by_test_id("roster-total")).to_have_text(count_text(2))
    names = page.locator("#roster-table tbody tr td:first-child a")
    expect(names).to_have_count(2)
    assert set(names.all_inner_texts()) == {tree.people.a1.name, tree.people.a2.name}
    assert tree.people.b1.name not in page.content()

    # Searching for branch B's member by name finds no one.
    page.goto(url("people:roster") + f"?q={tree.people.b1.name}")
    expect(page.get_by_test_id("roster-total")).to_have_text(count_text(0))
    expect(page.locator("#roster-table tbody tr")).to_have_count(0)


def test_branch_b_pages_are_404_for_branch_a(page, tree, users):
    login(page, "secretary_a")
    b1 = tree.people.b1
    for path in (
        url("people:detail", b1.pk),
        url("people:edit", b1.pk),
        url("orgs:detail", tree.branch_b.pk),
        url("orgs:children", tree.committee1.pk),
    ):
        response = page.goto(path)
        assert response is not None
        assert response.status == 404, path
        assert b1.name not in page.content()
    # Her own member's page opens, so the 404s above are about scope, not a broken page.
    response = page.goto(url("people:detail", tree.people.a1.pk))
    assert response is not None
    assert response.status == 200
