"""Configurable domain rules (DOMAIN.md marks them "configurable").

Each rule has a default here; a deployment overrides it with a :class:`RuleValue` row that the
district admin edits. Logic reads rules through :func:`rule`, never through literals.
"""

import time
from typing import Any

from django.core.cache import cache

DEFAULTS: dict[str, Any] = {
    # League membership (团章, 团员发展工作细则)
    "league_join_min_age": 14,
    "league_join_min_age_before_2017": 12,
    "league_max_age": 28,
    "league_number_required_from_year": 2017,
    # Branch sizes
    "branch_min_members": 3,
    "branch_usual_max_members": 50,
}

_CACHE_KEY = "tongxin:rules"
# The shared cache is asked at most once a second per process: a row check calls rule() several times,
# and an import checks thousands of rows.
_LOCAL_SECONDS = 1.0
_local: tuple[float, dict[str, Any]] | None = None


def rule(name: str) -> Any:
    """Current value of the rule ``name`` (override row if any, else the default)."""
    global _local
    if name not in DEFAULTS:
        raise KeyError(f"unknown rule {name!r}")
    now = time.monotonic()
    if _local is not None and _local[0] > now:
        return _local[1].get(name, DEFAULTS[name])
    overrides = cache.get(_CACHE_KEY)
    if overrides is None:
        from tongxin.core.models import RuleValue

        overrides = dict(RuleValue.objects.values_list("key", "value"))
        cache.set(_CACHE_KEY, overrides, 60)
    _local = (now + _LOCAL_SECONDS, overrides)
    return overrides.get(name, DEFAULTS[name])


def clear_cache() -> None:
    global _local
    _local = None
    cache.delete(_CACHE_KEY)
