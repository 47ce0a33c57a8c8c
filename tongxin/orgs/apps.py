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

        from tongxin.orgs import tallies

        # The dashboards' figures: organisations by kind and category (people and the features add theirs).
        tallies.register_source("orgs", tallies.ORG_FACETS, tallies.org_direct)
        from tongxin.core.registry import register_demo_step

        # after every app's records, before the statistics step (1000)
        register_demo_step("tallies", "tongxin.orgs.demo", order=990)
