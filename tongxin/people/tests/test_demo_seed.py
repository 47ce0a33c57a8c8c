"""The demo district (``seed_demo``): its 1x shape, valid generated data, the same output for the same
seed, one run only, the demo accounts with their scopes, and the story the boards tell (issue 13): a year of
meetings mostly held, dues mostly paid, a few members who may have lapsed, consent for most minors, transfers
and recruitments under way, names that fit the sex in the ID number.

Seeding takes a while, so one test seeds twice (the first run rolled back, for the comparison) and checks
everything on the second run's data.
"""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Sum
from django.http import HttpRequest
from django.utils import timezone
from faker.providers.person.zh_CN import Provider as ZhNames

from tongxin.accounts.models import User
from tongxin.core import bulkload
from tongxin.core.bounds import history_window, plan_window
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE
from tongxin.lifecycle.dues_queries import monthly_summary
from tongxin.lifecycle.models import DuesKind, DuesPayment, Recruitment, RecruitmentStage, Transfer, TransferStatus
from tongxin.lifecycle.services.transfers import waiting_for
from tongxin.orglife.lapse import lapse_candidates
from tongxin.orglife.models import Attendance, ChecklistItem, ChecklistStatus, Meeting, MeetingStatus
from tongxin.orglife.queries import compliance_board
from tongxin.orgs.models import Organization, OrgKind, OrgStats
from tongxin.people.demo import DEMO_PASSWORD, build_demo
from tongxin.people.models import CadrePosition, Person
from tongxin.people.tests.helpers import roster_total
from tongxin.people.validators import age_on, check_id_number, check_league_join
from tongxin.privacy.models import ConsentRecord
from tongxin.privacy.services import birth_cutoff, minors_lacking_consent

pytestmark = pytest.mark.usefixtures("english")

TOTAL_PEOPLE = 13_388
LEAGUE_MEMBERS = 13_373


def first_names() -> list[str]:
    return list(Person.objects.order_by("id").values_list("name", flat=True)[:20])


def fingerprint() -> dict[str, Any]:
    """What seed_demo wrote, without database ids (PostgreSQL does not roll its sequences back)."""
    return {
        "people": list(Person.objects.order_by("id").values_list("name", "sex", "birth_date", "branch__name")),
        "meetings": sorted(
            Meeting.objects.values_list("organization__name", "kind", "status", "starts_at", "expected", "present")
        ),
        "attendance": sorted(Attendance.objects.values("status").annotate(n=Count("id")).values_list("status", "n")),
        "demo_branch_attendance": sorted(
            Attendance.objects.filter(meeting__organization__role_assignments__user__username="secretary").values_list(
                "meeting__starts_at", "person__name", "status", "reason"
            )
        ),
        "dues": sorted(
            DuesPayment.objects.values("month", "paid_on").annotate(n=Count("id"), s=Sum("amount"))
            .values_list("month", "paid_on", "n", "s")
        ),
        "consents": sorted(ConsentRecord.objects.values_list("person__name", "given_by", "given_on", "guardian_name")),
        "transfers": sorted(Transfer.objects.values_list("person__name", "status", "from_org__name", "to_org__name")),
        "recruitments": sorted(Recruitment.objects.values_list("name", "stage", "applied_on")),
        "items": sorted(ChecklistItem.objects.values_list("organization__name", "kind", "content", "status")),
    }  # fmt: skip


