"""Configurable domain rules (DOMAIN.md marks them "configurable").

Each rule has a default here; a deployment overrides it with a :class:`RuleValue` row that the
district admin edits. Logic reads rules through :func:`rule`, never through literals.
"""

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


def rule(name: str) -> Any:
    """Current value of the rule ``name`` (override row if any, else the default)."""
    if name not in DEFAULTS:
        raise KeyError(f"unknown rule {name!r}")
    overrides = cache.get(_CACHE_KEY)
    if overrides is None:
        from tongxin.core.models import RuleValue

        overrides = dict(RuleValue.objects.values_list("key", "value"))
        cache.set(_CACHE_KEY, overrides, 60)
    return overrides.get(name, DEFAULTS[name])


def clear_cache() -> None:
    cache.delete(_CACHE_KEY)
