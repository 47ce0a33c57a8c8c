from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "tongxin.people"
    verbose_name = _("People")

    def ready(self) -> None:
        from tongxin.core import imports
        from tongxin.people.imports import RosterImport

        imports.register(RosterImport())

        from tongxin.orgs import tallies as org_tallies
        from tongxin.people import tallies

        # The members' figures of the dashboards (by status, sex, political status, …, birth month).
        org_tallies.register_source("people", tallies.MEMBER_FACETS, tallies.member_direct)
        org_tallies.register_source("cadres", tallies.CADRE_FACETS, tallies.cadre_direct)

        from tongxin.core.registry import (
            HAS_PERSON,
            HAS_ROLE,
            MAY_CHANGE,
            register_demo_step,
            register_home_card,
            register_lookup_hashes,
            register_nav,
            register_page_context,
            register_page_part,
            register_personal_data,
        )
        from tongxin.people import models as people_models
        from tongxin.people.queries import current_cadres

        def own_person(user: Any) -> list[Any]:
            return [user.person_id]

        register_nav("team", _("Roster"), "people:roster", order=10, when=HAS_ROLE)
        register_nav("team", _("Imports"), "imports:list", order=20, when=MAY_CHANGE)
        register_nav("team", _("My profile"), "people:detail", order=1000, when=HAS_PERSON, args=own_person)
        from tongxin.people.home import members_in_scope, own_name

        register_home_card("member", "profile", _("My profile"), "people:detail", order=20, when=HAS_PERSON,
                           args=own_person, value=own_name)  # fmt: skip
        register_home_card(
            "secretary", "roster", _("Active members"), "people:roster", order=20, when=HAS_ROLE, value=members_in_scope
        )
        # The organisation page (orgs sits below people) lists the current secretary and committee.
        register_page_context("orgs:detail", "cadres", lambda request, org: {"cadres": current_cadres(org)})
        register_page_part("orgs:detail", "actions", "people/_org_actions.html", order=10)  # the roster
        register_page_part("orgs:detail", "sidebar", "people/_org_cadres.html", order=10)  # reads "cadres" above
        register_page_part("orgs:detail", "more_actions", "people/_org_more_actions.html", order=10)  # imports
        register_demo_step("people", "tongxin.people.demo", order=100)  # the demo district, its people and cadres
        register_lookup_hashes(
            people_models.Person, hash_fields=people_models.LOOKUP_FIELDS, only=("id", "id_number", "phone")
        )
        # What the person's right-of-access file shows of the records about them (privacy.exports).
        register_personal_data(
            people_models.Membership, "person", title=_("Membership history"),
            fields=("organization", "start", "end", "start_reason", "end_reason"),
        )  # fmt: skip
        register_personal_data(
            people_models.CadrePosition, "person", title=_("Cadre positions"),
            fields=("organization", "title", "start", "end"),
        )  # fmt: skip
