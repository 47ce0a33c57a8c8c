from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "tongxin.lifecycle"
    verbose_name = _("Member lifecycle")

    def ready(self) -> None:
        from tongxin.orgs.services import register_path_column
        from tongxin.lifecycle.models import DuesPayment, Transfer

        register_path_column(Transfer, "from_path")
        register_path_column(Transfer, "to_path")
        register_path_column(DuesPayment, "org_path")
