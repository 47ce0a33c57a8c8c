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
