"""Issue 13's review, as a test: the demo district seeded by ``seed_demo``, then for each demo account every
page reachable from its home page, opened in Chromium at 1280 and 375 px (logged in through the login page),
with axe-core's accessibility checks (target size on).

Fails on a link that leads to an error page, a status of 400 or more, a console error, a request leaving
the machine or a page wider than the screen, and on any serious or critical axe finding (colour contrast,
nested controls, tap targets under 24 px, …) but those listed, page by page, in ``KNOWN_AXE``. The figures
print at the end of the run; ``var/crawl.json`` keeps the details (rule → pages → elements and why).

Why the demo and not the small fixture tree: the demo's data is what a user meets (long names, long lists,
a year of meetings, arrears, minors without consent), and a page only breaks on a phone with such data (the
minors page was 423 px wide at 375 px on a long organisation name). The demo has an account for each role
(district and committee administrators, a secretary, a viewer, a member), so it covers all the fixture
tree's crawl did. Seeding costs its scale 1 (the smallest: 708 organisations, 13,388 people, half a million
rows) once per suite; the crawl opens each URL pattern once per account (crawl.py), so the size of the
district does not multiply the pages. Measured on the 2-core machine (December 2026): seeding alone 29 s on
SQLite and 61 s on PostgreSQL; in this test, with other suites sharing the machine (load 8 to 10), seeding
29 to 154 s on SQLite and 172 s on PostgreSQL, then 258 pages and 516 loads in 10 to 14 minutes (axe-core
takes three quarters of each load). By December 7 the apps had doubled the pages (601 pages, 1,202 loads: 699 s
on PostgreSQL), and CI's 90 minutes ran out with the crawl run on both engines. So: axe-core goes in as an init
script (Chromium compiles it once, not on every page), two browsers share the accounts on PostgreSQL (each
live-server thread has its own connection there), and ``make test`` runs the crawl once, in its PostgreSQL run
(``TONGXIN_CRAWL_ON``, set by scripts/test-all.sh): 346 s on PostgreSQL, nothing else running.

With TONGXIN_SCREENSHOTS=1 it also leaves each account's home page at both widths in var/screenshots/.
"""

from __future__ import annotations

import os
import queue
import time
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from playwright.sync_api import sync_playwright

from tests.e2e.crawl import Findings, check_pages, discover, dump, summary
from tests.e2e.helpers import launch_chromium, login, shoot
from tongxin.accounts.demo import DEMO_USERNAMES
from tongxin.accounts.models import User
from tongxin.core.testing import figures
from tongxin.orglife.models import DEFAULT_REQUIREMENTS, MeetingRequirement
from tongxin.people.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

REPORT = Path(__file__).resolve().parents[2] / "var" / "crawl.json"

# Serious or critical axe findings still allowed, as rule → pages (digits as N). When the crawl was written
# there were 1,650 elements of colour contrast, 10 nested controls, 16 small tap targets and 2 scroll regions;
# the theme (tongxin/static/tongxin/app.css), the tree and the board now pass. Never add one to let a new
# page pass.
KNOWN_AXE: dict[str, set[str]] = {}
# Links that lead to an error page, as (account, path prefix). Issue 13 named one (the member's link to his
# branch) and the crawl found another (the viewer's "transfer in" button); both are fixed: keep it empty.
KNOWN_BROKEN: set[tuple[str, str]] = set()


def _check_accounts(browser, jobs: queue.SimpleQueue, base_url: str, host: str) -> Findings:
    """Take accounts from ``jobs`` until it is empty; open each one's pages in ``browser``."""
    findings = Findings()
    while True:
        try:
            username, pages = jobs.get_nowait()
        except queue.Empty:
            return findings
        context = browser.new_context(base_url=base_url, locale="zh-CN", bypass_csp=True)
        try:
            page = context.new_page()
            login(page, username, DEMO_PASSWORD)
            shoot(page, f"home-{username}")
            page.close()
            check_pages(context, pages, host, findings, label=username)
        finally:
            context.close()


def _in_own_browser(jobs: queue.SimpleQueue, base_url: str, host: str) -> Findings:
    """A second browser's share of the crawl, in a thread: Playwright's sync API wants one instance per thread."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            return _check_accounts(browser, jobs, base_url, host)
        finally:
            browser.close()


def test_every_reachable_page_as_each_demo_account(browser, live_server, settings):
    if os.environ.get("TONGXIN_CRAWL_ON") == "postgresql" and connection.vendor != "postgresql":
        pytest.skip("the crawl runs once per `make test`, in its PostgreSQL run (scripts/test-all.sh)")
    settings.TONGXIN_ADMIN_2FA = False  # the crawl is about pages, not the second factor (tested elsewhere)
    for org_kind, kind, frequency in DEFAULT_REQUIREMENTS:  # emptied after each browser test: restore
        MeetingRequirement.objects.get_or_create(
            org_kind=org_kind, meeting_kind=kind, defaults={"frequency": frequency}
        )
    started = time.monotonic()
    call_command("seed_demo", stdout=StringIO())
    seeded = time.monotonic() - started
    host = urlsplit(live_server.url).netloc
    broken: list[str] = []
    crawls: list[tuple[str, list[str]]] = []
    for username in DEMO_USERNAMES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        crawl = discover(client)
        crawls.append((username, crawl.pages))
        broken.extend(f"{username}: {line}" for line in crawl.broken)
    pages = sum(len(paths) for _username, paths in crawls)
    jobs: queue.SimpleQueue = queue.SimpleQueue()
    for job in sorted(crawls, key=lambda job: -len(job[1])):  # the longest first, so the browsers end together
        jobs.put(job)
    # Two browsers on PostgreSQL, where each live-server thread has its own connection; one on SQLite, whose
    # in-memory test database is one connection the live server's threads share.
    if connection.vendor == "postgresql":
        with ThreadPoolExecutor(max_workers=1) as pool:
            second = pool.submit(_in_own_browser, jobs, live_server.url, host)
            findings = _check_accounts(browser, jobs, live_server.url, host)
            findings.merge(second.result())  # raises what the second browser raised
    else:
        findings = _check_accounts(browser, jobs, live_server.url, host)
    crawled = time.monotonic() - started - seeded
    dump(findings, REPORT, extra={"pages": pages, "seed_seconds": round(seeded, 1), "crawl_seconds": round(crawled)})
    figures.add("crawl: pages (all demo accounts)", pages)
    figures.add("crawl: page loads", findings.loads)
    for rule, nodes in findings.axe.items():
        figures.add(f"crawl: axe {rule}", nodes)
    print(f"seed_demo {seeded:.1f} s, crawl {crawled:.0f} s, {pages} pages")
    print(summary(findings))
    unexpected_broken = [
        line for line in broken if not any(line.startswith(f"{name}: {prefix}") for name, prefix in KNOWN_BROKEN)
    ]
    assert not unexpected_broken, "\n".join(unexpected_broken)
    assert not findings.problems, "\n".join(findings.problems[:50])
    unexpected_axe = {
        rule: sorted(extra)
        for rule, pages in findings.axe_pages.items()
        if (extra := pages - KNOWN_AXE.get(rule, set()))
    }
    assert not unexpected_axe, f"serious or critical axe findings: {unexpected_axe}\n{summary(findings)}"
