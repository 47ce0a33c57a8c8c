"""Writes to users and role assignments."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as reset_lockout
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext, gettext_noop
from rest_framework.authtoken.models import Token

from tongxin.accounts.models import RoleAssignment, User
from tongxin.accounts.notify import notice
from tongxin.core.audit import record_change, snapshot
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog
from tongxin.core.scoping import CHANGE, MANAGE, Actor, require, scope_for
from tongxin.orgs.models import Organization
from tongxin.people.models import Person


@transaction.atomic
def assign_role(actor: Actor, *, user: User, organization: Organization, role: str) -> RoleAssignment:
    require(actor, MANAGE, organization.path)
    assignment, created = RoleAssignment.objects.get_or_create(user=user, organization=organization, role=role)
    if created:
        record_change(
            actor, assignment, ChangeLog.Action.CREATE,
            after=snapshot(assignment, ["user", "organization", "role"]), org_path=organization.path,
        )  # fmt: skip
    return assignment


@transaction.atomic
def create_user(actor: Actor, *, username: str, password: str, person=None, **fields: Any) -> User:
    require(actor, MANAGE, person.org_path if person is not None and person.org_path else None)
    # An account made for a member: they choose their own password at the first login.
    fields.setdefault("must_change_password", person is not None)
    user = User.objects.create_user(username=username, password=password, person=person, **fields)
    record_change(
        actor, user, ChangeLog.Action.CREATE,
        after=snapshot(user, ["username", "person", "is_active"]),
        org_path=person.org_path if person is not None else "",
    )  # fmt: skip
    return user


# --- passwords: one-time login codes and changing one's own password ------------------------------------

# Codes are read off paper and typed on phones: lowercase letters and digits without 0/o, 1/l/i.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 10
USERNAME_OK = re.compile(r"^[\w.@+-]{1,150}$")


@dataclass(frozen=True)
class IssuedCode:
    """One line of the handout. ``code`` exists only in memory: the account stores its hash."""

    user_id: int
    username: str
    name: str
    branch: str
    code: str
    expires_at: datetime.datetime
    created: bool


def reset_refusal(actor: Actor, user: User | None, role_paths: list[str] | None = None) -> str:
    """Why ``actor`` may not reset ``user``'s password ("" when they may). Nobody resets their own account,
    a superuser's or staff member's, a deactivated one, or the account of someone holding a role that is
    not strictly inside the actor's change scope (a secretary cannot reset an administrator, nor a fellow
    secretary of the same branch)."""
    if user is None:
        return ""
    if actor is not None and user.pk == actor.pk:
        return "self"
    if user.is_superuser or user.is_staff:
        return "staff"
    if not user.is_active:
        return "inactive"
    if actor is None:
        return ""
    scope = scope_for(actor, CHANGE)
    if scope.everything:
        return ""
    if role_paths is None:
        role_paths = list(user.role_assignments.values_list("organization__path", flat=True))
    for path in role_paths:
        if not scope.covers_below(path):
            return "role"
    return ""


def role_paths_by_user(user_ids: list[int]) -> dict[int, list[str]]:
    """The organisation paths of every role each user holds (on any organisation, dissolved included)."""
    result: dict[int, list[str]] = {pk: [] for pk in user_ids}
    rows = RoleAssignment.objects.filter(user_id__in=user_ids).values_list("user_id", "organization__path")
    for user_id, path in rows:
        result[user_id].append(path)
    return result


def _new_username(person: Person) -> str:
    """The person's league member number when it is free and usable as a username, else ``tx`` and the
    person's id (``tx000123``), else that with a random suffix."""
    candidates = []
    if person.league_number and USERNAME_OK.match(person.league_number):
        candidates.append(person.league_number)
    candidates.append(f"tx{person.pk:06d}")
    for candidate in candidates:
        if not User.objects.filter(username=candidate).exists():
            return candidate
    while True:
        candidate = f"tx{person.pk:06d}-{get_random_string(4, CODE_ALPHABET)}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


AUDITED_USER_FIELDS = ["username", "person", "is_active", "must_change_password", "password_expires_at"]


