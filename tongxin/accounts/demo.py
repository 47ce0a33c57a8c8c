"""The demo accounts (password ``tongxin-demo``) on top of the demo district: the seed_demo step registered in
``AccountsConfig.ready()`` (``seed`` after the people step, ``describe`` the accounts).

Each role has one: the district and a committee administrator, a branch secretary, a viewer (the school's
party liaison, who reads the committee's subtree and changes nothing) and a member with no role."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.core.codes import PoliticalStatus
from tongxin.core.registry import DemoRun
from tongxin.orgs.models import Organization, OrgKind
from tongxin.people.demo import DEMO_PASSWORD
from tongxin.people.models import CadrePosition, CadreTitle, MembershipStatus, Person

DEMO_USERNAMES = ("district", "committee", "secretary", "viewer", "member")


def create_demo_accounts(root: Organization) -> None:
    committee = Organization.objects.filter(parent=root, kind=OrgKind.COMMITTEE).order_by("path").first()
    assert committee is not None
    branch = Organization.objects.in_subtree(committee.path).filter(kind=OrgKind.BRANCH).order_by("path").first()
    assert branch is not None
    secretary_person = (
        CadrePosition.objects.filter(organization=branch, title=CadreTitle.SECRETARY).select_related("person").first()
    )
    assert secretary_person is not None
    member_person = Person.objects.filter(branch=branch).exclude(pk=secretary_person.person_id).order_by("id").first()
    assert member_person is not None
    district = User.objects.create_user("district", password=DEMO_PASSWORD, first_name="区团委管理员")
    RoleAssignment.objects.create(user=district, organization=root, role=Role.ADMIN)
    committee_user = User.objects.create_user("committee", password=DEMO_PASSWORD, first_name="团委管理员")
    RoleAssignment.objects.create(user=committee_user, organization=committee, role=Role.ADMIN)
    secretary = User.objects.create_user(
        "secretary",
        password=DEMO_PASSWORD,
        first_name=secretary_person.person.name,
        person=secretary_person.person,
    )
    RoleAssignment.objects.create(user=secretary, organization=branch, role=Role.SECRETARY)
    viewer = User.objects.create_user("viewer", password=DEMO_PASSWORD, first_name="学校党委联络员")
    RoleAssignment.objects.create(user=viewer, organization=committee, role=Role.VIEWER)
    User.objects.create_user("member", password=DEMO_PASSWORD, first_name=member_person.name, person=member_person)


def describe_demo_accounts() -> str:
    lines = [_("Demo accounts (password: %(pw)s):") % {"pw": DEMO_PASSWORD}]
    for user in User.objects.filter(username__in=DEMO_USERNAMES).order_by("id"):
        assignment = user.role_assignments.select_related("organization").first()
        if assignment:
            where = f"{assignment.get_role_display()} · {assignment.organization.name}"
        else:
            where = _("member · own profile only (%(name)s)") % {"name": user.person.name if user.person else ""}
        lines.append(f"  {user.username:<10} {where}")
    return "\n".join(lines)


def seed(run: DemoRun) -> None:
    create_demo_accounts(run.results["people"].root)


def describe() -> str:
    return describe_demo_accounts()


# --- what the feature apps' demo steps share: who acts, and who has drifted away --------------------------------


@dataclass(frozen=True)
class DemoActors:
    """The demo accounts as the actors of the feature apps' demo records: each record is written by the
    account whose scope it lies in (the secretary in her branch, the committee admin in his committee, the
    district admin elsewhere), as a user of that account could have entered it."""

    district: User
    committee: User
    secretary: User
    member: User
    committee_path: str
    branch: Organization

    def for_path(self, path: str) -> User:
        """The narrowest demo account whose scope holds ``path``."""
        if path.startswith(self.branch.path):
            return self.secretary
        if path.startswith(self.committee_path):
            return self.committee
        return self.district

    @property
    def people(self) -> set[int]:
        """Persons behind the demo accounts (the secretary, the member)."""
        return {pk for pk in (self.secretary.person_id, self.member.person_id) if pk is not None}


def demo_actors() -> DemoActors:
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("person")}
    committee = users["committee"].role_assignments.select_related("organization").get().organization
    branch = users["secretary"].role_assignments.select_related("organization").get().organization
    return DemoActors(
        users["district"], users["committee"], users["secretary"], users["member"], committee.path, branch
    )


# Share of league members who drifted away (no dues, no meetings for months): what the lapse list shows.
DRIFTING_SHARE = 0.02
# In the demo secretary's branch: a few, never a cadre nor a demo account's person.
DRIFTING_IN_DEMO_BRANCH = 2


def drifting_members(seed: int, today: datetime.date) -> dict[int, datetime.date]:
    """Person id → the first month they stopped paying dues and attending meetings (7 to 11 months ago), for
    a deterministic ~2% of the league members who joined before that, none of them a cadre or a demo
    account's person; exactly :data:`DRIFTING_IN_DEMO_BRANCH` of them in the demo secretary's branch.

    The dues step (lifecycle) and the meetings step (orglife) both read it, so the lapse list (neither
    dues nor meetings for six months) shows these people and no one else."""
    actors = demo_actors()
    rng = random.Random(seed * 7 + 13)
    cadres = set(CadrePosition.objects.filter(end__isnull=True).values_list("person_id", flat=True))
    spared = cadres | actors.people
    rows = Person.objects.filter(
        status=MembershipStatus.ACTIVE, political_status=PoliticalStatus.LEAGUE_MEMBER, branch__isnull=False
    ).order_by("id")
    drifting: dict[int, datetime.date] = {}
    in_branch: list[tuple[int, datetime.date]] = []
    for pk, branch_id, joined in rows.values_list("id", "branch_id", "league_join_date"):
        since = _month_start(today, -rng.randint(7, 11))
        chosen = rng.random() < DRIFTING_SHARE
        if pk in spared or joined is None or joined >= _month_start(today, -12):
            continue
        if branch_id == actors.branch.pk:
            in_branch.append((pk, since))
        elif chosen:
            drifting[pk] = since
    drifting.update(rng.sample(in_branch, min(DRIFTING_IN_DEMO_BRANCH, len(in_branch))))
    return drifting


def _month_start(today: datetime.date, months: int) -> datetime.date:
    index = today.year * 12 + today.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)
