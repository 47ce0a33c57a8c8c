"""Shares of a whole as the progress tables show them: dues paid, members registered, meetings held."""

from __future__ import annotations


def share(part: int, whole: int) -> float | None:
    """``part / whole`` (0–1); None when there is no whole to count against."""
    return part / whole if whole else None


def percent(rate: float | None) -> str:
    """A share as the pages and exports print it: one decimal and a percent sign, "—" for nothing to count."""
    return "—" if rate is None else f"{rate * 100:.1f}%"
