"""The figures of the security proof (docs/security.md), counted while the tests run and printed at the end.

Tests call ``figures.add(name, n)``; ``tongxin/conftest.py`` imports ``pytest_terminal_summary`` from here,
so any run that includes those tests ends with a "security figures" section: routes × roles checked,
schemathesis cases run, fuzz iterations.

It also registers the Hypothesis profiles: ``tongxin`` (the default: bounded, no example database, no
deadline, so the suite stays fast and leaves no files) and ``deep`` (ten times the examples), picked with
``HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import settings

FIGURES: Counter[str] = Counter()

settings.register_profile("tongxin", max_examples=25, deadline=None, database=None)
settings.register_profile("deep", max_examples=250, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "tongxin"))


def add(name: str, n: int = 1) -> None:
    FIGURES[name] += n


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not FIGURES:
        return
    terminalreporter.section("security figures")
    for name in sorted(FIGURES):
        terminalreporter.write_line(f"{name}: {FIGURES[name]}")
