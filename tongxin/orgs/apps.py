from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "tongxin.orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from tongxin.core import imports
        from tongxin.orgs.imports import OrgImport

        imports.register(OrgImport())
