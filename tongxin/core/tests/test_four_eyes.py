"""Four eyes (issue 12 §1): nobody approves, accepts, confirms or decides a step about herself, changes her
own membership fields, or changes the identity of an organisation she holds a role on.

The workflow rule is one check in ``core.workflow.Workflow`` (``subject=``, ``self_service=``); these tests walk
every Workflow there is, so a new one (points review, volunteer hours, wishes) is covered the day it is
declared. The per-route HTTP side is the scope matrix's self column (``test_scope_matrix.test_self_column``).
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.apps import apps
from django.urls import reverse

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import figures
from tongxin.core.workflow import Workflow
from tongxin.orgs.models import Organization
from tongxin.people.models import Person

pytestmark = pytest.mark.usefixtures("english")

OWN_CASE = "This concerns you personally: another person responsible must approve it."
OWN_RECORD = "This is your own record: your membership details are changed by another person responsible."


def all_workflows() -> list[Workflow]:
    """Every Workflow declared in the project's code: each module of each app imported (tests and migrations
    aside) and its module-level Workflow objects collected, so a new workflow is found the day it is written."""
    found: dict[int, Workflow] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("tongxin."):
            continue
        for info in pkgutil.walk_packages([config.path], prefix=f"{config.name}."):
            if ".tests" in info.name or ".migrations" in info.name or ".management" in info.name:
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, Workflow):
                    found[id(value)] = value
    return list(found.values())


# Workflows about no one person, and why (a new workflow about a person declares subject= instead).
NOT_ABOUT_A_PERSON = {
    "Meeting": "a meeting is its organisation's: its record (attendance of many) is no decision about one person",
    "Venue": "a venue is its host organisation's: opening, suspending or closing it decides nothing about a person",
    "Booking": "a booking is an organisation's use of a venue: cancelling it or adding a date back is about no person",
    "Activity": "an activity is its organisers': closing or cancelling it decides about no one person",
    "ConstituentRequest": "a young person's request to a league deputy: the young person has no person record, "
    "and assigning, following up and answering it decide nothing about the deputy or any member",
    "ServiceNeed": "a community's service need: closing or reopening it decides about no one person",
    "DonationDrive": "a donation drive is its organisation's: closing it decides about no one person",
    "MonthCycle": "a branch's points month is the branch's: publishing and confirming decide about no one person "
    "(each claim in it is reviewed under four eyes: the Claim workflow)",
}


def undeclared(workflows: list[Workflow]) -> list[str]:
    """The models of the workflows that declare no subject and give no reason."""
    return [wf.model.__name__ for wf in workflows if wf.subject is None and wf.model.__name__ not in NOT_ABOUT_A_PERSON]


def test_a_new_workflow_without_a_subject_is_named():
    """The check below is not vacuous: a workflow about a person that forgets subject= is found."""
    from tongxin.lifecycle.models import TRANSFER_TRANSITIONS, Transfer

    forgetful = Workflow(Transfer, TRANSFER_TRANSITIONS, refusal="%(status)s")
    assert undeclared([forgetful]) == ["Transfer"]


def test_every_workflow_about_a_person_declares_its_subject():
    workflows = all_workflows()
    assert {wf.model.__name__ for wf in workflows} >= {
        "Transfer", "Recruitment", "PartyRecommendation", "AnnualReview", "ChecklistItem", "Meeting",
    }  # fmt: skip
    missing = undeclared(workflows)
    assert not missing, (
        f"Workflows {missing} declare no subject=: say whom each record is about (subject=lambda row: "
        "row.person_id) so the four-eyes rule applies, or name the model in NOT_ABOUT_A_PERSON with the reason"
    )


def _record_about(model_name: str, tree):
    """A record of each workflow's model about person a1 (unsaved where the subject is a plain column)."""
    from tongxin.activities.models import HoursCorrection, Registration, Wish
    from tongxin.community.models import CommunityRegistration, ServiceReport
    from tongxin.core.tests import scope_walk as walk
    from tongxin.lifecycle.models import LapseCase, PartyRecommendation, Recruitment, Transfer
    from tongxin.orglife.models import ChecklistItem
    from tongxin.venues.models import Honour

    a1 = tree.people.a1
    makers = {
        "Transfer": lambda: Transfer(person=a1),
        "PartyRecommendation": lambda: PartyRecommendation(person=a1),
        "LapseCase": lambda: LapseCase(person=a1),  # nobody decides on his own lapse (自行脱团)
        "Recruitment": lambda: Recruitment(person=a1),
        "ChecklistItem": lambda: ChecklistItem(owner=a1),
        "AnnualReview": lambda: walk._review_of_branch_a(tree),  # a1 is graded in it
        "Honour": lambda: Honour(person=a1),
        "Registration": lambda: Registration(person=a1),
        "Wish": lambda: Wish(claimed_by=a1),
        "HoursCorrection": lambda: HoursCorrection(person=a1),
        "CommunityRegistration": lambda: CommunityRegistration(person=a1),
        "ServiceReport": lambda: ServiceReport(person=a1),  # a1's report to his community
        "Claim": lambda: walk._point_claim_of_a1(tree),  # a1's points claim
        "Objection": lambda: walk._point_objection_of_a1(tree),  # a1's objection to his branch's month
        "StudyNote": lambda: walk._study_note_of_a1(tree),  # a1's study note: nobody features or hides her own
    }
    assert model_name in makers, f"add a record of {model_name} about person a1 to _record_about"
    return makers[model_name]()


