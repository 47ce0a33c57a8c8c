"""Every successful form says what happened: saving a person, adding one, an organisation's changes."""

from __future__ import annotations

import inspect

import pytest

from tongxin.core import views as core_views
from tongxin.core.testing import person_data
from tongxin.people.tests.helpers import current_data, field_errors, form_data

pytestmark = pytest.mark.usefixtures("english")


def success_alerts(response) -> list[str]:
    html = response.content.decode()
    return [part.split("</div>")[0] for part in html.split('<div class="alert alert-success" role="alert">')[1:]]


def test_saving_a_person_says_so_on_the_page_it_lands_on(tree, users, client_for):
    person = tree.people.a1
    client = client_for(users.secretary_a)
    response = client.post(f"/people/{person.pk}/edit/", form_data({**current_data(person), "phone": "13900001111"}),
                           follow=True)  # fmt: skip
    assert response.redirect_chain, field_errors(response)
    assert success_alerts(response) == [f"The changes to {person.name} were saved."]


def test_adding_a_person_says_so(tree, users, client_for):
    data = person_data(tree.branch_a, name="新来者")
    response = client_for(users.committee_admin).post("/people/new/", form_data(data), follow=True)
    assert response.redirect_chain, field_errors(response)
    assert success_alerts(response) == ["新来者 was added."]


def test_saving_an_organisation_says_so(tree, users, client_for):
    org = tree.branch_a
    data = {
        "kind": org.kind, "name": org.name, "short_name": "甲支部", "code": org.code, "category": org.category,
        "level": org.level, "division_code": org.division_code, "established": "", "term_start": "", "term_end": "",
        "status": org.status, "dissolved_on": "",
    }  # fmt: skip
    response = client_for(users.district).post(f"/orgs/{org.pk}/edit/", data, follow=True)
    assert response.redirect_chain, response.context["form"].errors if response.context else response
    assert success_alerts(response) == [f"The changes to {org.name} were saved."]


@pytest.mark.parametrize("helper", [core_views.form_step, core_views.page_step])
def test_a_write_helper_cannot_be_used_without_its_success_message(helper):
    done = inspect.signature(inspect.unwrap(helper)).parameters["done"]
    assert done.default is inspect.Parameter.empty
