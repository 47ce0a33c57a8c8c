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
    # Transfers and graduation (关系转接, 学社衔接)
    "transfer_stall_days": 10,
    "flow_branch_max_months": 6,
    # League dues (中青发〔2016〕13号), yuan per month: a flat amount for students, the unemployed and those
    # on relief; wage earners below the limit pay the low amount, from it the per-mille rate of the wage
    # rounded down to the yuan, at most the maximum.
    "league_dues_flat_yuan": "0.20",
    "league_dues_low_wage_limit": 2000,
    "league_dues_low_wage_yuan": 3,
    "league_dues_wage_permille": 2,
    "league_dues_max_yuan": 20,
    # Party dues: [upper bound of monthly after-tax income (null: no bound), rate]; a flat amount for
    # students and those on relief.
    "party_dues_brackets": [[3000, "0.005"], [5000, "0.01"], [10000, "0.015"], [None, "0.02"]],
    "party_dues_retiree_brackets": [[5000, "0.005"], [None, "0.01"]],
    "party_dues_flat_yuan": "0.20",
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
