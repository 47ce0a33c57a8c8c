from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Statistics (the top layer): reads every app's roll-ups, writes nothing but its own."""

    name = "tongxin.dashboard"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from tongxin.core.registry import HAS_ROLE, register_nav

        # 阵地: the dashboards (the work model puts them with the positions).
        register_nav("positions", _("Dashboard"), "dashboard:org", order=5, when=HAS_ROLE)
