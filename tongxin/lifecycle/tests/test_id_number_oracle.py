"""No oracle on ID numbers (issue 12, §2): an ID number typed into recruitment, the roster form and API or a
transfer in never tells the user the name or the organisation of a person outside her scope; inside it she
is told who or where (she sees that person on the roster anyway). A transfer asked for by ID number shows the
receiving side the person only once the sending side has approved. A refused request writes nothing.

Users (root conftest): secretary_a (branch A), secretary_b (branch B), committee_admin (committee 1: branches A
and B), outsider (committee 2: branches C and D). c1 (赵丙一) is a member of 丙团支部 under 第二团委.
"""

from __future__ import annotations

import pytest

from tongxin.core.models import AccessLog
from tongxin.core.testing import make_id_number, years_ago
from tongxin.lifecycle.models import Recruitment, Transfer, TransferStatus
from tongxin.lifecycle.services import transfers
from tongxin.lifecycle.tests.recruitment_helpers import APPLIED
from tongxin.people.tests.helpers import api_data, field_errors, form_data, table_counts

pytestmark = pytest.mark.usefixtures("english")

OUT_OF_SCOPE = "This ID number already belongs to a League member of another organisation: ask for a transfer in."
# What must never reach a user outside committee 2 about c1: the name, the branch and the committee.
C1_SECRETS = ("赵丙一", "丙团支部", "第二团委")


def assert_nothing_about_c1(text: str) -> None:
    for secret in C1_SECRETS:
        assert secret not in text, secret


def recruitment_body(tree, number: str, branch=None) -> dict:
    branch = branch or tree.branch_a
    return {"branch": branch.pk, "name": "试探", "id_number": number, "applied_on": APPLIED.isoformat()}


def counts() -> dict[str, int]:
    return {**table_counts(), "Recruitment": Recruitment.objects.count(), "Transfer": Transfer.objects.count()}


# --- recruitment ----------------------------------------------------------------------------------------------


def test_recruitment_api_says_only_to_ask_for_a_transfer_for_someone_outside_the_scope(tree, users, api_for):
    before = counts()

    response = api_for(users.secretary_a).post(
        "/api/recruitments/", recruitment_body(tree, tree.people.c1.id_number), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"id_number": [OUT_OF_SCOPE]}
    assert_nothing_about_c1(response.content.decode())
    assert counts() == before  # no application row, no ChangeLog row


def test_recruitment_page_says_only_to_ask_for_a_transfer_for_someone_outside_the_scope(tree, users, client_for):
    before = counts()
    data = {**recruitment_body(tree, tree.people.c1.id_number), "phone": ""}

    response = client_for(users.secretary_a).post("/lifecycle/recruitment/new/", data)

    assert response.status_code == 200
    assert field_errors(response) == {"id_number": [OUT_OF_SCOPE]}
    assert_nothing_about_c1(response.content.decode())
    assert counts() == before


def test_recruitment_in_the_scope_says_who_it_is(tree, users, api_for):
    """The committee over branches A and B sees b1 on its roster: it is told who holds the number, and where."""
    response = api_for(users.committee_admin).post(
        "/api/recruitments/", recruitment_body(tree, tree.people.b1.id_number), format="json"
    )

    assert response.status_code == 400
    assert response.json()["id_number"] == [
        "王乙一 is already a member (CYL member) of 乙团支部: there is nobody to recruit."
    ]