def someone(person_id: int):
    """An actor for the check alone: a user (unsaved) whose person record is ``person_id``."""
    from tongxin.accounts.models import User

    return User(person_id=person_id)


def test_every_step_of_every_workflow_is_refused_to_its_subject(tree):
    """Table-driven over every Workflow with a subject: each transition not in ``self_service`` is refused to
    the person the record is about and allowed to anyone else; the self-service ones are hers to take."""
    checked = 0
    for wf in all_workflows():
        if wf.subject is None:
            continue
        record = _record_about(wf.model.__name__, tree)
        assert tree.people.a1.pk in wf.subjects(record)
        for transition in wf.transitions:
            wf.check_four_eyes(someone(tree.people.b1.pk), record, transition)  # another person: no objection
            wf.check_four_eyes(None, record, transition)  # the system
            if transition in wf.self_service:
                wf.check_four_eyes(someone(tree.people.a1.pk), record, transition)
                continue
            with pytest.raises(DomainError) as refused:
                wf.check_four_eyes(someone(tree.people.a1.pk), record, transition)
            assert refused.value.messages == [OWN_CASE], (wf.model.__name__, transition)
            checked += 1
            figures.add("workflow steps refused to their subject")
    assert checked >= 15


def test_self_service_must_name_steps_of_the_table():
    from tongxin.core.workflow import TransitionError
    from tongxin.lifecycle.models import TRANSFER_TRANSITIONS, Transfer

    with pytest.raises(TransitionError, match="withdraw"):
        Workflow(Transfer, TRANSFER_TRANSITIONS, refusal="%(status)s", self_service=("withdraw",))


# --- transfers: starting one's own transfer is not its approval ----------------------------------------------


@pytest.mark.parametrize("destination", ["committee2", "external"])
def test_a_secretary_starting_her_own_transfer_does_not_approve_it(tree, users, selves, api_for, destination):
    from tongxin.lifecycle.models import Transfer, TransferStatus

    a1 = tree.people.a1
    body = {"person": a1.pk, "reason": "other"}
    body.update({"to_org": tree.committee2.pk} if destination == "committee2" else {"external_destination": "外省团委"})

    response = api_for(selves.secretary).post("/api/transfers/", body, format="json")

    assert response.status_code == 201, response.content
    transfer = Transfer.objects.get(person=a1)
    assert (transfer.status, transfer.out_approved_at, transfer.out_approved_by) == (
        TransferStatus.PENDING_OUT,
        None,
        None,
    )
    a1.refresh_from_db()
    assert (a1.status, a1.branch_id) == ("active", tree.branch_a.pk)  # still on the roster
    # She cannot approve it herself either …
    refused = api_for(selves.secretary).post(f"/api/transfers/{transfer.pk}/approve-out/", {}, format="json")
    assert refused.status_code == 400 and OWN_CASE in refused.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING_OUT
    # … another secretary of her branch does.
    done = api_for(users.secretary_a).post(f"/api/transfers/{transfer.pk}/approve-out/", {}, format="json")
    assert done.status_code == 200, done.content
    transfer.refresh_from_db()
    expected = TransferStatus.PENDING_IN if destination == "committee2" else TransferStatus.COMPLETED
    assert (transfer.status, transfer.out_approved_by) == (expected, users.secretary_a)


def test_the_same_on_the_page(tree, users, selves, client_for):
    from tongxin.lifecycle.models import Transfer, TransferStatus

    a1 = tree.people.a1
    url = reverse("lifecycle:transfer_start_out", kwargs={"pk": a1.pk})
    response = client_for(selves.secretary).post(url, {"destination": tree.committee2.code, "reason": "other"})

    assert response.status_code in (200, 302), response.status_code
    transfer = Transfer.objects.get(person=a1)
    assert (transfer.status, transfer.out_approved_at) == (TransferStatus.PENDING_OUT, None)


