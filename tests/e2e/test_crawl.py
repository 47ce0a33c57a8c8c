"""Issue 13's review, as a test: for each role, every page reachable from the landing page, opened in
Chromium at 1280 and 375 px, with axe-core's accessibility checks (target size on).

Fails on a link that leads to an error page, a status of 400 or more, a console error, a request leaving
the machine or a page wider than the screen, and on any serious or critical axe finding (colour contrast,
nested controls, tap targets under 24 px, …) but those listed, page by page, in ``KNOWN_AXE``. The figures
print at the end of the run; ``var/crawl.json`` keeps the details (rule → pages → elements and why).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.e2e.crawl import Findings, check_pages, discover, dump, summary
from tests.e2e.helpers import login
from tongxin.core.testing import figures
from tongxin.orglife.models import DEFAULT_REQUIREMENTS, MeetingRequirement

pytestmark = pytest.mark.e2e

ROLES = ("district", "committee_admin", "secretary_a", "viewer", "member")
REPORT = Path(__file__).resolve().parents[2] / "var" / "crawl.json"

# Serious or critical axe findings still allowed, as rule → pages (digits as N). When the crawl was written
# there were 1,650 elements of colour contrast, 10 nested controls, 16 small tap targets and 2 scroll regions;
# the theme (tongxin/static/tongxin/app.css), the tree and the board now pass. Never add one to let a new
# page pass.
KNOWN_AXE: dict[str, set[str]] = {}
# Links that lead to an error page, as (role, path prefix). Issue 13 named one (the member's link to his
# branch) and the crawl found another (the viewer's "transfer in" button); both are fixed: keep it empty.
KNOWN_BROKEN: set[tuple[str, str]] = set()


def test_every_reachable_page_as_each_role(browser, live_server, settings, tree, users):
    settings.TONGXIN_ADMIN_2FA = False  # the crawl is about pages, not the second factor (tested elsewhere)
    for org_kind, kind, frequency in DEFAULT_REQUIREMENTS:  # emptied after each browser test: restore
        MeetingRequirement.objects.get_or_create(
            org_kind=org_kind, meeting_kind=kind, defaults={"frequency": frequency}
        )
    host = urlsplit(live_server.url).netloc
    findings = Findings()
    broken: list[str] = []
    pages = 0
    for role in ROLES:
        client = Client()
        client.force_login(getattr(users, role))
        crawl = discover(client)
        pages += len(crawl.pages)
        broken.extend(f"{role}: {line}" for line in crawl.broken)
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=True)
        try:
            page = context.new_page()
            login(page, role)
            page.close()
            check_pages(context, crawl.pages, host, findings, label=role)
        finally:
            context.close()
    dump(findings, REPORT)
    figures.add("crawl: pages (all roles)", pages)
    figures.add("crawl: page loads", findings.loads)
    for rule, nodes in findings.axe.items():
        figures.add(f"crawl: axe {rule}", nodes)
    print(summary(findings))
    unexpected_broken = [
        line for line in broken if not any(line.startswith(f"{role}: {prefix}") for role, prefix in KNOWN_BROKEN)
    ]
    assert not unexpected_broken, "\n".join(unexpected_broken)
    assert not findings.problems, "\n".join(findings.problems[:50])
    unexpected_axe = {
        rule: sorted(extra)
        for rule, pages in findings.axe_pages.items()
        if (extra := pages - KNOWN_AXE.get(rule, set()))
    }
    assert not unexpected_axe, f"serious or critical axe findings: {unexpected_axe}\n{summary(findings)}"
