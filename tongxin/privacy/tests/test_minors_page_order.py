"""Minors without consent: the people come first, then the counts per branch (issue 13: on a phone every
branch was listed before any person), a page at a time with "Page n/N"."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tongxin.core.testing import person_data, years_ago
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")


def test_people_before_the_branch_counts_and_paged(tree, users, client_for):
    for i in range(55):
        branch = tree.branch_a if i % 2 else tree.branch_b
        birth = years_ago(15, days=10 + i)
        joined = birth.replace(year=birth.year + 14) + datetime.timedelta(days=30)
        create_person(None, person_data(branch, name=f"少年{i:02d}", birth=birth, league_join_date=joined))
    body = client_for(users.district).get(reverse("privacy:minors")).content.decode()
    assert body.count('data-testid="minor-row"') == 50
    assert body.index('data-testid="minor-row"') < body.index('data-testid="minors-branch"')
    assert "Page 1/2" in body
