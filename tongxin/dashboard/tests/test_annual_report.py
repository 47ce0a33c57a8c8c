"""The annual statistical report: figures of a small tree with a year of changes made through the services,
the year-on-year table and its explanations, the submission, the files, and the refusals (a future year, an
outsider)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.testing import person_data, today
from tongxin.dashboard.report import queries
from tongxin.dashboard.report.models import AnnualReport
from tongxin.dashboard.report.services import submit_report
from tongxin.lifecycle.services.ageout import confirm_age_out
from tongxin.lifecycle.services.dues import mark_paid
from tongxin.orgs.models import OrgKind
from tongxin.orgs.services import create_organization
from tongxin.people.models import Membership, MembershipStatus
from tongxin.people.services import appoint_cadre, create_person, move_member, update_person

pytestmark = pytest.mark.usefixtures("english")  # the tests read labels and messages

YEAR = 2024  # the year reported; 2023 is "last year"; the fixture's own people join today (after both)
D = datetime.date


def joined(branch, on, **data):
    return create_person(None, person_data(branch, **data), since=on, reason=Membership.Reason.JOINED)


@pytest.fixture
def year_of_changes(tree):
    """Committee 1 through 2023 and 2024 (the fixture's people joined today, later than both years):

    * in 2023: p1, p2, p3 join branch A; p4 joins branch B; branch A's secretary p1 is appointed;
    * in 2024: p5 joins branch A; p2 transfers from A to B; p3 transfers out to committee 2's branch C;
      p6 (born 1990) was registered in branch B in 2020 and ages out on 2024-06-01; p4 leaves;
      league dues: p1 pays 0.20 for two months.
    """
    a, b = tree.branch_a, tree.branch_b
    people = {
        "p1": joined(a, D(2023, 3, 1)), "p2": joined(a, D(2023, 4, 1)), "p3": joined(a, D(2023, 5, 1)),
        "p4": joined(b, D(2023, 6, 1)),
        "p6": create_person(None, person_data(b, birth=D(1990, 1, 1)), since=D(2020, 1, 1)),
    }  # fmt: skip
    appoint_cadre(None, person=people["p1"], organization=a, title="secretary", start=D(2023, 3, 1))
    people["p5"] = joined(a, D(2024, 2, 1))
    with transaction.atomic():
        move_member(None, people["p2"], branch=b, reason=Membership.Reason.TRANSFER, on=D(2024, 3, 1))
        move_member(None, people["p3"], branch=tree.branch_c, reason=Membership.Reason.TRANSFER, on=D(2024, 4, 1))
        move_member(None, people["p4"], status=MembershipStatus.LEFT, reason=Membership.Reason.LEFT, on=D(2024, 9, 1))
    confirm_age_out(None, person_ids=[people["p6"].pk], on=D(2024, 6, 1))
    for month in (1, 2):
        mark_paid(None, branch=a, kind="league", month=D(2024, month, 1), person_ids=[people["p1"].pk],
                  paid_on=D(2024, month, 10))  # fmt: skip
    return people


def row(report, name):
    return next(r for r in report["members"]["rows"] if r["name"] == name)


def test_the_figures_of_a_year_of_changes(tree, year_of_changes):
    report = queries.annual_report(tree.committee1, YEAR)
    a, b, total = row(report, "甲团支部"), row(report, "乙团支部"), report["members"]["total"]
    # branch A: p1, p2, p3 at the start; p5 joined; p2 (to B) and p3 (to C) transferred out: p1 and p5 remain
    assert (a["start"], a["joined"], a["transferred_in"], a["transferred_out"], a["end"]) == (3, 1, 0, 2, 2)
    # branch B: p4 and p6 at the start; p2 transferred in; p6 aged out; p4 left: p2 remains
    assert (b["start"], b["transferred_in"], b["aged_out"], b["left"], b["end"]) == (2, 1, 1, 1, 1)
    # committee 1: the move from A to B is out of one row and into the other, but inside the committee: the
    # total counts only p3's transfer out to committee 2, across its border
    assert (total["start"], total["joined"], total["transferred_in"], total["transferred_out"]) == (5, 1, 0, 1)
    assert (total["aged_out"], total["left"], total["lapsed"], total["end"]) == (1, 1, 0, 3)
    assert report["members"]["internal_transfers"] == {"transferred_out": 1, "transferred_in": 1}
    assert report["cadres"]["total"] == 1 and [r["key"] for r in report["cadres"]["by_title"]] == ["secretary"]
    assert report["dues"]["amount"] == "0.40" and report["dues"]["payments"] == 2
    kinds = {r["key"]: r["count"] for r in report["organizations"]["by_kind"]}
    assert kinds == {OrgKind.COMMITTEE: 1, OrgKind.BRANCH: 2}
    assert all(check["ok"] for check in report["checks"]), report["checks"]
    # the district's report: committee 2 gained p3 by the transfer, committee 1 lost it; both moves stay inside
    # the district, so its total counts no transfer
    district = queries.annual_report(tree.root, YEAR)
    c1, c2, total = row(district, "第一团委"), row(district, "第二团委"), district["members"]["total"]
    assert (c1["transferred_out"], c1["transferred_in"], c2["transferred_in"], c2["end"]) == (1, 0, 1, 1)
    assert (total["transferred_in"], total["transferred_out"], total["end"]) == (0, 0, 4)
    assert all(check["ok"] for check in district["checks"]), district["checks"]


def test_the_year_on_year_table_marks_the_decreases(tree, year_of_changes):
    report = queries.annual_report(tree.committee1, YEAR)
    compared = {r["key"]: r for r in report["comparison"]}
    assert (compared["members_end"]["this_year"], compared["members_end"]["last_year"]) == (3, 5)
    assert compared["members_end"]["decrease"] and compared["joined"]["decrease"]  # 4 joined in 2023, 1 in 2024
    assert not compared["dues"]["decrease"] and compared["dues"]["change"] == "0.40"
    assert [r["key"] for r in queries.decreases(report)] == ["members_end", "joined"]


def test_a_decrease_without_an_explanation_is_refused_naming_the_row(tree, users, year_of_changes):
    with pytest.raises(DomainError) as refused:
        submit_report(users.committee_admin, tree.committee1, year=YEAR, explanations={"members_end": "超龄离团与转出"})
    assert "Members joined" in str(refused.value) and "Members at the end" not in str(refused.value)
    assert not AnnualReport.objects.exists()


def test_a_submission_stores_the_figures_and_the_explanations_with_an_audit_entry(tree, users, year_of_changes):
    submission = submit_report(users.committee_admin, tree.committee1, year=YEAR,
                               explanations={"members_end": "超龄离团与转出", "joined": "发展放缓",
                                             "dues": "not a decrease: dropped"})  # fmt: skip
    assert submission.explanations == {"members_end": "超龄离团与转出", "joined": "发展放缓"}
    assert submission.figures["members"]["total"]["end"] == 3 and submission.submitted_by == users.committee_admin
    entry = ChangeLog.objects.get(content_type__model="annualreport", object_id=str(submission.pk))
    assert entry.org_path == tree.committee1.path
    # figures change later; the submitted ones stay as submitted
    joined(tree.branch_a, D(2024, 12, 1))
    submission.refresh_from_db()
    assert submission.figures["members"]["total"]["end"] == 3
    assert queries.annual_report(tree.committee1, YEAR)["members"]["total"]["end"] == 4


def test_submitting_on_the_page_and_the_api(client, api_for, tree, users, year_of_changes):
    client.force_login(users.committee_admin)
    url = reverse("dashboard:report_submit", args=[tree.committee1.pk])
    page = client.post(url, {"year": YEAR, "explain_members_end": "超龄离团与转出"}, follow=True)
    assert "Members joined" in page.content.decode() and not AnnualReport.objects.exists()
    api = api_for(users.committee_admin)
    body = {"year": YEAR, "explanations": {"members_end": "超龄", "joined": "放缓"}}
    answer = api.post(reverse("annual-report-submit", args=[tree.committee1.pk]), body, format="json")
    assert answer.status_code == 200 and answer.json()["explanations"] == {"members_end": "超龄", "joined": "放缓"}
    detail = api.get(reverse("annual-report-detail", args=[tree.committee1.pk]), {"year": YEAR}).json()
    assert detail["members"]["total"]["end"] == 3 and detail["submission"]["year"] == YEAR


def test_a_future_year_is_refused_not_an_error(client, api_for, tree, users):
    client.force_login(users.committee_admin)
    future = today().year + 1
    page = client.get(reverse("dashboard:report", args=[tree.committee1.pk]), {"year": future})
    assert page.status_code == 400 and "has not begun" in page.content.decode()
    assert client.get(reverse("dashboard:report_xlsx", args=[tree.committee1.pk]), {"year": future}).status_code == 400
    api = api_for(users.committee_admin)
    answer = api.get(reverse("annual-report-detail", args=[tree.committee1.pk]), {"year": future})
    assert answer.status_code == 400 and "year" in answer.json()
    answer = api.post(reverse("annual-report-submit", args=[tree.committee1.pk]), {"year": future}, format="json")
    assert answer.status_code == 400 and not AnnualReport.objects.exists()


def test_a_year_without_data_is_an_empty_report(client, tree, users):
    client.force_login(users.committee_admin)
    page = client.get(reverse("dashboard:report", args=[tree.committee1.pk]), {"year": 2001})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="empty"' in body
    assert "No figure is negative" in body and "report.xlsx?year=2001" in body  # the checks, before the files
    report = page.context["report"]
    assert report["empty"] and report["members"]["total"]["end"] == 0 and report["dues"]["amount"] == "0.00"
    assert all(check["ok"] for check in report["checks"])


@pytest.mark.parametrize("route", ["dashboard:report", "dashboard:report_xlsx", "dashboard:report_pdf"])
def test_an_outsider_gets_404(client, api_for, tree, users, route):
    client.force_login(users.outsider)
    assert client.get(reverse(route, args=[tree.committee1.pk])).status_code == 404
    assert client.post(reverse("dashboard:report_submit", args=[tree.committee1.pk]), {"year": 2024}).status_code == 404
    api = api_for(users.outsider)
    assert api.get(reverse("annual-report-detail", args=[tree.committee1.pk])).status_code == 404
    assert api.post(reverse("annual-report-submit", args=[tree.committee1.pk]), {"year": 2024},
                    format="json").status_code == 404  # fmt: skip
    assert not AnnualReport.objects.exists()


def test_the_excel_file_has_the_fixed_layout(client, tree, users, year_of_changes):
    client.force_login(users.committee_admin)
    response = client.get(reverse("dashboard:report_xlsx", args=[tree.committee1.pk]), {"year": YEAR})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_name(str(YEAR)).to_python()
    assert rows[0][0] == "Annual statistical report 2024" and rows[1][1] == "第一团委" and rows[2][1] == YEAR
    assert rows[4][:2] == ["Organisation", "Members at the start of the year"] and rows[4][-1] == (
        "Members at the end of the year"
    )
    assert rows[5][0] == "甲团支部" and rows[5][1:] == [3, 1, 0, 0, 2, 0, 0, 0, 0, 2]
    assert rows[7][0] == "Total" and rows[7][1] == 5 and rows[7][-1] == 3
    dues = next(i for i, r in enumerate(rows) if r[0] == "Dues collected")
    assert rows[dues + 2][:3] == ["League dues", 0.4, 2]


def test_the_pdf_is_produced(client, tree, users, year_of_changes):
    client.force_login(users.committee_admin)
    response = client.get(reverse("dashboard:report_pdf", args=[tree.committee1.pk]), {"year": YEAR})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and b"STSong-Light" in content
    assert response["Content-Disposition"] == f'attachment; filename="annual-report-T1-{YEAR}.pdf"'


def test_the_query_count_does_not_grow_with_the_people(tree, year_of_changes):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            queries.annual_report(tree.committee1, YEAR)
        return len(captured)

    before = count()
    extra = create_organization(None, parent=tree.committee1, kind=OrgKind.BRANCH, name="丙新团支部", code="T1X")
    for i in range(8):
        joined(extra if i % 2 else tree.branch_a, D(2024, 5, 1 + i))
    assert count() == before <= 12
    assert queries.annual_report(tree.committee1, YEAR)["members"]["total"]["joined"] == 9


def test_dues_amounts_are_exact(tree, year_of_changes):
    dues = queries.annual_report(tree.committee1, YEAR)["dues"]
    assert Decimal(dues["amount"]) == Decimal("0.40") and dues["by_kind"][0]["key"] == "league"


def test_the_api_lists_the_reports_submitted_in_scope(api_for, tree, users, year_of_changes):
    submit_report(users.committee_admin, tree.committee1, year=YEAR,
                  explanations={"members_end": "超龄离团与转出", "joined": "发展放缓"})  # fmt: skip
    rows = api_for(users.district).get(reverse("annual-report-list"), {"year": YEAR}).json()
    assert [(r["organization_name"], r["year"]) for r in rows] == [("第一团委", YEAR)]
    assert api_for(users.outsider).get(reverse("annual-report-list"), {"year": YEAR}).json() == []
    assert api_for(users.district).get(reverse("annual-report-list"), {"year": "abc"}).status_code == 400


def test_a_member_who_leaves_through_the_edit_form_counts_as_left(tree, users):
    leaver = joined(tree.branch_a, D(2023, 3, 1))
    update_person(users.committee_admin, leaver, {"status": MembershipStatus.LEFT})  # the form's call: no reason
    year = today().year
    a = row(queries.annual_report(tree.committee1, year, today()), "甲团支部")
    assert (a["left"], a["other_out"]) == (1, 0)


def test_the_total_counts_transfers_across_the_border_only(client, tree, users, year_of_changes):
    """p7 transfers from committee 2's branch C into branch A (in across committee 1's border), then on to branch
    B (inside it); p1 transfers out of the system (across it, no next stay)."""
    p7 = joined(tree.branch_c, D(2023, 2, 1))
    with transaction.atomic():
        move_member(None, p7, branch=tree.branch_a, reason=Membership.Reason.TRANSFER, on=D(2024, 5, 1))
        move_member(None, p7, branch=tree.branch_b, reason=Membership.Reason.TRANSFER, on=D(2024, 7, 1))
        move_member(None, year_of_changes["p1"], status=MembershipStatus.TRANSFERRED_OUT,
                    reason=Membership.Reason.TRANSFER, on=D(2024, 8, 1))  # fmt: skip
    report = queries.annual_report(tree.committee1, YEAR)
    a, b, total = row(report, "甲团支部"), row(report, "乙团支部"), report["members"]["total"]
    assert (a["transferred_in"], a["transferred_out"], b["transferred_in"]) == (1, 4, 2)  # every row's border
    # across committee 1's border: p7 in; p3 (to C) and p1 (out of the system) out
    assert (total["transferred_in"], total["transferred_out"], total["end"]) == (1, 2, 3)
    assert report["members"]["internal_transfers"] == {"transferred_out": 2, "transferred_in": 2}  # p2, p7 A → B
    assert all(check["ok"] for check in report["checks"]), report["checks"]
    client.force_login(users.committee_admin)
    page = client.get(reverse("dashboard:report", args=[tree.committee1.pk]), {"year": YEAR}).content.decode()
    assert 'data-testid="internal-transfers"' in page and "2 transfers out and 2 transfers in" in page
    # for the district every one of them but p1's is inside; its row of committee 1 is committee 1's total
    district = queries.annual_report(tree.root, YEAR)
    assert (district["members"]["total"]["transferred_in"], district["members"]["total"]["transferred_out"]) == (0, 1)
    assert {key: row(district, "第一团委")[key] for key in queries.MEMBER_KEYS} == total
