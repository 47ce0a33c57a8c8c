"""The age-out list in the API is the role holders' work, as on the page: a member without a role, due to age
out, does not list themself (their own record stays readable, as every self-service record)."""

from __future__ import annotations

import pytest

from tongxin.accounts.models import User
from tongxin.core.testing import person_data, years_ago
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")
API = "/api/age-outs/"


def test_a_member_due_does_not_list_themself_but_reads_their_record(tree, users, api_for):
    due = create_person(None, person_data(tree.branch_a, name="甲超龄", birth=years_ago(30)))
    member = User.objects.create(username="due_member", person=due)

    api = api_for(member)
    assert api.get(API).json()["results"] == []
    assert api.get(f"{API}{due.pk}/").json()["eligible"] is True
    listed = api_for(users.secretary_a).get(API).json()["results"]
    assert [row["id"] for row in listed] == [due.pk]
