from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "tongxin.orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from tongxin.core import imports
        from tongxin.orgs.imports import OrgImport

        imports.register(OrgImport())

        from tongxin.core.registry import HAS_ROLE, register_nav, register_root_paths
        from tongxin.orgs.queries import root_paths

        register_nav("organisation", _("Organisation tree"), "orgs:tree", order=10, when=HAS_ROLE)
        register_root_paths(root_paths)
