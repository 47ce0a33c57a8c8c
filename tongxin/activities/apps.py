from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActivitiesConfig(AppConfig):
    name = "tongxin.activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from tongxin.activities import tallies
        from tongxin.orgs import tallies as org_tallies

        # The dashboards' trends: volunteer time by the activity's month, wishes by the month fulfilled.
        org_tallies.register_source("activities", tallies.FACETS, tallies.direct, monthly=[
            org_tallies.Monthly("volunteer_minutes", _("Volunteer service time"), pgettext_lazy("unit", "hours"),
                                order=30, divide=60),
            org_tallies.Monthly("wishes_fulfilled", _("Micro-wishes fulfilled"), pgettext_lazy("unit", "wishes"),
                                order=40),
        ])  # fmt: skip

        # Lazy: the registries hold app code, which imports models (not ready at module import time).
        from tongxin.activities import models, services
        from tongxin.core.achievements import register_achievement_kind
        from tongxin.core.inbox import register_pending
        from tongxin.core.registry import (
            HAS_PERSON,
            HAS_ROLE,
            register_demo_step,
            register_home_card,
            register_nav,
            register_personal_data,
        )

        def member_or_role(user: object) -> bool:
            return HAS_ROLE(user) or HAS_PERSON(user)

        register_nav("activities", _("Activities"), "activities:list", order=10, when=member_or_role)
        register_nav("activities", _("My activities and hours"), "activities:mine", order=20, when=member_or_role)
        register_home_card("member", "activities", _("My activities"), "activities:mine", order=40,
                           value=services.my_upcoming_count)  # fmt: skip
        register_home_card("member", "hours", _("My volunteer hours"), "activities:mine", order=45,
                           value=services.my_hours)  # fmt: skip
        register_home_card("secretary", "activities", _("Registrations to confirm"), "activities:list", order=50,
                           when=HAS_ROLE, value=services.to_confirm_count)  # fmt: skip
        register_pending(services.pending_registrations)
        register_pending(services.pending_wishes)
        register_pending(services.pending_corrections)
        register_nav("activities", _("Micro-wishes"), "activities:wishes", order=30, when=member_or_role)
        register_nav("activities", _("Volunteer hours by organisation"), "activities:hours", order=35, when=HAS_ROLE)
        register_demo_step("activities", "tongxin.activities.demo", order=350)
        # The resident's contact (core.retention): erased once the wish is closed or rejected and the
        # retention days have passed (a rejected wish counts from its submission).
        from django.db.models import Q

        from tongxin.core.retention import register_contact_retention

        register_contact_retention(
            models.Wish,
            label=_("Micro-wishes"),
            ended=lambda cutoff: (
                Q(status=models.WishStatus.CLOSED, closed_at__lt=cutoff)
                | Q(status=models.WishStatus.REJECTED, submitted_at__lt=cutoff)
            ),
            kept=~Q(contact_name=""),
            erased=lambda: {"contact_name": "", "contact_phone": ""},
        )
        # A venue booking (the positions app, beside this one) names the activity it hosts by id, through core.
        from tongxin.activities import queries
        from tongxin.core.registry import register_link_kind

        register_link_kind("activity", _("Activity"), find=queries.find_linked, choices=queries.link_choices)
        register_achievement_kind(services.VOLUNTEER_HOURS, _("Verified volunteer hours"), unit=_("hour"))
        register_achievement_kind(services.PARTICIPATION, _("Activity attended"), unit=_("activity"))
        register_achievement_kind(services.WISH_FULFILLED, _("Micro-wish fulfilled"), unit=_("wish"))
        register_personal_data(
            models.Registration, "person", title=_("Activity registrations and volunteer hours"),
            fields=("activity", "status", "checked_in_at", "checked_out_at", "verified_hours", "supplementary_hours",
                    "supplementary_reason"),
        )  # fmt: skip
        register_personal_data(models.Wish, "claimed_by", title=_("Micro-wishes claimed"),
                               fields=("community", "published_text", "status", "fulfilment"))  # fmt: skip
        certificate_fields = ("serial", "issuer_name", "verified_hours", "supplementary_hours", "issued_on")
        register_personal_data(models.Certificate, "person", title=_("Certificates of service hours"),
                               fields=certificate_fields)  # fmt: skip
        register_personal_data(models.HoursCorrection, "person", title=_("Corrections of volunteer hours asked for"),
                               fields=("registration", "status", "reason", "requested_hours", "hours_before",
                                       "decided_hours", "decision_reason", "created_at"))  # fmt: skip
