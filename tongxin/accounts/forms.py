"""Login, code and password forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.backends import temporary_password_expired
from tongxin.accounts.models import User
from tongxin.core.forms import BootstrapFormMixin


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form that says so when the password was a one-time code already used or expired."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "code_expired": _(
            "This one-time login code has been used or has expired. Ask your secretary or administrator for a new one."
        ),
    }

    def get_invalid_login_error(self) -> ValidationError:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username and password and not getattr(self.request, "axes_locked_out", False):
            user = User.objects.filter(username=username).first()
            if user is not None and temporary_password_expired(user) and user.check_password(password):
                return ValidationError(self.error_messages["code_expired"], code="code_expired")
        return super().get_invalid_login_error()


class CodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class _NotTheOldPassword:
    """The new password may not be the current one (a one-time code is not a password to keep)."""

    user: Any
    cleaned_data: dict[str, Any]

    def clean_new_password1(self) -> str:
        password = self.cleaned_data.get("new_password1") or ""
        if password and self.user.check_password(password):
            raise ValidationError(_("The new password must differ from the current one."), code="password_unchanged")
        return password


class ForcedPasswordForm(_NotTheOldPassword, BootstrapFormMixin, auth_forms.SetPasswordForm):
    """The first password after a one-time code: the user just logged in with it, so it is not asked again."""


class ChangePasswordForm(_NotTheOldPassword, BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass
