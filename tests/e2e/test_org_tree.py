"""Flow 1: the district admin logs in, opens the tree lazily (htmx) and reads an organisation's member counts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, shoot, url, zh

pytestmark = pytest.mark.e2e


def _node(page, org):
    """The tree node (``<details>``) next to the link to ``org`` (the link is not inside its summary)."""
    branch = page.locator("li.tx-branch", has=page.locator(f"> .tx-node-label a[href='{url('orgs:detail', org.pk)}']"))
    return branch.locator("> details")


def _expand(page, org) -> None:
    """Click the node's arrow and wait for htmx to load its children."""
    node = _node(page, org)
    with page.expect_response(
        lambda r: r.url.endswith(url("orgs:children", org.pk)) and r.request.headers.get("hx-request") == "true"
    ) as response:
        node.locator("> summary").click()
    assert response.value.status == 200
    expect(node).to_have_attribute("open", "")
    expect(node.locator("> .tx-children > ul")).to_have_count(1)  # the "Loading…" placeholder was replaced


def test_district_admin_opens_the_tree_lazily_and_reads_member_counts(page, tree, users):
    page.goto(url("accounts:login"))
    shoot(page, "login")
    login(page, "district")
    expect(page).to_have_url(url("core:home"))  # her workbench; the tree is in the menu
    page.goto(url("orgs:tree"))
    expect(page.get_by_role("heading", name=zh("Organisation tree"))).to_be_visible()

    # Only the root is on the page; its children come from the server when it is opened.
    expect(page.get_by_role("link", name=tree.root.name, exact=True)).to_be_visible()
    committee1_link = page.get_by_role("link", name=tree.committee1.name, exact=True)
    expect(committee1_link).to_have_count(0)

    _expand(page, tree.root)
    expect(committee1_link).to_be_visible()
    expect(page.get_by_role("link", name=tree.committee2.name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=tree.party_branch.name, exact=True)).to_be_visible()

    _expand(page, tree.committee1)  # a second level, loaded the same way
    branch_a_link = page.get_by_role("link", name=tree.branch_a.name, exact=True)
    expect(branch_a_link).to_be_visible()
    expect(page.get_by_role("link", name=tree.branch_b.name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=tree.branch_c.name, exact=True)).to_have_count(0)  # committee 2 still shut
    shoot(page, "tree")

    branch_a_link.click()
    expect(page).to_have_url(url("orgs:detail", tree.branch_a.pk))
    expect(page.get_by_role("heading", name=tree.branch_a.name)).to_be_visible()
    expect(page.get_by_test_id("members-direct")).to_have_text("2")
    expect(page.get_by_test_id("members-total")).to_have_text("2")
    shoot(page, "org")

    # The breadcrumb leads up to the root, whose counts roll up the whole fixture tree.
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=tree.root.name).click()
    expect(page).to_have_url(url("orgs:detail", tree.root.pk))
    expect(page.get_by_test_id("members-direct")).to_have_text("0")
    expect(page.get_by_test_id("members-total")).to_have_text("5")


def test_static_files_load_and_htmx_runs(page, users):
    """CSS, JavaScript and the icon font are served to the live server's pages (the tree needs htmx)."""
    login(page, "district")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    # Bootstrap's stylesheet defines its custom properties; app.css paints the navbar red.
    assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bs-danger').trim()")
    assert page.evaluate("getComputedStyle(document.querySelector('.tx-navbar')).backgroundColor") == "rgb(200, 22, 29)"
    page.evaluate("document.fonts.ready")
    assert page.evaluate(
        "[...document.fonts].some(f => f.family.replaceAll('\"', '') === 'bootstrap-icons' && f.status === 'loaded')"
    )
