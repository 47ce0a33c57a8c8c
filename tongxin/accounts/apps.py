from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tongxin.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from tongxin.accounts import signals  # noqa: F401  (connects the login receiver)
