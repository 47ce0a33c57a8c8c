from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "tongxin.privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from tongxin.core.registry import HAS_ROLE, register_nav

        register_nav("team", _("Minors without consent"), "privacy:minors", order=110, when=HAS_ROLE)
