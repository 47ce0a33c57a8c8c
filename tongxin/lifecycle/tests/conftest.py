"""Fixtures of the lifecycle tests."""

from __future__ import annotations

import pytest

from tongxin.core.testing import person_data
from tongxin.people.services import create_person


@pytest.fixture
def branch_of_five(tree):
    """Branch A with five active members (a1, a2 and three more): 20% is one place a year."""
    for name in ("甲三", "甲四", "甲五"):
        create_person(None, person_data(tree.branch_a, name=name))
    return tree.branch_a
