"""The four demo accounts (password ``tongxin-demo``) on top of the demo district: the seed_demo step
registered in ``AccountsConfig.ready()`` (``seed`` after the people step, ``describe`` the accounts)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.core.registry import DemoRun
from tongxin.orgs.models import Organization, OrgKind
from tongxin.people.demo import DEMO_PASSWORD
from tongxin.people.models import CadrePosition, CadreTitle, Person


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
    User.objects.create_user("member", password=DEMO_PASSWORD, first_name=member_person.name, person=member_person)


def describe_demo_accounts() -> str:
    lines = [_("Demo accounts (password: %(pw)s):") % {"pw": DEMO_PASSWORD}]
    for user in User.objects.filter(username__in=["district", "committee", "secretary", "member"]).order_by("id"):
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