@transaction.atomic
def issue_login_codes(actor: Actor, person_ids: list[int], *, valid_days: int | None = None) -> list[IssuedCode]:
    """A one-time login code for each person of ``person_ids`` that ``actor`` may change and reset.

    A person without a login gets one (username: see ``_new_username``). The code becomes the account's
    temporary password (stored hashed), valid for ``valid_days`` (``TONGXIN_LOGIN_CODE_DAYS``) and for
    one login, after which the user must choose a password; a lockout on the username is lifted; other
    sessions of the account end (its password changed). People out of scope, and accounts the actor may
    not reset (``reset_refusal``), are left out. One ChangeLog row per account, without the code.
    """
    days = valid_days if valid_days is not None else settings.TONGXIN_LOGIN_CODE_DAYS
    expires_at = timezone.now() + datetime.timedelta(days=days)
    people = list(
        Person.objects.visible_to(actor, CHANGE)
        .filter(pk__in=person_ids)
        .select_related("branch")
        .order_by("org_path", "name_pinyin", "id")
    )
    users = {u.person_id: u for u in User.objects.select_for_update().filter(person__in=[p.pk for p in people])}
    paths = role_paths_by_user([u.pk for u in users.values()])
    issued: list[IssuedCode] = []
    for person in people:
        user = users.get(person.pk)
        if reset_refusal(actor, user, paths.get(user.pk) if user else None):
            continue
        code = get_random_string(CODE_LENGTH, CODE_ALPHABET)
        created = user is None
        if user is None:
            user = User(username=_new_username(person), first_name=person.name, person=person)
            before = None
        else:
            before = {**snapshot(user, AUDITED_USER_FIELDS), "password": ""}
        user.set_password(code)
        user.must_change_password = True
        user.password_expires_at = expires_at
        user.save()  # ends the account's API token (User.save)
        after = {**snapshot(user, AUDITED_USER_FIELDS), "password": notice(gettext_noop("one-time login code"))}
        if before is not None:
            token_before, token_after = ended_token_change(user)
            before, after = {**before, **token_before}, {**after, **token_after}
        action = ChangeLog.Action.CREATE if created else ChangeLog.Action.UPDATE
        record_change(actor, user, action, before=before, after=after, org_path=person.org_path)
        reset_lockout(username=user.username)
        issued.append(
            IssuedCode(
                user_id=user.pk,
                username=user.username,
                name=person.name,
                branch=person.branch.name if person.branch else "",
                code=code,
                expires_at=expires_at,
                created=created,
            )
        )
    return issued


def locked_usernames(usernames: list[str]) -> dict[str, datetime.datetime]:
    """Which of ``usernames`` django-axes has locked out now, with the time each lock ends."""
    cool_off = settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=timezone.now() - cool_off)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
    )
    return {r["username"]: r["latest"] + cool_off for r in rows if r["failures"] >= settings.AXES_FAILURE_LIMIT}


@transaction.atomic
def unlock_accounts(actor: Actor, person_ids: list[int]) -> list[User]:
    """Lift the lockout of the accounts of ``person_ids`` that ``actor`` may reset (``reset_refusal``),
    keeping their passwords. One ChangeLog row per account that was locked."""
    people = Person.objects.visible_to(actor, CHANGE).filter(pk__in=person_ids)
    users = list(User.objects.select_for_update().filter(person__in=people).select_related("person"))
    paths = role_paths_by_user([u.pk for u in users])
    locked = locked_usernames([u.username for u in users])
    unlocked = []
    for user in users:
        if user.username not in locked or reset_refusal(actor, user, paths.get(user.pk)):
            continue
        reset_lockout(username=user.username)
        org_path = user.person.org_path if user.person else ""
        record_change(actor, user, ChangeLog.Action.UPDATE, before={"locked": True}, after={"locked": False},
                      org_path=org_path)  # fmt: skip
        unlocked.append(user)
    return unlocked


@transaction.atomic
def change_own_password(user: User, form: Any) -> User:
    """Save the new password of a validated password form and lift the forced change."""
    forced = user.must_change_password
    form.save(commit=False)
    user.must_change_password = False
    user.password_expires_at = None
    user.save()  # ends the account's API token (User.save)
    token_before, token_after = ended_token_change(user)
    record_change(
        user, user, ChangeLog.Action.UPDATE,
        before={"password": "", "must_change_password": forced, **token_before},
        after={"password": notice(gettext_noop("changed by the user")), "must_change_password": False, **token_after},
        org_path=user.person.org_path if user.person_id and user.person else "",
    )  # fmt: skip
    return user


def ended_token_change(user: User) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ChangeLog before/after entries saying that the last save of ``user`` (a new password) ended its
    API token, as ``issue_api_token`` records one made: its creation time, then none. Empty without one."""
    if user.ended_api_token is None:
        return {}, {}
    return {"api_token_created": user.ended_api_token.isoformat()}, {"api_token_created": None}


# --- API tokens (``manage.py issue_token``) ----------------------------------------------------------------


@transaction.atomic
def issue_api_token(actor: Actor, *, username: str, rotate: bool = False) -> str:
    """The API token of the active user ``username`` (``Authorization: Token <key>``): the existing one, or a
    new one when there is none or ``rotate`` replaces it (the old key stops working at once).

    Issuing or replacing leaves a ChangeLog row about the user: when the token was made, never its key.
    ``actor`` is None from the command line (the server's operator, who can read the database anyway).
    """
    user = User.objects.select_for_update().filter(username=username, is_active=True).first()
    if user is None:
        raise DomainError("username", gettext("No active user named %(name)s.") % {"name": username})
    existing = Token.objects.filter(user=user).first()
    if existing is not None and not rotate:
        return existing.key
    before = {"api_token_created": existing.created.isoformat() if existing else None}
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record_change(
        actor, user, ChangeLog.Action.UPDATE,
        before=before, after={"api_token_created": token.created.isoformat()},
        org_path=user.person.org_path if user.person_id and user.person else "",
    )  # fmt: skip
    return token.key
