from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "tongxin.orglife"
    verbose_name = _("Organisational life")

    def ready(self) -> None:
        # The four lists: overdue checklist items wait in the inbox of those who may act on them.
        from tongxin.core.inbox import register_pending
        from tongxin.orglife.services.checklists import pending_overdue_items

        register_pending(pending_overdue_items)
