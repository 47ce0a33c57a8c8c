from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "tongxin.points"
    verbose_name = _("Points")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from tongxin.orgs import tallies as org_tallies
        from tongxin.points import tallies

        # The dashboards' trend: points booked per month (kept in hundredths, shown as points).
        org_tallies.register_source("points", tallies.FACETS, tallies.direct, monthly=[
            org_tallies.Monthly("points", _("Points booked"), _("points"), order=50, divide=100),
        ])  # fmt: skip
        # The consumer of the points hooks (core.achievements): every feature app's offer lands in the ledger.
        from tongxin.core.achievements import register_receiver
        from tongxin.points.services import ledger

        register_receiver(
            "points", ledger.receive, ledger.take_back, receive_many=ledger.receive_many, settle=ledger.settle
        )

        # What the person's right-of-access file shows of the records about them (privacy.exports).
        from tongxin.core.registry import register_personal_data
        from tongxin.points import models

        register_personal_data(models.PointEntry, "person", title=_("Points"),
                               fields=("month", "occurred_on", "points", "reason"))  # fmt: skip
        register_personal_data(models.MonthlyScore, "person", title=_("Points per month"), fields=("month", "points"))
        register_personal_data(models.Claim, "person", title=_("Points claimed"),
                               fields=("month", "points", "evidence", "status", "points_awarded",
                                       "review_reason"))  # fmt: skip
        register_personal_data(models.Objection, "person", title=_("Objections to points"),
                               fields=("text", "status", "answer"))  # fmt: skip

        # Navigation, the member's and the secretary's home cards, the inbox, the demo seed (points/home.py).
        from tongxin.points import home

        home.register()
