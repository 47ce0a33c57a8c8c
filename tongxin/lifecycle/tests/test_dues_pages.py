"""Dues pages and API: the ledger with bulk marking, month navigation, summary with drill-down, arrears,
the profile form, the .xlsx exports (audited, no ID numbers), scoping (404 outside) and query counts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tongxin.core import rules
from tongxin.core.models import AccessLog
from tongxin.core.testing import person_data
from tongxin.lifecycle.models import DuesCategory, DuesPayment, DuesProfile
from tongxin.lifecycle.services.dues import add_months, current_month, mark_paid, set_dues_profile
from tongxin.people.models import Person
from tongxin.people.services import create_person

pytestmark = pytest.mark.usefixtures("english")

JAN = datetime.date(2025, 1, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_url(branch, month: str = "2025-01", kind: str = "") -> str:
    return f"/lifecycle/dues/{branch.pk}/{month}/" + (f"?kind={kind}" if kind else "")


def pay(branch, people, month=JAN):
    return mark_paid(None, branch=branch, kind="league", month=month, person_ids=[p.pk for p in people],
                     paid_on=datetime.date(2025, 1, 10))  # fmt: skip


def warm_rules() -> None:
    """Fill the shared cache of rule overrides, so a query count does not depend on when the per-process
    copy (one second) runs out: a request then reads the shared cache, not the database."""
    rules.clear_cache()
    rules.rule("league_dues_flat_yuan")


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment")
    data = b"".join(response.streaming_content)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    (name,) = workbook.sheet_names
    return workbook.get_sheet_by_name(name).to_python()


# --- the ledger ---------------------------------------------------------------------------------------------


def test_the_ledger_shows_members_amounts_and_checkboxes(tree, users, client_for):
    worker = create_person(None, person_data(tree.branch_a, name="上班族", occupation="employed"))
    pay(tree.branch_a, [tree.people.a1])

    response = client_for(users.secretary_a).get(ledger_url(tree.branch_a))

    assert response.status_code == 200
    html = response.content.decode()
    for name in (tree.people.a1.name, tree.people.a2.name, worker.name):
        assert name in html
    assert tree.people.b1.name not in html
    assert f'name="person" value="{tree.people.a2.pk}"' in html
    assert f'name="person" value="{tree.people.a1.pk}"' not in html  # paid
    assert f'name="person" value="{worker.pk}"' not in html  # income needed
    assert 'data-testid="income-needed"' in html
    assert "Paid on 2025-01-10" in html
    assert f'href="/lifecycle/dues/{tree.branch_a.pk}/2024-12/?kind=league"' in html
    assert f'href="/lifecycle/dues/{tree.branch_a.pk}/2025-02/?kind=league"' in html
    assert tree.people.a1.id_number not in html


def test_marking_selected_members_paid_from_the_page(tree, users, client_for):
    client = client_for(users.secretary_a)
    p = tree.people
    response = client.post(ledger_url(tree.branch_a, kind="league"),
                           {"person": [p.a1.pk, p.a2.pk], "paid_on": "2025-01-12", "kind": "league"})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == ledger_url(tree.branch_a, kind="league")
    assert set(DuesPayment.objects.values_list("person_id", "month", "paid_on")) == {
        (p.a1.pk, JAN, datetime.date(2025, 1, 12)),
        (p.a2.pk, JAN, datetime.date(2025, 1, 12)),
    }
    page = client.get(response["Location"]).content.decode()
    assert "2 members marked paid for 2025-01." in page


def test_an_already_paid_month_is_shown_as_an_error_and_nothing_is_written(tree, users, client_for):
    p = tree.people
    pay(tree.branch_a, [p.a1])
    response = client_for(users.secretary_a).post(
        ledger_url(tree.branch_a), {"person": [p.a1.pk, p.a2.pk], "paid_on": "2025-01-12"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="errors"' in html and "Already marked paid for 2025-01" in html
    assert DuesPayment.objects.count() == 1
    # The page keeps the selection of the unpaid member.
    assert f'value="{p.a2.pk}" id="p{p.a2.pk}" checked' in html


def test_nothing_selected_or_no_date(tree, users, client_for):
    client = client_for(users.secretary_a)
    assert (
        "Choose at least one member"
        in client.post(ledger_url(tree.branch_a), {"paid_on": "2025-01-12"}).content.decode()
    )
    response = client.post(ledger_url(tree.branch_a), {"person": [tree.people.a1.pk], "paid_on": ""})
    assert response.status_code == 200 and 'data-testid="errors"' in response.content.decode()
    assert not DuesPayment.objects.exists()


def test_taking_back_a_payment_from_the_page(tree, users, client_for):
    (payment,) = pay(tree.branch_a, [tree.people.a1])
    client = client_for(users.secretary_a)
    assert f'name="undo" value="{payment.pk}"' in client.get(ledger_url(tree.branch_a)).content.decode()
    response = client.post(ledger_url(tree.branch_a), {"undo": str(payment.pk)})
    assert response.status_code == 302
    assert not DuesPayment.objects.exists()


def test_a_viewer_sees_the_ledger_but_cannot_mark(tree, users, client_for):
    client = client_for(users.viewer)
    html = client.get(ledger_url(tree.branch_a)).content.decode()
    assert tree.people.a1.name in html and 'name="person"' not in html and "mark-paid" not in html
    response = client.post(ledger_url(tree.branch_a), {"person": [tree.people.a1.pk], "paid_on": "2025-01-12"})
    assert response.status_code == 403
    assert not DuesPayment.objects.exists()


@pytest.mark.parametrize("who", ["secretary_b", "outsider", "member", "nobody"])
def test_branch_a_is_404_outside_the_scope(tree, users, client_for, who):
    client = client_for(getattr(users, who))
    (payment,) = pay(tree.branch_a, [tree.people.a1])
    for url in (ledger_url(tree.branch_a), f"{ledger_url(tree.branch_a)}export/",
                f"/lifecycle/dues/org/{tree.branch_a.pk}/summary/", f"/lifecycle/dues/org/{tree.branch_a.pk}/arrears/",
                f"/lifecycle/dues/person/{tree.people.a1.pk}/profile/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert (
        client.post(ledger_url(tree.branch_a), {"person": [tree.people.a2.pk], "paid_on": "2025-01-12"}).status_code
        == 404
    )
    assert client.post(ledger_url(tree.branch_a), {"undo": str(payment.pk)}).status_code == 404
    assert DuesPayment.objects.count() == 1


def test_a_bad_month_is_404_and_a_committee_goes_to_its_summary(tree, users, client_for):
    client = client_for(users.committee_admin)
    assert client.get(f"/lifecycle/dues/{tree.branch_a.pk}/2025-13/").status_code == 404
    assert client.get(f"/lifecycle/dues/{tree.branch_a.pk}/25-01/").status_code == 404
    response = client.get(ledger_url(tree.committee1))
    assert response.status_code == 302
    assert response["Location"] == f"/lifecycle/dues/org/{tree.committee1.pk}/summary/?month=2025-01&kind=league"


def test_ledger_page_query_count_does_not_grow_with_the_branch(tree, users, client_for):
    client = client_for(users.secretary_a)

    def measure() -> int:
        warm_rules()
        client.get(ledger_url(tree.branch_a))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(ledger_url(tree.branch_a))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    small = measure()
    for i in range(30):
        person = create_person(None, person_data(tree.branch_a, name=f"甲员{i:02d}", occupation="employed"))
        if i % 2:
            set_dues_profile(None, person, DuesCategory.WAGE, Decimal(2000 + 100 * i))
            pay(tree.branch_a, [person])
    assert Person.objects.filter(branch=tree.branch_a).count() == 32
    assert measure() == small
    assert small <= 25, small  # the page: 7 (session and user included), + a COUNT per inbox provider (navbar)


# --- summary, arrears, home ---------------------------------------------------------------------------------


def test_the_summary_page_drills_down_to_children_and_branch_ledgers(tree, users, client_for):
    pay(tree.branch_a, [tree.people.a1])
    client = client_for(users.district)

    html = client.get(f"/lifecycle/dues/org/{tree.root.pk}/summary/?month=2025-01").content.decode()
    assert f'href="/lifecycle/dues/org/{tree.committee1.pk}/summary/?month=2025-01&amp;kind=league"' in html
    html = client.get(f"/lifecycle/dues/org/{tree.committee1.pk}/summary/?month=2025-01&kind=league").content.decode()
    assert f'href="/lifecycle/dues/{tree.branch_a.pk}/2025-01/?kind=league"' in html
    assert "50.0%" in html and "0.20" in html
    assert tree.people.a1.name not in html  # counts only


def test_summary_page_query_count_does_not_grow(tree, users, client_for):
    from tongxin.orgs.models import OrgKind
    from tongxin.orgs.services import create_organization

    client = client_for(users.committee_admin)
    url = f"/lifecycle/dues/org/{tree.committee1.pk}/summary/?month=2025-01"

    def measure() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = measure()
    for i in range(5):
        branch = create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name=f"新支部{i}", code=f"N{i}")
        pay(branch, [create_person(None, person_data(branch, name=f"新{i}"))])
    assert measure() == small


def test_the_arrears_page_lists_members_with_unpaid_months(tree, users, client_for):
    last = add_months(current_month(), -1)
    pay(tree.branch_a, [tree.people.a1], month=last)
    client = client_for(users.committee_admin)

    response = client.get(f"/lifecycle/dues/org/{tree.committee1.pk}/arrears/?months=3")

    html = response.content.decode()
    assert response.status_code == 200
    assert tree.people.a1.name in html and tree.people.a2.name in html and tree.people.b1.name in html
    rows = html.split('data-testid="unpaid-months">')[1:]
    assert sorted(int(r.split("<")[0]) for r in rows) == [2, 3, 3]
    assert tree.people.c1.name not in html


def test_the_dues_home_goes_to_the_users_organisation(tree, users, client_for):
    month = f"{current_month():%Y-%m}"
    response = client_for(users.secretary_a).get("/lifecycle/dues/")
    assert response["Location"] == f"/lifecycle/dues/{tree.branch_a.pk}/{month}/?kind=league"
    response = client_for(users.district).get("/lifecycle/dues/?month=2024-05")
    assert response["Location"] == f"/lifecycle/dues/org/{tree.root.pk}/summary/?month=2024-05&kind=league"
    response = client_for(users.district).get(f"/lifecycle/dues/?org={tree.party_branch.pk}")
    assert response["Location"] == f"/lifecycle/dues/{tree.party_branch.pk}/{month}/?kind=party"
    response = client_for(users.outsider).get(f"/lifecycle/dues/?org={tree.committee1.pk}")
    assert response["Location"].startswith(f"/lifecycle/dues/org/{tree.committee2.pk}/summary/")
    response = client_for(users.nobody).get("/lifecycle/dues/")
    assert response.status_code == 200 and "no organisation role" in response.content.decode()


# --- the profile form -------------------------------------------------------------------------------------


def test_editing_a_persons_dues_basis(tree, users, client_for):
    a1 = tree.people.a1
    client = client_for(users.secretary_a)
    url = f"/lifecycle/dues/person/{a1.pk}/profile/"
    html = client.get(url).content.decode()
    assert "No dues basis recorded yet" in html and "League dues now: 0.20 yuan a month." in html

    response = client.post(url, {"category": "wage", "monthly_income": ""})
    assert response.status_code == 200 and "Enter the monthly income" in response.content.decode()
    assert not DuesProfile.objects.exists()

    back = ledger_url(tree.branch_a)
    response = client.post(url, {"category": "wage", "monthly_income": "8800", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert DuesProfile.objects.get(person=a1).monthly_income == Decimal("8800.00")
    assert "League dues now: 17.00 yuan a month." in client.get(url).content.decode()

    response = client.post(url, {"category": "student", "next": "https://evil.example/"})
    assert response["Location"] == f"/people/{a1.pk}/"
    assert client_for(users.viewer).post(url, {"category": "wage", "monthly_income": "1"}).status_code == 403


# --- exports ------------------------------------------------------------------------------------------------


def test_the_ledger_export_lists_names_amounts_and_is_audited(tree, users, client_for):
    set_dues_profile(None, tree.people.a2, DuesCategory.WAGE, Decimal("4000"))
    pay(tree.branch_a, [tree.people.a1])

    rows = xlsx_rows(client_for(users.secretary_a).get(f"{ledger_url(tree.branch_a)}export/"))

    assert rows[0] == ["Name", "Dues category", "Amount due (yuan)", "Status", "Paid on"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name[tree.people.a1.name][1:4] == ["Student", 0.2, "Paid"]
    assert by_name[tree.people.a1.name][4] == datetime.date(2025, 1, 10)  # a real Excel date
    assert by_name[tree.people.a2.name][1:4] == ["Wage earner", 8.0, "Unpaid"]
    text = str(rows)
    assert tree.people.a1.id_number not in text and tree.people.a1.id_number[-4:] not in text
    log = AccessLog.objects.get()
    assert (log.action, log.actor, log.row_count, log.org_path) == ("export", users.secretary_a, 2, tree.branch_a.path)
    assert log.filters == {"kind": "league", "month": "2025-01"}


def test_the_summary_export_has_the_counts(tree, users, client_for):
    pay(tree.branch_a, [tree.people.a1])
    response = client_for(users.committee_admin).get(
        f"/lifecycle/dues/org/{tree.committee1.pk}/summary/export/?month=2025-01"
    )
    rows = xlsx_rows(response)
    assert rows[0] == ["Organisation", "Members", "Paid", "Unpaid", "Rate", "Collected (yuan)"]
    assert rows[1] == [tree.branch_a.name, 2, 1, 1, 0.5, 0.2]
    assert rows[2] == [tree.branch_b.name, 1, 0, 1, 0.0, 0.0]
    assert rows[3] == ["Total", 3, 1, 2, 1 / 3, 0.2]
    assert not AccessLog.objects.exists()  # no personal data


def test_the_arrears_export_is_audited(tree, users, client_for):
    rows = xlsx_rows(client_for(users.committee_admin).get(f"/lifecycle/dues/org/{tree.committee1.pk}/arrears/export/"))
    assert rows[0] == ["Name", "Branch", "Unpaid months", "Last month paid"]
    assert {row[0] for row in rows[1:]} == {tree.people.a1.name, tree.people.a2.name, tree.people.b1.name}
    assert AccessLog.objects.get().row_count == 3


# --- API ----------------------------------------------------------------------------------------------------


def test_api_marks_lists_filters_and_takes_back(tree, users, api_for):
    api = api_for(users.secretary_a)
    p = tree.people
    body = {"branch": tree.branch_a.pk, "month": "2025-01", "person_ids": [p.a1.pk, p.a2.pk], "paid_on": "2025-01-05"}

    response = api.post("/api/dues-payments/mark-paid/", body, format="json")
    assert response.status_code == 201, response.json()
    assert {r["person_name"] for r in response.json()} == {p.a1.name, p.a2.name}
    assert response.json()[0]["month"] == "2025-01" and response.json()[0]["branch"] == tree.branch_a.pk

    again = api.post("/api/dues-payments/mark-paid/", body, format="json")
    assert again.status_code == 400 and p.a1.name in str(again.json())
    assert DuesPayment.objects.count() == 2

    pay(tree.branch_b, [p.b1], month=datetime.date(2025, 2, 1))
    listing = api_for(users.committee_admin).get("/api/dues-payments/?month=2025-01&kind=league").json()
    assert listing["count"] == 2
    assert api_for(users.committee_admin).get(f"/api/dues-payments/?branch={tree.branch_b.pk}").json()["count"] == 1
    assert api.get("/api/dues-payments/").json()["count"] == 2  # secretary A: branch A only
    assert api.get("/api/dues-payments/?month=2025-13").status_code == 400
    assert api_for(users.outsider).get("/api/dues-payments/").json()["count"] == 0

    payment = DuesPayment.objects.get(person=p.a1)
    assert api_for(users.viewer).delete(f"/api/dues-payments/{payment.pk}/").status_code == 403
    assert api_for(users.secretary_b).delete(f"/api/dues-payments/{payment.pk}/").status_code == 404
    assert api.delete(f"/api/dues-payments/{payment.pk}/").status_code == 204
    assert not DuesPayment.objects.filter(pk=payment.pk).exists()


@pytest.mark.parametrize("who", ["secretary_b", "outsider", "nobody", "viewer"])
def test_api_refuses_marking_branch_a_from_outside(tree, users, api_for, who):
    body = {"branch": tree.branch_a.pk, "month": "2025-01", "person_ids": [tree.people.a1.pk]}
    response = api_for(getattr(users, who)).post("/api/dues-payments/mark-paid/", body, format="json")
    assert response.status_code == 400
    assert "branch" in response.json()
    assert not DuesPayment.objects.exists()


def test_api_list_query_count_does_not_grow(tree, users, api_for):
    api = api_for(users.district)

    def measure() -> int:
        api.get("/api/dues-payments/?kind=league")
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/dues-payments/?kind=league").status_code == 200
        return len(ctx.captured_queries)

    pay(tree.branch_a, [tree.people.a1])
    small = measure()
    for i in range(20):
        pay(tree.branch_b, [create_person(None, person_data(tree.branch_b, name=f"乙员{i}"))])
    assert measure() == small