def check_shape(today: datetime.date) -> None:
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds == {
        OrgKind.LOCAL_COMMITTEE: 1,
        OrgKind.COMMITTEE: 32,
        OrgKind.WORKING_COMMITTEE: 12,
        OrgKind.GENERAL_BRANCH: 86,
        OrgKind.BRANCH: 576,
        OrgKind.PARTY_BRANCH: 1,
    }
    root = Organization.objects.get(parent=None)
    assert root.name == "共青团昆明市西山区委员会"

    # League members, all in branches of 3 to 50.
    league = Person.objects.filter(branch__kind=OrgKind.BRANCH)
    assert league.count() == LEAGUE_MEMBERS
    sizes = list(league.values("branch").annotate(n=Count("id")).values_list("n", flat=True))
    assert len(sizes) == 576
    assert min(sizes) >= 3 and max(sizes) <= 50

    # The organ's party branch, paired with the root, with about 15 party members.
    party_branch = Organization.objects.get(kind=OrgKind.PARTY_BRANCH)
    assert party_branch.parent == root
    assert party_branch.paired_org == root and root.paired_org == party_branch
    party = list(Person.objects.filter(branch=party_branch))
    assert 10 <= len(party) <= 20
    assert {p.political_status for p in party} <= {"01", "02"}
    assert all(p.party_join_date and p.party_join_date > p.birth_date for p in party)
    assert Person.objects.count() == LEAGUE_MEMBERS + len(party) == TOTAL_PEOPLE

    # Every person passes the rules the forms apply.
    rows = list(
        Person.objects.values_list(
            "id_number", "birth_date", "sex", "league_join_date", "league_number", "branch__kind", "phone"
        )
    )
    numbers = []
    for id_number, birth, sex, join, number, kind, phone in rows:
        assert check_id_number(id_number) == id_number
        assert int(id_number[6:14]) == int(f"{birth:%Y%m%d}")
        assert sex == ("1" if int(id_number[16]) % 2 else "2")
        if kind == OrgKind.BRANCH:
            assert 14 <= age_on(birth, today) <= 27, (id_number, birth)
        try:
            check_league_join(birth, join, number)
        except DomainError as exc:  # pragma: no cover - the message says which rule
            pytest.fail(f"{id_number}: {exc}")
        if join is not None and join.year >= 2017:
            assert number and number.startswith(str(join.year)), (join, number)
        if number:
            numbers.append(number)
            assert join is not None and number[:4] == str(join.year)
        assert phone and len(phone) == 11
    assert len(numbers) == len(set(numbers)) > 0

    # A secretary for every branch; the roll-ups hold the whole district.
    assert CadrePosition.objects.filter(organization__kind=OrgKind.BRANCH, title="secretary").count() == 576
    assert OrgStats.objects.get(pk=root.pk).members_total == TOTAL_PEOPLE


def check_accounts(client, api_for) -> None:
    root = Organization.objects.get(parent=None)
    district, committee, secretary, member = (
        User.objects.get(username=name) for name in ("district", "committee", "secretary", "member")
    )

    assert client.login(request=HttpRequest(), username="district", password=DEMO_PASSWORD)
    assert roster_total(client.get("/people/")) == TOTAL_PEOPLE
    assert Person.objects.visible_to(district).count() == TOTAL_PEOPLE
    assert api_for(district).get("/api/people/").json()["count"] == TOTAL_PEOPLE
    assert district.role_assignments.get().organization == root

    committee_org = committee.role_assignments.get().organization
    assert committee_org.kind == OrgKind.COMMITTEE and committee_org.parent == root
    in_committee = Person.objects.filter(org_path__startswith=committee_org.path)
    assert 0 < Person.objects.visible_to(committee).count() == in_committee.count() < TOTAL_PEOPLE

    # The viewer reads the committee's subtree and may change nothing in it.
    viewer = User.objects.get(username="viewer")
    assert [(a.organization, a.role) for a in viewer.role_assignments.all()] == [(committee_org, "viewer")]
    assert Person.objects.visible_to(viewer).count() == in_committee.count()
    assert not Person.objects.visible_to(viewer, CHANGE).exists()

    # The secretary sees her branch, where she is the secretary.
    branch = secretary.role_assignments.get().organization
    assert secretary.person is not None and member.person is not None
    assert branch.kind == OrgKind.BRANCH and branch.path.startswith(committee_org.path)
    assert secretary.person.branch == branch
    assert CadrePosition.objects.filter(organization=branch, person=secretary.person, title="secretary").exists()
    visible = Person.objects.visible_to(secretary)
    assert set(visible.values_list("branch", flat=True)) == {branch.pk}
    assert visible.count() == Person.objects.filter(branch=branch).count()
    client.logout()
    assert client.login(request=HttpRequest(), username="secretary", password=DEMO_PASSWORD)
    assert roster_total(client.get("/people/")) == visible.count()

    # The member sees himself only.
    assert list(Person.objects.visible_to(member)) == [member.person]
    assert not member.role_assignments.exists()
    client.logout()
    assert client.login(request=HttpRequest(), username="member", password=DEMO_PASSWORD)
    assert client.get(f"/people/{member.person.pk}/").status_code == 200
    assert client.get(f"/people/{secretary.person.pk}/").status_code == 404
    assert client.get("/people/").status_code == 404
    body = api_for(member).get("/api/people/").json()
    assert [row["id"] for row in body["results"]] == [member.person.pk]


