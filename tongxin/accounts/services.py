"""Writes to users and role assignments."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.audit import record_change, snapshot
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import MANAGE, require
from tongxin.orgs.models import Organization


@transaction.atomic
def assign_role(actor: Any, *, user: User, organization: Organization, role: str) -> RoleAssignment:
    require(actor, MANAGE, organization.path)
    assignment, created = RoleAssignment.objects.get_or_create(user=user, organization=organization, role=role)
    if created:
        record_change(
            actor, assignment, ChangeLog.Action.CREATE,
            after=snapshot(assignment, ["user", "organization", "role"]), org_path=organization.path,
        )  # fmt: skip
    return assignment


@transaction.atomic
def create_user(actor: Any, *, username: str, password: str, person=None, **fields: Any) -> User:
    require(actor, MANAGE, person.org_path if person is not None and person.org_path else None)
    user = User.objects.create_user(username=username, password=password, person=person, **fields)
    record_change(
        actor, user, ChangeLog.Action.CREATE,
        after=snapshot(user, ["username", "person", "is_active"]),
        org_path=person.org_path if person is not None else "",
    )  # fmt: skip
    return user