def test_the_out_of_scope_message_reads_in_chinese(tree, users, api_for, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    with translation.override("zh-hans"):
        response = api_for(users.secretary_a).post(
            "/api/recruitments/", recruitment_body(tree, tree.people.c1.id_number), format="json"
        )

    assert response.json() == {"id_number": ["该身份证号已是其他组织的团员：请发起转入申请。"]}


# --- the roster: person page and API --------------------------------------------------------------------------


def test_people_api_duplicate_id_names_no_one_outside_the_scope(tree, users, api_for):
    before = counts()
    payload = api_data({**_person(tree), "id_number": tree.people.c1.id_number})

    response = api_for(users.secretary_a).post("/api/people/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"id_number": [OUT_OF_SCOPE]}
    assert_nothing_about_c1(response.content.decode())
    assert counts() == before


def test_person_page_duplicate_id_names_no_one_outside_the_scope(tree, users, client_for):
    before = counts()
    data = form_data({**_person(tree), "id_number": tree.people.c1.id_number})

    response = client_for(users.secretary_a).post("/people/new/", data)

    assert response.status_code == 200
    assert field_errors(response) == {"id_number": [OUT_OF_SCOPE]}
    assert_nothing_about_c1(response.content.decode())
    assert counts() == before


def test_person_edit_to_a_taken_id_names_no_one_outside_the_scope(tree, users, api_for):
    a1 = tree.people.a1
    response = api_for(users.secretary_a).patch(
        f"/api/people/{a1.pk}/", {"id_number": tree.people.c1.id_number}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"id_number": [OUT_OF_SCOPE]}


def test_person_duplicate_id_in_the_scope_names_the_branch(tree, users, api_for):
    payload = api_data({**_person(tree), "id_number": tree.people.b1.id_number})

    response = api_for(users.committee_admin).post("/api/people/", payload, format="json")

    assert response.json() == {"id_number": ["This ID number is already registered to a person in 乙团支部."]}


def _person(tree) -> dict:
    from tongxin.core.testing import person_data

    return person_data(tree.branch_a, name="新来的")


# --- transfer in: the person is revealed once the sending side approves -----------------------------------------


def ask_for_c1(tree, users, client_for):
    response = client_for(users.secretary_b).post(
        "/lifecycle/transfers/in/",
        {"id_number": tree.people.c1.id_number, "to_org": tree.branch_b.pk, "reason": "other"},
    )
    assert response.status_code == 302, response.content.decode()
    return Transfer.objects.get(person=tree.people.c1)


def test_transfer_in_shows_the_receiving_side_only_what_it_typed_until_the_sending_side_approves(
    tree, users, client_for, api_for
):
    c1 = tree.people.c1
    client = client_for(users.secretary_b)
    response = client.post(
        "/lifecycle/transfers/in/", {"id_number": c1.id_number, "to_org": tree.branch_b.pk, "reason": "other"},
        follow=True,
    )  # fmt: skip
    transfer = Transfer.objects.get(person=c1)
    assert transfer.status == TransferStatus.PENDING_OUT

    # The success message, the transfer's page, the lists and the API: the masked number and the state.
    for page in (
        response.content.decode(),
        client.get(f"/lifecycle/transfers/{transfer.pk}/").content.decode(),
        client.get("/lifecycle/transfers/?tab=in").content.decode(),
        client.get("/lifecycle/transfers/?tab=all").content.decode(),
    ):
        assert_nothing_about_c1(page)
        assert c1.masked_id_number in page
    body = api_for(users.secretary_b).get(f"/api/transfers/{transfer.pk}/").json()
    assert_nothing_about_c1(str(body))
    assert body["person"] is None and body["from_org"] is None and body["from_org_name"] == ""
    assert body["person_name"] == c1.masked_id_number and body["person_revealed"] is False
    assert body["status"] == TransferStatus.PENDING_OUT
    listed = api_for(users.secretary_b).get("/api/transfers/").json()
    assert_nothing_about_c1(str(listed))

    # The sending side sees whom it is asked for, before and after.
    assert "赵丙一" in client_for(users.outsider).get(f"/lifecycle/transfers/{transfer.pk}/").content.decode()

    transfers.approve_out(users.outsider, transfer)

    page = client_for(users.secretary_b).get(f"/lifecycle/transfers/{transfer.pk}/").content.decode()
    assert "赵丙一" in page and "丙团支部" in page
    body = api_for(users.secretary_b).get(f"/api/transfers/{transfer.pk}/").json()
    assert body["person"] == c1.pk and body["person_name"] == "赵丙一" and body["from_org_name"] == "丙团支部"
    assert body["person_revealed"] is True


def test_the_receiving_sides_audit_log_names_no_one_before_the_approval(tree, users, client_for):
    from tongxin.core.models import ChangeLog

    transfer = ask_for_c1(tree, users, client_for)
    admin_b = _admin_of(tree.branch_b)

    log = client_for(admin_b).get("/audit/").content.decode()
    assert_nothing_about_c1(log)
    assert not ChangeLog.objects.visible_to(admin_b).filter(object_repr__contains="赵丙一").exists()

    transfers.approve_out(users.outsider, transfer)

    assert ChangeLog.objects.visible_to(admin_b).filter(object_repr__contains="赵丙一").exists()


def _admin_of(org):
    from tongxin.accounts.models import Role, RoleAssignment, User

    user = User.objects.create(username=f"admin_{org.code}")
    RoleAssignment.objects.create(user=user, organization=org, role=Role.ADMIN)
    return user


def test_transfer_in_by_api_answers_without_the_person(tree, users, api_for):
    response = api_for(users.secretary_b).post(
        "/api/transfers/",
        {"id_number": tree.people.c1.id_number, "to_org": tree.branch_b.pk, "reason": "other"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert_nothing_about_c1(response.content.decode())
    assert response.json()["person_name"] == tree.people.c1.masked_id_number


def test_a_rejection_before_approval_tells_the_receiving_side_no_name(tree, users, client_for):
    from tongxin.core.models import Notification

    transfer = ask_for_c1(tree, users, client_for)

    transfers.reject(users.outsider, transfer, reason="材料不全")

    texts = list(Notification.objects.filter(recipient=users.secretary_b).values_list("text", flat=True))
    assert texts and all("赵丙一" not in text for text in texts)
    assert tree.people.c1.masked_id_number in texts[0]


def test_a_second_transfer_in_names_no_one_and_writes_nothing(tree, users, client_for, api_for):
    ask_for_c1(tree, users, client_for)
    before = counts()

    response = api_for(users.secretary_b).post(
        "/api/transfers/",
        {"id_number": tree.people.c1.id_number, "to_org": tree.branch_b.pk, "reason": "other"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "id_number": ["The member with this ID number already has a transfer in progress: it must be finished first."]
    }
    assert counts() == before


def test_transfer_in_of_a_number_nobody_holds_writes_nothing(tree, users, client_for):
    before = counts()

    response = client_for(users.secretary_b).post(
        "/lifecycle/transfers/in/",
        {"id_number": make_id_number(years_ago(20)), "to_org": tree.branch_b.pk, "reason": "other"},
    )

    assert field_errors(response) == {
        "id_number": ["No member with this ID number is registered: add them to the roster."]
    }
    assert counts() == before
    assert AccessLog.objects.filter(action=AccessLog.Action.LOOKUP, actor=users.secretary_b).count() == 1
