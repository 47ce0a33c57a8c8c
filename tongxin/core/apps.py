from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongxin.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Lazy: the registry and the rule check import models, which are not loaded when apps.py is imported.
        from tongxin.core.context_processors import may_see_rules
        from tongxin.core.inbox import badge_count
        from tongxin.core.registry import HAS_ROLE, register_demo_step, register_home_card, register_nav

        register_demo_step("statistics", "tongxin.core.demo", order=1000)  # last: ANALYZE what the demo wrote

        from django.db.backends.signals import connection_created

        from tongxin.core.pgtime import use_compiled_loader

        connection_created.connect(use_compiled_loader, dispatch_uid="tongxin.core.pgtime")

        register_nav("organisation", _("Audit log"), "core:audit", order=30, when=HAS_ROLE)
        register_nav("organisation", _("Rules"), "core:rules", order=40, when=may_see_rules)
        # The member's page counts what waits for him, as the navbar's badge does (the same figure, work and
        # unread news); the workbench lists the waiting work itself.
        register_home_card("member", "inbox", _("Waiting for me"), "core:inbox", order=10, value=badge_count)
