"""Users, their role assignments, and the scope those give them."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from tongxin.core.scoping import CHANGE, MANAGE, VIEW, Scope, normalise_prefixes
from tongxin.orgs.models import Organization
from tongxin.people.models import Person


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SECRETARY = "secretary", _("Secretary")
    VIEWER = "viewer", _("Viewer")


# What each role may do over its organisation's subtree.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({VIEW, CHANGE, MANAGE}),
    Role.SECRETARY: frozenset({VIEW, CHANGE}),
    Role.VIEWER: frozenset({VIEW}),
}


class User(AbstractUser):
    """A login. ``person`` links it to the roster: a member with no role sees only their own profile."""

    person = models.OneToOneField(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("person"),
    )
    # Set for accounts made for members and after a reset: every page sends the user to change the password.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # A temporary password (a one-time login code) stops working at this time, or once used to log in.
    password_expires_at = models.DateTimeField(_("temporary password expires at"), null=True, blank=True)

    # When a save of a new password ended the account's API token: that token's creation time (for the
    # caller's ChangeLog row), else None.
    ended_api_token: datetime.datetime | None = None

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new password (or none) ends the account's API token, whatever set it (the password page, a
        one-time login code, the admin, ``manage.py changepassword``): a token must not outlive the password it
        was issued under. A rehash at login keeps it (Django saves the same password with ``_password`` cleared)."""
        password_changed = self.pk is not None and (
            getattr(self, "_password", None) is not None or self.__dict__.pop("_password_disabled", False)
        )
        super().save(*args, **kwargs)
        self.ended_api_token = None
        if password_changed:
            tokens = Token.objects.filter(user_id=self.pk)
            self.ended_api_token = tokens.values_list("created", flat=True).first()
            tokens.delete()

    def set_unusable_password(self) -> None:
        """No password login any more (the admin's "disable password-based authentication"): the token ends
        too, at the next save."""
        super().set_unusable_password()
        self.__dict__["_password_disabled"] = True

    def get_scope(self, action: str = VIEW) -> Scope:
        """The subtrees this user may act on for ``action``; cached for the life of this object."""
        cache = self.__dict__.setdefault("_scope_cache", {})
        if action not in cache:
            if self.is_superuser:
                cache[action] = Scope(everything=True)
            else:
                paths = [
                    path for role, path in self._assignment_rows() if action in ROLE_ACTIONS.get(role, frozenset())
                ]
                prefixes = normalise_prefixes(paths)
                person_id = self.person_id if action == VIEW else None
                if person_id is not None and prefixes:
                    # Drop the self-service grant when the person is inside the user's subtrees anyway.
                    own_path = Person.objects.filter(pk=person_id).values_list("org_path", flat=True).first() or ""
                    if own_path and any(own_path.startswith(p) for p in prefixes):
                        person_id = None
                cache[action] = Scope(
                    prefixes=prefixes, person_id=person_id, owner_id=self.person_id if action == VIEW else None
                )
        return cache[action]

    def _assignment_rows(self) -> list[tuple[str, str]]:
        rows = self.__dict__.get("_assignment_rows_cache")
        if rows is None:
            rows = list(
                self.role_assignments.filter(organization__status="active").values_list("role", "organization__path")
            )
            self.__dict__["_assignment_rows_cache"] = rows
        return rows

    @property
    def holds_admin_role(self) -> bool:
        """An administrator anywhere (or a superuser or staff member): must use two-factor authentication."""
        if self.is_superuser or self.is_staff:
            return True
        return any(role == Role.ADMIN for role, _path in self._assignment_rows())

    @property
    def has_org_role(self) -> bool:
        return self.is_superuser or bool(self._assignment_rows())

    def can(self, action: str, path: str) -> bool:
        return self.get_scope(action).covers_path(path)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user"))
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "organization", "role"], name="unique_role_assignment")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"
