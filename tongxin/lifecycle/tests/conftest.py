"""Fixtures of the lifecycle tests."""

from __future__ import annotations

import pytest

from tongxin.core import rules
from tongxin.core.testing import person_data
from tongxin.people.services import create_person


@pytest.fixture
def branch_of_five(tree):
    """Branch A with five active members (a1, a2 and three more): 20% is one place a year."""
    for name in ("甲三", "甲四", "甲五"):
        create_person(None, person_data(tree.branch_a, name=name))
    return tree.branch_a


@pytest.fixture
def rules_in_the_cache(db):
    """The rules in the (just cleared) shared cache, as in a running server: rule() keeps a copy in the process
    for a second, which may outlive the cache.clear() of the previous test and expire in a measured request."""
    rules.clear_cache()
    rules.rule("league_max_age")
    yield
    rules.clear_cache()
