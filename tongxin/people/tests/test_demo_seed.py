"""The demo district (``seed_demo``): its 1x shape, valid generated data, the same output for the same
seed, one run only, and the demo accounts with their scopes.

Seeding takes several seconds, so one test seeds once and checks everything on that data.
"""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.core.exceptions import DomainError
from tongxin.orgs.models import Organization, OrgKind, OrgStats
from tongxin.people.demo import DEMO_PASSWORD, build_demo
from tongxin.people.models import CadrePosition, Person
from tongxin.people.tests.helpers import roster_total
from tongxin.people.validators import age_on, check_id_number, check_league_join

pytestmark = pytest.mark.usefixtures("english")

TOTAL_PEOPLE = 13_388
LEAGUE_MEMBERS = 13_373


def first_names() -> list[str]:
    return list(Person.objects.order_by("id").values_list("name", flat=True)[:20])


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


def test_seed_demo(db, client, api_for):
    today = timezone.localdate()

    # A first run, rolled back, for comparison: the same seed gives the same people.
    with transaction.atomic():
        build_demo(seed=2026, today=today)
        names = first_names()
        transaction.set_rollback(True)
    assert not Organization.objects.exists() and not Person.objects.exists()
    assert len(names) == 20 and len(set(names)) > 10

    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert first_names() == names
    assert "13388 people" in printed
    for username in ("district", "committee", "secretary", "member"):
        assert f"  {username}" in printed
    assert DEMO_PASSWORD in printed

    check_shape(today)
    check_accounts(client, api_for)

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
