from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "tongxin.people"
    verbose_name = _("People")

    def ready(self) -> None:
        from tongxin.core import imports
        from tongxin.people.imports import RosterImport

        imports.register(RosterImport())