def test_a_secretary_still_starts_and_approves_the_transfer_of_another_member(tree, users, selves, api_for):
    from tongxin.lifecycle.models import Transfer, TransferStatus

    a2 = tree.people.a2
    body = {"person": a2.pk, "reason": "other", "to_org": tree.committee2.pk}
    response = api_for(selves.secretary).post("/api/transfers/", body, format="json")

    assert response.status_code == 201, response.content
    transfer = Transfer.objects.get(person=a2)
    assert (transfer.status, transfer.out_approved_by) == (TransferStatus.PENDING_IN, selves.secretary)


# --- one's own membership fields ----------------------------------------------------------------------------


def _changes_of(person: Person):
    return ChangeLog.objects.filter(object_id=str(person.pk), action=ChangeLog.Action.UPDATE).count()


@pytest.mark.parametrize(
    "body",
    [
        {"political_status": "01"},
        {"status": "left"},
        {"league_join_date": "2015-05-04"},
        {"league_number": "201500001234"},
    ],
    ids=lambda body: next(iter(body)),
)
def test_a_secretary_cannot_change_her_own_membership_fields_through_the_api(tree, selves, api_for, body):
    a1 = Person.objects.get(pk=tree.people.a1.pk)
    logged = _changes_of(a1)

    response = api_for(selves.secretary).patch(f"/api/people/{a1.pk}/", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()[next(iter(body))] == [OWN_RECORD]
    fresh = Person.objects.get(pk=a1.pk)
    assert [getattr(fresh, f) for f in ("political_status", "status", "league_join_date", "league_number")] == [
        getattr(a1, f) for f in ("political_status", "status", "league_join_date", "league_number")
    ]
    assert _changes_of(a1) == logged


def test_a_secretary_cannot_move_herself_to_another_branch(tree, users, api_for, selves):
    from tongxin.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=selves.secretary, organization=tree.branch_b, role="secretary")
    a1 = tree.people.a1

    response = api_for(selves.secretary).patch(f"/api/people/{a1.pk}/", {"branch": tree.branch_b.pk}, format="json")

    assert response.status_code == 400, response.content
    a1.refresh_from_db()
    assert a1.branch_id == tree.branch_a.pk


def test_she_may_still_correct_her_own_contact_details(tree, selves, api_for):
    a1 = tree.people.a1

    response = api_for(selves.secretary).patch(f"/api/people/{a1.pk}/", {"phone": "13800138000"}, format="json")

    assert response.status_code == 200, response.content
    a1.refresh_from_db()
    assert a1.phone == "13800138000"


def test_another_role_holder_changes_her_membership_fields(tree, users, selves, api_for):
    a1 = tree.people.a1

    response = api_for(users.secretary_a).patch(f"/api/people/{a1.pk}/", {"political_status": "01"}, format="json")

    assert response.status_code == 200, response.content
    a1.refresh_from_db()
    assert a1.political_status == "01"


def test_the_person_edit_page_refuses_her_own_political_status(tree, selves, client_for):
    from tongxin.people.tests.helpers import current_data, form_data

    a1 = tree.people.a1
    client = client_for(selves.secretary)

    response = client.post(f"/people/{a1.pk}/edit/", form_data({**current_data(a1), "political_status": "01"}))

    assert response.status_code == 200
    assert OWN_RECORD in response.content.decode()
    a1.refresh_from_db()
    assert a1.political_status == "03"
    # The page saves her contact details when she leaves the membership fields as they are.
    response = client.post(f"/people/{a1.pk}/edit/", form_data({**current_data(a1), "phone": "13900139000"}))
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.phone == "13900139000"


def test_a_roster_import_updating_her_own_record_is_refused_on_that_row(tree, selves):
    from tongxin.core.imports import create_job, run_check

    a1 = tree.people.a1
    content = "\n".join(
        ["姓名,公民身份号码,所在团支部,政治面貌", f"{a1.name},{a1.id_number},{tree.branch_a.code},中共党员"]
    )
    job = create_job(selves.secretary, kind="roster", file_name="名册.csv", content=content.encode(), options={},
                     org_path=tree.branch_a.path)  # fmt: skip
    run_check(job)
    job.refresh_from_db()

    assert job.report is not None
    assert job.report["counts"]["rejected"] == 1, job.report["counts"]
    assert OWN_RECORD in str(job.report)


# --- decisions about a person outside the workflows: dues, age-out -------------------------------------------


