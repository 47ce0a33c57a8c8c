from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "tongxin.orglife"
    verbose_name = _("Organisational life")

    def ready(self) -> None:
        from tongxin.orglife.models import Attendance, ChecklistItem, Duty, Meeting
        from tongxin.orgs.services import register_path_column

        for model in (Meeting, Attendance, ChecklistItem, Duty):
            register_path_column(model, "org_path")

        # The four lists: overdue checklist items wait in the inbox of those who may act on them.
        from tongxin.core.inbox import register_pending
        from tongxin.orglife.services.checklists import pending_overdue_items

        register_pending(pending_overdue_items)

        from tongxin.core.registry import HAS_ROLE, register_home_card, register_nav

        register_nav("organisation", _("Compliance board"), "orglife:board", order=20, when=HAS_ROLE)
        register_nav("team", _("Members who may have lapsed"), "orglife:lapse", order=100, when=HAS_ROLE)
        register_home_card("secretary", "board", _("Compliance board"), "orglife:board", order=30, when=HAS_ROLE)
