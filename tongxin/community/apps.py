from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "tongxin.community"
    verbose_name = _("Community reporting")

    def ready(self) -> None:
        from tongxin.community import models, services
        from tongxin.core.inbox import register_pending
        from tongxin.core.registry import (
            HAS_PERSON,
            HAS_ROLE,
            register_demo_step,
            register_home_card,
            register_nav,
            register_personal_data,
        )

        def member_or_role(user: object) -> bool:
            return HAS_ROLE(user) or HAS_PERSON(user)

        # 双报到双报告: beside the activities (volunteer service), after the micro-wishes (30).
        register_nav("activities", _("Community reporting"), "community:index", order=40, when=member_or_role)
        register_nav("activities", _("My community reports"), "community:mine", order=45, when=member_or_role)
        register_home_card("member", "community", _("My community reports"), "community:mine", order=48,
                           value=services.my_report_count)  # fmt: skip
        register_personal_data(models.CommunityRegistration, "person", title=_("Community registrations"),
                               fields=("community", "started_on", "status"))  # fmt: skip
        register_personal_data(models.ServiceReport, "person", title=_("Community service reports"),
                               fields=("done_on", "hours", "people", "content", "status"))  # fmt: skip
        register_personal_data(
            models.TakeUp,
            "person",
            not_exported="a take-up repeats the registration's person; what was done is in the service reports",
        )
        register_pending(services.pending_reports)  # the community's admins: reports to acknowledge (one COUNT)
        # seed_demo: after the activities (350), after the deputies (370)
        register_demo_step("community", "tongxin.community.demo", order=380)
