"""Django admin, for superusers only. Domain data is edited through the pages and the API, whose
services validate and audit; the admin offers users, role assignments and rule overrides."""

from axes.utils import reset as reset_lockout
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    raw_id_fields = ["person"]
    list_display = ["username", "first_name", "is_active", "is_superuser", "last_login"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Roster"), {"fields": ["person"]}),
        (_("Login"), {"fields": ["must_change_password", "password_expires_at"]}),
    )
    actions = ["unlock"]

    @admin.action(description=_("Unlock after too many failed logins"))
    def unlock(self, request, queryset):
        count = sum(reset_lockout(username=user.username) for user in queryset)
        self.message_user(request, _("Lockouts lifted: %(count)d.") % {"count": count}, messages.SUCCESS)
