"""The checklist items' API list filters: ``?org=`` (a subtree of the caller's), ``?kind=``, ``?status=``,
``?overdue=1``; an unknown kind or status is ignored, an organisation out of scope lists nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tongxin.orglife.services.checklists import add_item

pytestmark = pytest.mark.usefixtures("english")
URL = "/api/checklist-items/"


def test_the_filters_narrow_the_list(tree, users, api_for):
    past = timezone.localdate() - datetime.timedelta(days=3)
    late = add_item(None, organization=tree.branch_a, kind="project", content="甲项目", deadline=past)
    duty = add_item(None, organization=tree.branch_a, kind="responsibility", content="甲责任")
    other = add_item(None, organization=tree.branch_b, kind="project", content="乙项目")
    api = api_for(users.committee_admin)

    def ids(query):
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {late.pk, duty.pk, other.pk}
    assert ids(f"org={tree.branch_a.pk}") == {late.pk, duty.pk}
    assert ids("kind=project") == {late.pk, other.pk}
    assert ids("overdue=1") == {late.pk}
    assert ids("status=open") == {late.pk, duty.pk, other.pk}
    assert ids("status=closed") == set()
    assert ids("kind=nonsense&status=nonsense") == {late.pk, duty.pk, other.pk}
    assert ids(f"org={tree.committee2.pk}") == set()
    assert api.get(f"{URL}?org=abc").status_code == 400
