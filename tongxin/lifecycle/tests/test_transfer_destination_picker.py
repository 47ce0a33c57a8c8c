"""The destination picker: matches listed by their full path, the organisation itself submitted."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tongxin.lifecycle.models import Transfer
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization

pytestmark = pytest.mark.usefixtures("english")


def test_look_alike_branches_are_told_apart_by_their_full_path(tree, users, client_for):
    twin = create_organization(users.district, parent=tree.committee2, name=tree.branch_a.name, kind=OrgKind.BRANCH,
                               code="TWIN01")  # fmt: skip
    html = (
        client_for(users.secretary_a)
        .get(reverse("lifecycle:transfer_destinations"), {"destination": tree.branch_a.name})
        .content.decode()
    )
    labels = [" ".join(re.sub(r"<[^>]+>", " ", m).split()) for m in re.findall(r"<label.*?</label>", html, re.S)]
    assert f"{tree.committee1.name} › {tree.branch_a.name} {tree.branch_a.code}" in labels
    assert f"{tree.committee2.name} › {twin.name} TWIN01" in labels
    assert f'name="to_org_id" value="{twin.pk}"' in html  # the organisation, not a code to copy


def test_the_picked_organisation_is_the_destination(tree, users, client_for):
    person = tree.people.a2
    response = client_for(users.secretary_a).post(
        reverse("lifecycle:transfer_start_out", args=[person.pk]),
        {"destination": "第2", "to_org_id": str(tree.branch_b.pk), "reason": "other", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Transfer.objects.get(person=person).to_org == tree.branch_b