def test_a_secretary_cannot_mark_her_own_dues_paid(tree, users, selves, api_for):
    from tongxin.lifecycle.models import DuesPayment

    body = {"branch": tree.branch_a.pk, "month": "2025-01", "person_ids": [tree.people.a1.pk], "paid_on": "2025-01-10"}
    response = api_for(selves.secretary).post("/api/dues-payments/mark-paid/", body, format="json")

    assert response.status_code == 400, response.content
    assert not DuesPayment.objects.exists()
    done = api_for(users.secretary_a).post("/api/dues-payments/mark-paid/", body, format="json")
    assert done.status_code in (200, 201), done.content
    assert DuesPayment.objects.filter(person=tree.people.a1).count() == 1


def test_a_secretary_cannot_confirm_her_own_age_out(tree, selves):
    from tongxin.lifecycle.services.ageout import confirm_age_out

    with pytest.raises(DomainError) as refused:
        confirm_age_out(selves.secretary, person_ids=[tree.people.a1.pk])
    assert "You cannot confirm your own age-out" in " ".join(refused.value.messages)
    tree.people.a1.refresh_from_db()
    assert tree.people.a1.status == "active"


# --- the identity of an organisation one holds a role on --------------------------------------------------


def test_a_committee_admin_cannot_change_the_code_of_his_own_committee(tree, users, api_for):
    c1 = tree.committee1
    logged = ChangeLog.objects.count()

    response = api_for(users.committee_admin).patch(f"/api/orgs/{c1.pk}/", {"code": "T1X"}, format="json")

    assert response.status_code == 400, response.content
    assert "changed by the organisation above it" in response.json()["code"][0]
    assert Organization.objects.get(pk=c1.pk).code == "T1"
    assert ChangeLog.objects.count() == logged


def test_the_organisation_above_does(tree, users, api_for):
    c1 = tree.committee1

    response = api_for(users.district).patch(
        f"/api/orgs/{c1.pk}/", {"code": "T1X", "name": "第一团委（新）"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert Organization.objects.get(pk=c1.pk).code == "T1X"
    # and the committee admin still edits the branches below him
    branch = api_for(users.committee_admin).patch(f"/api/orgs/{tree.branch_a.pk}/", {"code": "T1AX"}, format="json")
    assert branch.status_code == 200, branch.content


def test_his_own_committee_s_term_stays_his_to_record(tree, users, api_for):
    c1 = tree.committee1
    body = {"term_start": "2024-05-04", "term_end": "2029-05-03"}

    response = api_for(users.committee_admin).patch(f"/api/orgs/{c1.pk}/", body, format="json")

    assert response.status_code == 200, response.content


def test_the_root_is_changed_only_by_a_platform_administrator(tree, users, api_for):
    from django.contrib.auth.hashers import make_password

    from tongxin.accounts.models import User

    root = tree.root
    refused = api_for(users.district).patch(f"/api/orgs/{root.pk}/", {"name": "改名区团委"}, format="json")
    assert refused.status_code == 400, refused.content
    admin = User.objects.create(username="platform", password=make_password("x"), is_superuser=True, is_staff=True)
    done = api_for(admin).patch(f"/api/orgs/{root.pk}/", {"name": "改名区团委"}, format="json")
    assert done.status_code == 200, done.content


def test_the_organisation_edit_page_refuses_it_too(tree, users, client_for):
    c1 = tree.committee1
    data = {"kind": c1.kind, "name": c1.name, "code": "T1Y", "category": c1.category, "status": c1.status}

    response = client_for(users.committee_admin).post(f"/orgs/{c1.pk}/edit/", data)

    assert response.status_code == 200
    assert "changed by the organisation above it" in response.content.decode()
    assert Organization.objects.get(pk=c1.pk).code == "T1"


def test_a_committee_admin_cannot_move_his_own_committee(tree, users):
    from tongxin.accounts.models import RoleAssignment
    from tongxin.orgs.services import move_organization

    RoleAssignment.objects.create(user=users.committee_admin, organization=tree.committee2, role="admin")
    with pytest.raises(DomainError, match="changed by the organisation above it"):
        move_organization(users.committee_admin, tree.committee1, tree.committee2)


def test_her_own_transfer_s_page_offers_her_no_approval(tree, users, selves, client_for):
    from tongxin.lifecycle.models import TransferReason, TransferSide
    from tongxin.lifecycle.services.transfers import start_transfer

    transfer = start_transfer(None, person=tree.people.a1, to_org=tree.committee2, side=TransferSide.MEMBER,
                              reason=TransferReason.OTHER)  # fmt: skip
    approve = reverse("lifecycle:transfer_approve", kwargs={"pk": transfer.pk})
    detail = reverse("lifecycle:transfer_detail", kwargs={"pk": transfer.pk})

    assert approve not in client_for(selves.secretary).get(detail).content.decode()
    assert approve in client_for(users.secretary_a).get(detail).content.decode()
