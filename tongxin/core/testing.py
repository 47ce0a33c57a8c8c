"""Test helpers shared by every app's tests (imported by the root conftest.py).

Tests import helpers from here, from their app's helper modules (``tests/helpers.py`` and the like, never a
``test_*`` module) and fixtures from the conftest files; this module imports no app, so any layer may use it.
"""

from __future__ import annotations

import datetime
import itertools
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone, translation
from stdnum.cn import ric

from tongxin.core.exceptions import DomainError

_seq = itertools.count(1)

# The password of the shared fixture set's users (conftest.py).
PASSWORD = "test-pass-123"  # nosec B105 - a test user's password


class Figures:
    """The figures of the security proof (docs/security.md), counted while the tests run.

    Tests call ``figures.add(name, n)``; the root conftest.py prints the totals at the end of the run in a
    "security figures" section (routes × roles checked, schemathesis cases run, fuzz iterations). Under
    pytest-xdist each worker counts its own and hands them to the controller, which adds them up.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] += n


figures = Figures()


def make_id_number(birth: datetime.date, *, male: bool = True, area: str = "530112") -> str:
    """A checksum-valid ID number for ``birth``, different on each call."""
    n = next(_seq)
    order = (n * 2 + (1 if male else 0)) % 1000
    body = f"{area}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function expects a full 18-character number


def today() -> datetime.date:
    """Today in the deployment's time zone, read at each call.

    Tests call this rather than keep a module-level ``TODAY``: a constant read when the suite is collected
    is yesterday for the tests that run after midnight in Asia/Shanghai (16:00 UTC), and a run takes minutes.
    """
    return timezone.localdate()


def years_ago(years: int, days: int = 40) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


def person_data(branch: Any, **overrides: Any) -> dict[str, Any]:
    """Valid data for a 20-year-old league member who joined at 16 (member number per the year rule)."""
    birth = overrides.pop("birth", years_ago(20))
    join = overrides.pop("league_join_date", birth.replace(year=birth.year + 16) + datetime.timedelta(days=10))
    data = {
        "name": "测试团员",
        "id_number": make_id_number(birth),
        "branch": branch,
        "political_status": "03",
        "ethnicity": "01",
        "education": "20",
        "phone": f"139{next(_seq):08d}",
        "occupation": "student",
        "league_join_date": join,
        "league_number": f"{join.year}{next(_seq):08d}" if join and join.year >= 2017 else None,
    }
    data.update(overrides)
    return data


def refused_unchanged(
    count: Callable[[], Any], call: Callable[[], Any], message: str, error: type | None = None
) -> Any:
    """``call()`` raises ``error`` (DomainError by default; a DomainError's text includes ``message``) and
    ``count()``, the row counts, is the same after it; return the exception."""
    error = error or DomainError
    before = count()
    with pytest.raises(error) as info:
        call()
    if isinstance(info.value, DomainError):
        assert message in " ".join(info.value.messages), info.value.messages
    assert count() == before
    return info.value


def one_winner(results: list[Any], model: type) -> tuple[Any, str]:
    """Of two racing steps' ``results``, exactly one is a ``model`` and the other a DomainError: return the
    winner and the loser's message."""
    winners = [r for r in results if isinstance(r, model)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results
    return winners[0], " ".join(losers[0].messages)


def assert_serialised(first: Any, second: Any, model: type, refusal: str) -> None:
    """Two racing steps run one after the other: ``second`` went through (a ``model``); ``first`` either went
    through too or, run after it, was refused with ``refusal`` in its message."""
    assert isinstance(second, model), second
    if isinstance(first, DomainError):
        assert refusal in " ".join(first.messages)
    else:
        assert isinstance(first, model), first


def advance(record: Any, steps: Sequence[tuple[str, Callable[[Any], Any]]], until: str, field: str) -> Any:
    """Run ``steps`` (the state each leads to, the step) on ``record`` until its ``field`` is ``until``,
    checking each step lands in its state; return the record."""
    for target, step in steps:
        if getattr(record, field) == until:
            break
        record = step(record)
        assert getattr(record, field) == target
    return record


def in_thread(
    target: Callable[[], Any], results: dict[str, Any], key: str, *, language: str | None = None
) -> threading.Thread:
    """Start ``target`` in a thread on its own database connection (PostgreSQL concurrency tests); what it
    returns, or the exception it raises, lands in ``results[key]``. ``language``: the active translation there."""

    def run() -> None:
        try:
            if language is None:
                results[key] = target()
            else:
                with translation.override(language):
                    results[key] = target()
        except Exception as exc:  # reported to the test
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def race(*actions: Callable[[], Any], timeout: float = 20) -> list[Any]:
    """Run ``actions`` in threads released together, each on its own database connection (PostgreSQL
    concurrency tests); return what each returned or the exception it raised, in order."""
    start = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            start.wait(10)
            results[index] = action()
        except Exception as exc:  # reported to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
