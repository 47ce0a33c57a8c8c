"""The crawl of issue 13: every page a user reaches from the landing page, checked in Chromium at 1280 and
375 px for what a user would meet (an error status, a console error, a request leaving the machine, a page
wider than the phone) and by axe-core (the accessibility engine, with WCAG 2.2's target-size rule on).

Discovery runs through Django's test client (fast, no browser): breadth first from ``/``, following the
same-site links of every HTML page, skipping what is not a page (logout, downloads, the API, the admin,
the language switch) and opening each *pattern* once: a pattern is the URL name and the names of the query
parameters (``people:detail``; ``privacy:minors`` and ``privacy:minors`` with ``org``), so a roster of
13,000 people adds one person page, not 13,000, while a filtered or paged view of a list is a page of its
own (the minors page filtered to one branch was the one too wide for a phone). A new page is crawled as
soon as a link leads to it.
"""

from __future__ import annotations

import json
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 375)
PER_PATTERN = 1
MAX_PAGES = 400
# Not pages: leaving (logout), files (exports, downloads), the machine interfaces and the language switch.
SKIPPED_PREFIXES = ("/accounts/logout", "/admin/", "/api/", "/i18n/", "/static/", "/media/", "/health")
SKIPPED_NAME_PARTS = ("export", "download", "template", "attachment", "logout", "handout")

AXE_OPTIONS = {
    # Everything axe checks by default, plus WCAG 2.2's target size (off by default in axe-core 4.x).
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}

PAGE_PROBE = """() => {
  const vw = document.documentElement.clientWidth;
  return {scroll: document.documentElement.scrollWidth, vw};
}"""


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        target = urlsplit(urljoin(base, href))
        if target.scheme not in ("", "http") or (target.netloc and target.netloc != "testserver"):
            continue
        found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def _route_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def pattern_of(path: str, name: str | None) -> str:
    """What ``path`` is an instance of: its URL name (else its path) and the names of its query parameters."""
    target = urlsplit(path)
    keys = sorted({key for key, _value in parse_qsl(target.query, keep_blank_values=True)})
    return f"{name or target.path}?{'&'.join(keys)}"


def _skipped(path: str, name: str | None) -> bool:
    if path.startswith(SKIPPED_PREFIXES):
        return True
    return name is not None and any(part in name for part in SKIPPED_NAME_PARTS)


@dataclass
class Crawl:
    """The pages one user reaches, and what went wrong on the way."""

    pages: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # "path → status (linked from …)"


def discover(client: Client, start: str = "/") -> Crawl:
    """Breadth-first over the HTML pages ``client``'s user reaches from ``start``."""
    crawl = Crawl()
    seen: set[str] = set()
    per_pattern: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    while queue and len(crawl.pages) < MAX_PAGES:
        path, source = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        name = _route_name(path)
        if _skipped(path, name):
            continue
        key = pattern_of(path, name)
        if per_pattern[key] >= PER_PATTERN:
            continue
        per_pattern[key] += 1
        response = client.get(path, follow=True)
        if response.status_code >= 400:
            crawl.broken.append(f"{path} → {response.status_code} (linked from {source})")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        final = response.redirect_chain[-1][0] if response.redirect_chain else path
        final_path = urlsplit(final).path + (f"?{urlsplit(final).query}" if urlsplit(final).query else "")
        if final_path != path:
            if final_path in seen:  # a redirect to a page already crawled (the dues menu entry → this month)
                continue
            seen.add(final_path)
        crawl.pages.append(final_path)
        for link in links_of(response.content.decode(), final_path):
            if link not in seen:
                queue.append((link, final_path))
    return crawl


@dataclass
class Findings:
    """What the browser saw, page by page."""

    loads: int = 0
    problems: list[str] = field(default_factory=list)  # statuses, console errors, outside requests, overflow
    axe: Counter[str] = field(default_factory=Counter)  # "rule (impact)" → nodes over every page and width
    axe_pages: dict[str, set[str]] = field(default_factory=dict)  # rule → pages
    axe_nodes: dict[str, Counter[str]] = field(default_factory=dict)  # rule → "selector: why" → count

    def merge(self, other: Findings) -> None:
        """Add ``other``'s findings (another browser's share of the crawl) to these."""
        self.loads += other.loads
        self.problems.extend(other.problems)
        self.axe.update(other.axe)
        for rule, pages in other.axe_pages.items():
            self.axe_pages.setdefault(rule, set()).update(pages)
        for rule, nodes in other.axe_nodes.items():
            self.axe_nodes.setdefault(rule, Counter()).update(nodes)


def check_pages(context, paths: list[str], host: str, findings: Findings, *, label: str) -> None:
    """Open each of ``paths`` in ``context`` at both widths; add what goes wrong to ``findings``.

    axe-core goes in as an init script: Chromium compiles it once and reuses the code on every page, where a
    script tag added after each load had it parsed again (88 ms of a load's 400, measured on PostgreSQL).
    """
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    console: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: console.append(str(exc)))

    def on_request(request) -> None:
        target = urlsplit(request.url)
        if target.scheme in ("http", "https", "ws", "wss") and target.netloc != host:
            outside.append(request.url)

    page.on("request", on_request)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            console.clear()
            outside.clear()
            response = page.goto(path)
            findings.loads += 1
            where = f"{label} {path} @{width}"
            if response is None or response.status >= 400:
                findings.problems.append(f"{where}: status {response.status if response else 'none'}")
                continue
            page.evaluate("document.fonts.ready")
            probe = page.evaluate(PAGE_PROBE)
            if probe["scroll"] > probe["vw"]:
                findings.problems.append(f"{where}: {probe['scroll']} px wide in a {probe['vw']} px viewport")
            result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
            for violation in result["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    rule = f"{violation['id']} ({violation['impact']})"
                    findings.axe[rule] += len(violation["nodes"])
                    findings.axe_pages.setdefault(rule, set()).add(re.sub(r"\d+", "N", urlsplit(path).path))
                    nodes = findings.axe_nodes.setdefault(rule, Counter())
                    for node in violation["nodes"]:
                        why = (node.get("failureSummary") or "").splitlines()[-1].strip()[:160]
                        nodes[f"@{width} {' '.join(map(str, node['target']))[:120]}: {why}"] += 1
            findings.problems.extend(f"{where}: console error: {text}" for text in console)
            findings.problems.extend(f"{where}: request leaves the machine: {url}" for url in outside)
    page.close()


def summary(findings: Findings) -> str:
    lines = [f"{findings.loads} page loads"]
    for rule, nodes in findings.axe.most_common():
        pages = sorted(findings.axe_pages[rule])
        lines.append(f"  axe {rule}: {nodes} elements on {len(pages)} pages, e.g. {pages[:3]}")
    return "\n".join(lines)


def dump(findings: Findings, path: Path, extra: dict[str, object] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                **(extra or {}),
                "loads": findings.loads,
                "problems": findings.problems,
                "axe": dict(findings.axe),
                "axe_pages": {k: sorted(v) for k, v in findings.axe_pages.items()},
                # Which elements, and axe's reason, most frequent first: enough to find the template.
                "axe_nodes": {k: dict(v.most_common(200)) for k, v in findings.axe_nodes.items()},
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
