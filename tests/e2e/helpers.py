"""Helpers for the browser tests: logging in through the real form, the text a zh-hans page shows, screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError

from tongxin.core.testing import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CJK = re.compile(r"[\u4e00-\u9fff]")
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SCREENSHOT_WIDTHS = (1280, 375)
DESKTOP = {"width": 1280, "height": 900}


def launch_chromium(playwright):
    """The system Chromium, headless, started by ``playwright`` (a ``sync_playwright()`` instance)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def zh(message: str) -> str:
    """What a zh-hans page shows for ``message``: its translation, or the English msgid while untranslated.

    The catalogue is being translated; asserting on this keeps the tests true before and after.
    """
    with translation.override("zh-hans"):
        return translation.gettext(message)


def count_text(n: int) -> re.Pattern[str]:
    """Text that states the number ``n`` (a count line such as "共找到 5 人"), whatever its wording."""
    return re.compile(rf"(^|\D){n}(\D|$)")


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form at /accounts/login/ and wait for the page it lands on."""
    page.goto(url("accounts:login"))
    page.get_by_label(zh("Username"), exact=True).fill(username)
    page.get_by_label(zh("Password"), exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Log in"), exact=True).click()


def page_width(page) -> int:
    """The page's full width in CSS pixels, read once the document in the tab has loaded.

    A click on a link starts a navigation the test does not wait for; reading the width in between meets a
    document without a root element (CI saw ``null.scrollWidth``). So: wait for the load, and read again while
    the root is missing or the context was replaced by the navigation. (Not ``wait_for_function``: when it has
    to poll, the strict CSP refuses the evaluation it polls with.)
    """
    for _attempt in range(50):
        page.wait_for_load_state("load")
        try:
            width = page.evaluate("document.documentElement ? document.documentElement.scrollWidth : null")
        except PlaywrightError:  # "Execution context was destroyed": the navigation replaced the document
            width = None
        if width is not None:
            return int(width)
        page.wait_for_timeout(100)
    raise AssertionError("the page never had a document to measure")


def screenshots_wanted() -> bool:
    return os.environ.get("TONGXIN_SCREENSHOTS", "").strip().lower() in {"1", "true", "yes", "on"}


def shoot(page, name: str) -> None:
    """With TONGXIN_SCREENSHOTS=1, full-page screenshots of the current page at 1280 and 375 px wide.

    Files go to var/screenshots/<name>-<width>.png. At phone width, a page wider than the viewport is
    reported in var/screenshots/overflow.txt (and on stdout) so layout regressions are easy to spot.
    """
    if not screenshots_wanted():
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    try:
        page.mouse.move(0, 0)  # no hover state on the last button clicked
        for width in SCREENSHOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate("document.fonts.ready")
            page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-{width}.png"), full_page=True, animations="disabled")
            overflow = page.evaluate(
                """() => {
                  const vw = document.documentElement.clientWidth;
                  const wide = [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > vw + 1 && e.offsetParent !== null)
                    .slice(0, 5)
                    .map(e => [e.tagName.toLowerCase(), ...String(e.className || '').split(' ')].join('.'));
                  return {scroll: document.documentElement.scrollWidth, vw, wide};
                }"""
            )
            if overflow["scroll"] > overflow["vw"]:
                line = (
                    f"{name}-{width}: page is {overflow['scroll']}px wide in a {overflow['vw']}px viewport;"
                    f" widest elements: {overflow['wide']}"
                )
                print(line)
                with (SCREENSHOT_DIR / "overflow.txt").open("a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
    finally:
        page.set_viewport_size(DESKTOP)
