from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tongxin.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from tongxin.accounts import signals  # noqa: F401  (connects the login receiver)
        from tongxin.accounts.models import User
        from tongxin.core.registry import MAY_CHANGE, register_demo_step, register_nav, register_personal_data

        register_nav("team", _("One-time login codes"), "accounts:bulk_reset", order=30, when=MAY_CHANGE)
        register_demo_step("accounts", "tongxin.accounts.demo", order=200)  # the four demo accounts
        # What the person's right-of-access file shows of their login (privacy.exports).
        register_personal_data(
            User, "person", title=_("Login account"), fields=("username", "is_active", "date_joined", "last_login")
        )
