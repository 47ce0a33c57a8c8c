from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrglifeConfig(AppConfig):
    name = "tongxin.orglife"
    verbose_name = _("Organisational life")

    def ready(self) -> None:
        from tongxin.orglife import tallies
        from tongxin.orgs import tallies as org_tallies

        # The dashboards' trend: meetings recorded as held, per month of their date (orglife.tallies).
        # And the compliance board's done cells (meetings_done), by organisation kind: see orglife.tallies.
        org_tallies.register_source("orglife", tallies.FACETS, tallies.direct, own=tallies.own_counts, monthly=[
            org_tallies.Monthly("meetings_held", _("Meetings held"), pgettext_lazy("unit", "meetings"), order=10),
        ])  # fmt: skip

        # The four lists: overdue checklist items wait in the inbox of those who may act on them.
        from tongxin.core.inbox import register_pending
        from tongxin.orglife.services.checklists import pending_overdue_items

        register_pending(pending_overdue_items)

        from tongxin.core.registry import HAS_ROLE, register_home_card, register_nav, register_page_part

        register_nav("organisation", _("Compliance board"), "orglife:board", order=20, when=HAS_ROLE)
        register_nav("team", _("Members who may have lapsed"), "orglife:lapse", order=100, when=HAS_ROLE)
        # Board, meetings, four lists, duties on the organisation page.
        register_page_part("orgs:detail", "actions", "orglife/_org_actions.html", order=40)
        # What meetings offer the points app (core.achievements): attendance, and absence without leave.
        from tongxin.core.achievements import register_achievement_kind

        register_achievement_kind("orglife.attended", _("Meeting attended"), unit=_("meeting"))
        register_achievement_kind("orglife.absent_unexcused", _("Meeting missed without leave"), unit=_("meeting"))
        # The workbench's month: meetings to record, members who may have lapsed (one scoped COUNT each).
        from tongxin.orglife.home import (
            board_this_month,
            has_own_org,
            meetings_to_record,
            own_org_args,
            possibly_lapsed,
        )

        register_home_card(
            "secretary", "board", _("Compliance board"), "orglife:board", order=30, when=HAS_ROLE,
            value=board_this_month,
        )  # fmt: skip

        register_home_card(
            "secretary", "meetings", _("Meetings to record"), "orglife:meetings", order=15,
            when=has_own_org, value=meetings_to_record, args=own_org_args,
            template="orglife/_home_meetings_card.html",
        )  # fmt: skip
        register_home_card(
            "secretary", "lapse", _("Members who may have lapsed"), "orglife:lapse", order=70,
            when=HAS_ROLE, value=possibly_lapsed,
        )  # fmt: skip
        # Meetings, the four lists and duties of the user's own organisation, in the menus.
        for order, label, url_name in (
            (12, _("Meetings"), "orglife:meetings"),
            (14, _("Four lists"), "orglife:checklists"),
            (16, _("Duties"), "orglife:duties"),
            (13, _("Lessons in turn"), "orglife:lessons"),
        ):
            register_nav("organisation", label, url_name, order=order, when=has_own_org, args=own_org_args)
        # Lessons in turn (轮流讲党课/团课): the lecturer's next turn on his home, in the inbox before the quarter.
        from tongxin.core.registry import HAS_PERSON
        from tongxin.orglife.services import lessons

        register_pending(lessons.pending_lesson_turns)
        register_nav("thought", _("My lessons to give"), "orglife:my_lessons", order=45, when=HAS_PERSON)
        register_home_card("member", "lesson_turn", _("My next lesson to give"), "orglife:my_lessons", order=38,
                           when=HAS_PERSON, value=lessons.next_turn_text)  # fmt: skip
        # seed_demo: a year of meetings and the four lists, by the demo accounts (after them: accounts is 200).
        from tongxin.core.registry import register_demo_step

        register_demo_step("orglife", "tongxin.orglife.demo", order=310)

        # What the person's right-of-access file shows of the records about them (privacy.exports).
        from tongxin.core.registry import register_personal_data
        from tongxin.orglife import models as orglife_models

        register_personal_data(
            orglife_models.Attendance, "person", title=_("Meeting attendance"), fields=("meeting", "status", "reason")
        )
        meeting_fields = ("organization", "kind", "starts_at", "topic")
        register_personal_data(orglife_models.Meeting, "host", title=_("Meetings hosted"), fields=meeting_fields)
        register_personal_data(orglife_models.Meeting, "recorder", title=_("Meetings recorded"), fields=meeting_fields)
        register_personal_data(
            orglife_models.ChecklistItem, "owner", title=_("Items in charge"),
            fields=("organization", "kind", "content", "deadline", "status"),
        )  # fmt: skip
        register_personal_data(
            orglife_models.LessonTurn, "lecturer", title=_("Lessons in turn"),
            fields=("organization", "year", "quarter", "kind", "topic", "meeting"),
        )  # fmt: skip
        register_personal_data(
            orglife_models.Duty, "person", title=_("Duties"), fields=("organization", "post", "responsibilities")
        )
