from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeputiesConfig(AppConfig):
    name = "tongxin.deputies"
    verbose_name = _("League deputies' studios")

    def ready(self) -> None:
        from tongxin.core.inbox import register_pending
        from tongxin.core.registry import HAS_ROLE, register_demo_step, register_nav, register_personal_data
        from tongxin.deputies import models, services

        # 阵地: the deputies and their studios, beside the venues (order 35: after bookings, before usage).
        register_nav("positions", _("Deputies' studios"), "deputies:list", order=35, when=HAS_ROLE)
        register_pending(services.pending_requests)
        register_personal_data(
            models.Deputy, "person", title=_("League deputy"), fields=("congress", "studio", "active")
        )
        # seed_demo: after the venues (360), whose two 团代表工作室 the studios are
        register_demo_step("deputies", "tongxin.deputies.demo", order=370)
        # The young person's name and phone (core.retention): erased once the request is closed, or answered
        # and never closed, and the retention days have passed; the subject, the text and the answer stay.
        from django.db.models import Q

        from tongxin.core.retention import register_contact_retention

        register_contact_retention(
            models.ConstituentRequest,
            label=_("Requests to league deputies"),
            ended=lambda cutoff: (
                Q(status=models.RequestStatus.CLOSED, closed_at__lt=cutoff)
                | Q(status=models.RequestStatus.ANSWERED, answered_at__lt=cutoff)
            ),
            kept=~Q(name=""),
            erased=lambda: {"name": "", "phone": ""},
            org_path="congress_path",
        )
