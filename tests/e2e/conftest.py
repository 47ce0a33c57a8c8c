"""Browser tests: Playwright's sync API driving the system Chromium (never a downloaded browser), headless,
against pytest-django's ``live_server``.

Chromium and a CJK font come from the system (``scripts/system-deps.sh`` installs them with apt when it
may); without them every test here is skipped with the command to install them. The tests are moved to
the end of the run: Playwright keeps an event loop running in the main thread while it is alive, so
Django's async-safety check is switched off (DJANGO_ALLOW_ASYNC_UNSAFE) from the first browser test on.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.e2e.helpers import CHROMIUM, DESKTOP, launch_chromium

INSTALL_HINT = "install with `sudo apt-get install chromium fonts-noto-cjk`"


def _missing_system_deps() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append("Chromium (/usr/bin/chromium)")
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        missing.append("fc-list (fontconfig) to find a CJK font")
    elif not subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, timeout=30).stdout.strip():
        missing.append("a CJK font (fc-list :lang=zh is empty)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (uv sync)")
    return missing


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_tests = [item for item in items if item.get_closest_marker("e2e")]
    if not browser_tests:
        return
    # Last, after pytest-django's own ordering (stable sort): see the module docstring.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
    missing = _missing_system_deps()
    if missing:
        skip = pytest.mark.skip(reason=f"browser tests need {' and '.join(missing)}: {INSTALL_HINT}")
        for item in browser_tests:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _async_unsafe_allowed():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_async_unsafe_allowed):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=5_000)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture
def context_for(browser, live_server):
    """``context_for(locale)``: a fresh browser context (no cookies) on the live server; ``javascript=False``
    for a browser that runs no script."""
    contexts = []

    def make(locale: str = "zh-CN", *, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport=DESKTOP, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(context_for):
    """A page in a zh-CN browser. Fails the test on a JavaScript error or a static file that did not load."""
    page = context_for("zh-CN").new_page()
    problems: list[str] = []

    def on_request_failed(request) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # aborted by navigating on: not a fault
            problems.append(f"request failed: {request.url} ({request.failure})")

    def on_response(response) -> None:
        if "/static/" in response.url and response.status >= 400:
            problems.append(f"static file {response.url} answered {response.status}")

    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    yield page
    assert not problems, problems
