"""The Content Security Policy in a real browser: the main pages load under it without a single violation,
as the district admin and as a branch secretary, and the bits that used inline handlers before (select-all
boxes, a confirm dialog, the language switcher, the roster search) still work.

A violation is caught twice: the page's ``securitypolicyviolation`` events (recorded by an init script) and
Chromium's console errors about the Content Security Policy.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import login, url, zh
from tongxin.lifecycle.services.dues import current_month

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def csp_page(page):
    """The shared ``page`` (JavaScript errors and failed static files fail the test), watched for CSP
    violations; ``csp_page.visit(path)`` opens a page and fails on any violation there."""
    console: list[str] = []
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda msg: (
            console.append(f"{page.url}: {msg.text}")
            if msg.type == "error" and ("Content Security Policy" in msg.text or "Refused to" in msg.text)
            else None
        ),
    )

    def violations() -> list[str]:
        try:
            seen = page.evaluate("window.__cspViolations || []")
        except Exception:  # the page is navigating
            seen = []
        return [f"{page.url}: {v}" for v in seen] + console

    def visit(path: str) -> None:
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "'self'" in response.headers.get("content-security-policy", ""), path
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready")
        found = violations()
        assert not found, found

    page.visit = visit  # type: ignore[attr-defined]
    page.violations = violations  # type: ignore[attr-defined]
    yield page
    assert not violations(), violations()


def _meeting_of_branch_a(tree):
    from tongxin.core.tests.scope_walk import _attachment_of_branch_a, _meeting_of_branch_a

    meeting = _meeting_of_branch_a(tree)
    _attachment_of_branch_a(tree)
    return meeting


def test_district_admin_pages_load_without_policy_violations(csp_page, tree, users):
    meeting = _meeting_of_branch_a(tree)
    login(csp_page, "district")
    for path in (
        url("core:home"),
        url("orgs:tree"),
        url("orgs:detail", tree.committee1.pk),
        url("people:roster"),
        url("people:detail", tree.people.a1.pk),
        url("imports:upload") + "?kind=roster",
        url("imports:list"),
        url("orglife:meetings", tree.branch_a.pk),
        url("orglife:meeting_detail", meeting.pk),
        url("orglife:board"),
        url("core:inbox"),
        url("core:rules"),
        url("core:audit"),
        url("lifecycle:transfers") + "?tab=all",
        url("lifecycle:age_out"),
        url("lifecycle:reviews"),
        url("lifecycle:dues_home"),
    ):
        csp_page.visit(path)

    # The org tree's htmx expansion (a <details> toggled open fetches its children) works under the policy.
    csp_page.visit(url("orgs:tree"))
    node = csp_page.locator("details").first
    node.locator("summary").first.click()
    expect(csp_page.get_by_text(tree.committee1.name).first).to_be_visible()
    assert not csp_page.violations()


def test_secretary_pages_load_and_former_inline_handlers_work(csp_page, tree, users):
    meeting = _meeting_of_branch_a(tree)
    login(csp_page, "secretary_a")
    for path in (
        url("people:roster"),
        url("people:detail", tree.people.a1.pk),
        url("orglife:meetings", tree.branch_a.pk),
        url("orglife:meeting_detail", meeting.pk),
        url("core:inbox"),
        url("lifecycle:transfers") + "?tab=all",
    ):
        csp_page.visit(path)

    # The dues ledger: "select all" ticks every member's box (an inline onclick before).
    csp_page.visit(url("lifecycle:dues_ledger", tree.branch_a.pk, current_month()) + "?kind=league")
    boxes = csp_page.locator("input[name=person]:not(:disabled)")
    assert boxes.count() >= 2, "branch A has members whose dues can be marked"
    csp_page.locator("#select-all").check()
    for i in range(boxes.count()):
        expect(boxes.nth(i)).to_be_checked()
    with csp_page.expect_navigation():
        csp_page.get_by_test_id("mark-paid").click()
    # "Take back" asks first (an inline confirm() before): dismissed, nothing changes; accepted, undone.
    take_back = csp_page.get_by_role("button", name=zh("Take back")).first
    expect(take_back).to_be_visible()
    paid_rows = csp_page.locator("tr.table-success")
    paid = paid_rows.count()
    asked: list[str] = []
    csp_page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    take_back.click()
    assert asked == [zh("Take back this payment?")]
    csp_page.wait_for_timeout(300)  # a submission would navigate; nothing may happen
    expect(paid_rows).to_have_count(paid)
    csp_page.once("dialog", lambda dialog: dialog.accept())
    with csp_page.expect_navigation():
        take_back.click()
    expect(paid_rows).to_have_count(paid - 1)
    assert not csp_page.violations()

    # The roster search POSTs through htmx: the table changes, the address bar holds a key, not the name.
    csp_page.visit(url("people:roster"))
    name = tree.people.a1.name
    csp_page.get_by_role("searchbox", name=zh("Search")).fill(name)
    csp_page.get_by_role("button", name=zh("Search")).click()
    expect(csp_page).to_have_url(re.compile(r"[?&]s=[\w-]+"))
    expect(csp_page.locator("#roster-table tbody tr")).to_have_count(1)
    assert name not in csp_page.url and "%E5%BC%A0" not in csp_page.url
    # The export link follows the address bar: it carries the key too.
    href = csp_page.get_by_test_id("export-link").evaluate(
        "a => { window.addEventListener('click', e => e.preventDefault(), {once: true}); a.click(); return a.href; }"
    )
    assert re.search(r"[?&]s=[\w-]+", href) and "q=" not in href

    # The language switcher sends its form on change (an inline onchange before).
    csp_page.visit(url("people:roster"))
    with csp_page.expect_navigation():
        csp_page.get_by_label(zh("Language")).select_option("en")
    expect(csp_page.locator("html")).to_have_attribute("lang", "en")
    assert not csp_page.violations()


# Redoc always shows a "by Redocly" logo from its CDN (hard-coded in the bundle, hidden when it fails to
# load): the policy blocks it, as it should; that one blocked image is expected.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_swagger_ui_loads_under_its_relaxed_policy(csp_page, users):
    """Swagger UI (drf-spectacular's sidecar files, served by us) needs only the per-view relaxation of
    tongxin/api_urls.py (inline styles): no violation, and the schema's operations are listed. The page
    renders as it is scrolled, so an app's operations are found with its filter box, as a reader would."""
    login(csp_page, "district")
    csp_page.visit(url("docs"))
    expect(csp_page.get_by_text("/api/activities/").first).to_be_visible(timeout=15_000)
    csp_page.locator("input.operation-filter-input").fill("people")
    expect(csp_page.get_by_text("/api/people/").first).to_be_visible(timeout=15_000)
    expect(csp_page.get_by_text("/api/activities/")).to_have_count(0)
    assert not csp_page.violations()


def test_redoc_loads_under_its_relaxed_policy(context_for, users):
    page = context_for("zh-CN").new_page()
    page.context.add_init_script(RECORD_VIOLATIONS)
    login(page, "district")
    page.goto(url("redoc"))
    # ReDoc renders the whole schema before showing any of it: with every app's routes that takes seconds on a
    # busy two-core machine (the run beside other work saw "Loading ..." at 15 s). The test is about the
    # policy, not the speed.
    expect(page.get_by_text("/api/people/").first).to_be_attached(timeout=60_000)
    seen = page.evaluate("window.__cspViolations")
    assert all(REDOC_LOGO in v for v in seen), seen
