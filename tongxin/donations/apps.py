from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "tongxin.donations"
    verbose_name = _("Donation drives")

    def ready(self) -> None:
        from tongxin.core.registry import HAS_ROLE, register_demo_step, register_nav

        # 活动: the drives, after the activities' own entries (10-30); role holders only (organisers record).
        register_nav("activities", _("Donation drives"), "donations:list", order=50, when=HAS_ROLE)
        # seed_demo: after the activities (350) and the deputies (370)
        register_demo_step("donations", "tongxin.donations.demo", order=380)