def given_name_fits_sex(name: str, sex: str) -> bool:
    """Whether ``name`` is a surname and a given name of the sex ``sex`` (Faker's zh_CN lists, which the demo
    draws from): 周建国 fits "1" (male), not "2"."""
    given = set(ZhNames.first_names_male if sex == "1" else ZhNames.first_names_female)
    return any(name[:k] in ZhNames.last_names and name[k:] in given for k in (1, 2))


def check_story(today: datetime.date) -> None:
    district, committee, secretary = (User.objects.get(username=u) for u in ("district", "committee", "secretary"))
    root = Organization.objects.get(parent=None)
    branch = secretary.role_assignments.get().organization

    # Names fit the sex in the ID number (the 17th digit), for the people and the applicants.
    people = list(Person.objects.values_list("name", "sex"))
    misfits = [(name, sex) for name, sex in people if not given_name_fits_sex(name, sex)]
    assert not misfits, misfits[:10]
    applicants = [(r.name, "1" if int(r.id_number[16]) % 2 else "2") for r in Recruitment.objects.all()]
    assert applicants and all(given_name_fits_sex(name, sex) for name, sex in applicants), applicants

    # 一表通: the district mostly compliant, some organisations lagging; the demo branch is not failing.
    board = compliance_board(district, root, year=today.year)
    assert board.total.rate is not None and 0.7 <= board.total.rate <= 0.95, board.total.as_dict()
    assert board.total.overdue > 0  # the lagging and failing ones
    rates = [row.total.rate for row in board.rows if row.total.rate is not None]
    assert min(rates) < 0.8 < max(rates), rates
    own = compliance_board(secretary, branch, year=today.year)
    assert own.total.rate is not None and own.total.rate >= 0.8
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert (
        held.count() > 10 * Meeting.objects.filter(status=MeetingStatus.PLANNED, starts_at__lt=timezone.now()).count()
    )
    # Every meeting is dated in today's plan window, none recorded as held in the future.
    window = plan_window(today)
    assert all(timezone.localdate(day) in window for day in Meeting.objects.values_list("starts_at", flat=True))
    assert not held.filter(starts_at__gt=timezone.now()).exists()
    # The demo branch's meetings were entered by the secretary, through the service (a ChangeLog row each).
    mine = Meeting.objects.filter(organization=branch)
    assert mine.exists() and set(mine.values_list("created_by", flat=True)) == {secretary.pk}
    assert ChangeLog.objects.filter(actor=secretary, object_repr__in=[str(m) for m in mine]).exists()

    # Possibly lapsed (自行脱团): a few in the district, two in the secretary's branch, neither she nor her
    # organisation committee member.
    lapsed = lapse_candidates(district, root)
    league = Person.objects.filter(political_status="03", status="active").count()
    assert 0 < lapsed.count() < 0.03 * league
    in_branch = set(lapse_candidates(secretary, branch).values_list("pk", flat=True))
    assert 1 <= len(in_branch) <= 3
    committee_members = set(CadrePosition.objects.filter(organization=branch).values_list("person_id", flat=True))
    assert secretary.person_id in committee_members and len(committee_members) >= 2
    assert not in_branch & committee_members

    # Dues: last month mostly paid, with some arrears; every payment dated on or before today.
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    summary = monthly_summary(root, DuesKind.LEAGUE, last_month).total
    assert summary.rate is not None and 0.85 < summary.rate < 1, (summary.paid, summary.members)
    assert not DuesPayment.objects.filter(paid_on__gt=today).exists()

    # Consent for most minors, not all.
    minors = Person.objects.filter(status="active", birth_date__gt=birth_cutoff(today, 18)).count()
    lacking = minors_lacking_consent(district).count()
    assert minors > 1000 and 0 < lacking < 0.15 * minors
    assert all(on in history_window(today) for on in ConsentRecord.objects.values_list("given_on", flat=True))

    # Transfers and recruitments under way, waiting for the demo accounts; nobody acted on his own case.
    open_transfers = Transfer.objects.filter(status__in=[TransferStatus.PENDING_OUT, TransferStatus.PENDING_IN])
    assert open_transfers.count() >= 5
    assert waiting_for(secretary).exists() and waiting_for(committee).exists()
    assert Transfer.objects.filter(status=TransferStatus.COMPLETED).exists()
    own_people = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
    assert not Transfer.objects.filter(person_id__in=own_people).exists()
    stages = set(Recruitment.objects.values_list("stage", flat=True))
    assert {RecruitmentStage.APPLIED, RecruitmentStage.ACTIVIST, RecruitmentStage.CANDIDATE} <= stages
    assert RecruitmentStage.APPROVED not in stages

    # The four lists: items at the committee and the branch, one closed by someone other than who asked.
    items = ChecklistItem.objects.filter(organization__in=[branch, committee.role_assignments.get().organization])
    assert items.count() >= 5
    closed = items.get(status=ChecklistStatus.CLOSED)
    assert closed.verified_by == committee and closed.created_by == secretary


