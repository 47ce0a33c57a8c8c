from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VenuesConfig(AppConfig):
    name = "tongxin.venues"
    verbose_name = _("Positions")

    def ready(self) -> None:
        from tongxin.orgs import tallies as org_tallies
        from tongxin.venues import tallies

        # The dashboards' trends: bookings by the month booked for, honours by the month recorded (venues.tallies).
        org_tallies.register_source("venues", tallies.FACETS, tallies.direct, monthly=[
            org_tallies.Monthly("bookings", _("Venue bookings"), pgettext_lazy("unit", "bookings"), order=50),
            org_tallies.Monthly("honours", _("Honours awarded"), pgettext_lazy("unit", "honours"), order=60),
        ])  # fmt: skip

        from tongxin.core.registry import (
            ANYONE,
            HAS_ROLE,
            MAY_CHANGE,
            register_demo_step,
            register_home_card,
            register_nav,
        )
        from tongxin.venues import services

        # 阵地: the venues one may book, the bookings of one's organisations, the usage, the public directory.
        register_nav("positions", _("Venues"), "venues:list", order=10, when=HAS_ROLE)
        register_nav("positions", _("Find a free venue"), "venues:search", order=20, when=HAS_ROLE)
        register_nav("positions", _("Bookings"), "venues:bookings", order=30, when=HAS_ROLE)
        register_nav("positions", _("Venue usage"), "venues:usage", order=40, when=HAS_ROLE)
        register_nav("positions", _("Youth venues"), "venues:directory", order=50, when=ANYONE)  # public too
        register_home_card(
            "secretary", "bookings", _("Upcoming venue bookings"), "venues:bookings", order=65, when=MAY_CHANGE,
            value=services.upcoming_bookings_count,
        )  # fmt: skip
        register_home_card("member", "venues", _("Youth venues near you"), "venues:directory", order=80)
        register_nav("positions", _("Honours"), "venues:honours", order=45, when=HAS_ROLE)
        # Honours: offered to the points hook (a person's), shown on the holder's page, in the access file.
        from tongxin.core.achievements import register_achievement_kind
        from tongxin.core.registry import register_page_context, register_page_part, register_personal_data
        from tongxin.venues import models

        register_achievement_kind(services.HONOUR_ACHIEVEMENT, _("Honour"), unit=_("honour"))
        # the inbox: honours under review, and brands due for their re-review
        from tongxin.core.inbox import register_pending

        register_pending(services.pending_honours)

        def org_honours(request, org):
            user = getattr(request, "user", None)
            rows = models.Honour.objects.visible_to(user).filter(organization=org, person=None)
            return {"honours": list(rows.order_by("-year", "id")[:50])}

        def person_honours(request, person):
            user = getattr(request, "user", None)
            rows = models.Honour.objects.visible_to(user).filter(person=person)
            return {"honours": list(rows.order_by("-year", "id")[:50])}

        register_page_context("orgs:detail", "honours", org_honours)
        register_page_context("people:detail", "honours", person_honours)
        register_page_part("orgs:detail", "sidebar", "venues/_honours.html", order=60)
        register_page_part("people:detail", "panels", "venues/_honours.html", order=60)
        register_personal_data(
            models.Honour, "person", title=_("Honours"), fields=("kind", "level", "year", "awarding_body", "status")
        )
        # seed_demo: the district's venues and a year of bookings (after orglife 310; study 340, activities 350)
        register_demo_step("venues", "tongxin.venues.demo", order=360)
