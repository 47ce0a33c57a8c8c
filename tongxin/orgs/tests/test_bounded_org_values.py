"""Issue 12 §3: an organisation code of -99999999999999999999, a division code of "0001-01-01", a term ending
before it starts and a dissolution date on an active organisation were written; each is now refused on the
edit page and the API, naming the field and the rule, with nothing written."""

from __future__ import annotations

import pytest

from tongxin.core.models import ChangeLog
from tongxin.orgs.models import Organization


def _form(org: Organization, **changes) -> dict:
    data = {
        "kind": org.kind, "name": org.name, "short_name": org.short_name, "code": org.code, "category": org.category,
        "level": org.level, "division_code": org.division_code, "established": "", "term_start": "", "term_end": "",
        "status": org.status, "dissolved_on": "",
    }  # fmt: skip
    data.update(changes)
    return data


ABSURD = [
    pytest.param({"code": "-99999999999999999999"}, "code", "A code is letters and digits", id="code"),
    pytest.param({"division_code": "0001-01-01"}, "division_code", "A division code is 6 digits", id="division"),
    pytest.param(
        {"term_start": "2024-05-01", "term_end": "2023-05-01"}, "term_end", "must end after it starts", id="term"
    ),
    pytest.param(
        {"dissolved_on": "2024-05-01"}, "dissolved_on", "Only a dissolved organisation", id="dissolution-on-active"
    ),
    pytest.param({"established": "0001-01-01"}, "established", "Enter a date between", id="established-year-1"),
    pytest.param({"name": "12345"}, "name", "Write this in words", id="name-only-digits"),
    pytest.param({"name": "甲团\u202e支部"}, "name", "direction control", id="name-rlo"),
]


def _snapshot(org):
    return Organization.objects.filter(pk=org.pk).values().get(), ChangeLog.objects.count()


@pytest.mark.parametrize(("changes", "field", "rule"), ABSURD)
def test_an_absurd_organisation_value_is_refused_on_the_edit_page(tree, users, client_for, english, changes, field,
                                                                  rule):  # fmt: skip
    before = _snapshot(tree.branch_a)
    response = client_for(users.committee_admin).post(
        f"/orgs/{tree.branch_a.pk}/edit/", _form(tree.branch_a, **changes)
    )
    assert response.status_code == 200
    assert rule in response.content.decode()
    assert _snapshot(tree.branch_a) == before


@pytest.mark.parametrize(("changes", "field", "rule"), ABSURD)
def test_an_absurd_organisation_value_is_refused_by_the_api(tree, users, api_for, english, changes, field, rule):
    before = _snapshot(tree.branch_a)
    response = api_for(users.committee_admin).patch(f"/api/orgs/{tree.branch_a.pk}/", changes, format="json")
    assert response.status_code == 400, response.content
    assert any(rule in message for message in response.json()[field]), response.json()
    assert _snapshot(tree.branch_a) == before


def test_a_new_organisation_with_an_absurd_code_is_refused_by_the_api(tree, users, api_for, english):
    count = Organization.objects.count()
    response = api_for(users.committee_admin).post(
        "/api/orgs/", {"parent": tree.committee1.pk, "kind": "branch", "name": "新支部", "code": "-999"}, format="json"
    )
    assert response.status_code == 400 and "code" in response.json()
    assert Organization.objects.count() == count


def test_the_refusal_is_in_chinese(tree, users, api_for):
    response = api_for(users.committee_admin).patch(
        f"/api/orgs/{tree.branch_a.pk}/", {"term_start": "2024-05-01", "term_end": "2023-05-01"}, format="json"
    )
    assert response.status_code == 400
    assert "届" in "".join(response.json()["term_end"])


def test_sane_values_are_saved(tree, users, api_for):
    response = api_for(users.committee_admin).patch(
        f"/api/orgs/{tree.branch_a.pk}/",
        {"code": "XS-0001", "division_code": "530112", "term_start": "2023-05-01", "term_end": "2028-05-01"},
        format="json",
    )
    assert response.status_code == 200, response.content
