"""The possibly-lapsed list comes a page at a time (issue 13, "Pages": 300 rows were 30,268 px on a
phone): 50 members a page, with the count of all of them, "Page n/N" and the shared pager."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tongxin.core.testing import person_data
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")


def test_lapse_list_is_paged(tree, users, client_for):
    for i in range(70):  # joined 4 years ago, never paid nor attended: all listed
        create_person(None, person_data(tree.branch_a if i % 2 else tree.branch_b, name=f"失联{i:02d}"))
    client = client_for(users.committee_admin)
    first = client.get(reverse("orglife:lapse")).content.decode()
    names = set(re.findall(r"失联\d\d", first))
    assert len(re.findall(r'<tr><td data-label="Name">', first)) == 50 and len(names) >= 45
    assert re.search(r'data-testid="lapse-total">\s*7\d members are listed', first)
    assert "Page 1/2" in first
    second = client.get(reverse("orglife:lapse") + "?page=2").content.decode()
    rest = set(re.findall(r"失联\d\d", second))
    assert "Page 2/2" in second and len(rest) >= 20 and not rest & names
    # A branch's filter stays on the pager's links and form.
    within = client.get(reverse("orglife:lapse") + f"?org={tree.branch_a.pk}").content.decode()
    assert len(set(re.findall(r"失联\d\d", within))) == 35  # one page, all of them
    assert 'data-testid="pager"' not in within  # one page: no pager