def test_seed_demo(db, client, api_for):
    today = timezone.localdate()
    # On PostgreSQL the seed loads without the foreign keys and adds them back (core.bulkload): as they were.
    keys = bulkload.foreign_keys()

    # A first run, rolled back, for comparison: the same seed gives the same district, year and people.
    with transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        names = first_names()
        first = fingerprint()
        transaction.set_rollback(True)
    assert not Organization.objects.exists() and not Person.objects.exists()
    assert len(names) == 20 and len(set(names)) > 10

    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert first_names() == names
    assert fingerprint() == first
    assert "13388 people" in printed
    for username in ("district", "committee", "secretary", "viewer", "member"):
        assert f"  {username}" in printed
    assert DEMO_PASSWORD in printed

    assert bulkload.foreign_keys() == keys
    check_shape(today)
    check_accounts(client, api_for)
    check_story(today)

    # A second run is refused and changes nothing; with --if-empty it only prints the accounts.
    before = (Organization.objects.count(), Person.objects.count(), User.objects.count())
    with pytest.raises(CommandError, match="already holds organisations"):
        call_command("seed_demo", stdout=StringIO())
    again = StringIO()
    call_command("seed_demo", "--if-empty", stdout=again)
    assert "Demo accounts" in again.getvalue()
    assert DEMO_PASSWORD in again.getvalue()
    for username in ("district", "committee", "secretary", "member"):
        assert f"  {username}" in again.getvalue()
    assert "seeded" not in again.getvalue()
    assert (Organization.objects.count(), Person.objects.count(), User.objects.count()) == before


def test_seed_demo_refuses_a_scale_below_one(db):
    with pytest.raises(CommandError, match="--scale must be 1 or more"):
        call_command("seed_demo", "--scale", "0", stdout=StringIO())
    assert not Organization.objects.exists()


def test_build_demo_refuses_a_tree_that_is_not_empty(tree):
    with pytest.raises(RuntimeError, match="not empty"):
        build_demo()
    assert Organization.objects.count() == 8


@pytest.mark.parametrize("today", [datetime.date(2024, 2, 29), datetime.date(2025, 6, 30)])
def test_demo_people_can_be_generated_on_any_day(today, db):
    """The generator's dates are valid on 29 February too (no database needed for one person)."""
    from tongxin.people.demo import _Builder

    builder = _Builder(1, 2026, today, lambda _m: None)
    branch = Organization(path="0000000100000002", kind=OrgKind.BRANCH)
    for _ in range(50):
        person, since = builder.person(branch)
        assert check_id_number(person.id_number) == person.id_number
        assert 14 <= age_on(person.birth_date, today) <= 27
        assert person.league_join_date is not None and since <= today
        check_league_join(person.birth_date, person.league_join_date, person.league_number)
