from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    name = "tongxin.study"
    verbose_name = _("Study")

    def ready(self) -> None:
        # Lazy: the registries hold app code, which imports models (not ready at module import time).
        from tongxin.core import registry
        from tongxin.core.achievements import register_achievement_kind
        from tongxin.core.registry import HAS_PERSON, HAS_ROLE
        from tongxin.study import models, queries

        registry.register_nav("thought", _("Study campaigns"), "study:campaigns", order=10, when=HAS_ROLE)
        registry.register_nav("thought", _("My study"), "study:mine", order=20, when=HAS_PERSON)
        registry.register_nav("thought", _("My check-ins"), "study:checkins", order=30, when=HAS_PERSON)
        # Study notes (微心得): a member reads and shares his branch's; a role holder reads his subtrees' notes.
        registry.register_nav(
            "thought", _("Study notes"), "study:notes", order=40, when=lambda user: HAS_PERSON(user) or HAS_ROLE(user)
        )
        registry.register_nav("thought", _("Study notes by branch"), "study:note_counts", order=15, when=HAS_ROLE)
        registry.register_home_card(
            "member",
            "study",
            _("Study period open"),
            "study:mine",
            order=30,
            when=HAS_PERSON,
            value=queries.open_period_for,
        )
        registry.register_home_card(
            "member",
            "study_receipts",
            _("My study receipts"),
            "study:mine",
            order=31,
            when=HAS_PERSON,
            value=queries.receipts_count,
        )
        registry.register_home_card(
            "member",
            "study_notes",
            _("Notes in my branch this month"),
            "study:notes",
            order=32,
            when=HAS_PERSON,
            value=queries.branch_notes_this_month,
        )
        registry.register_home_card(
            "secretary",
            "study",
            _("Study periods open · worst rate"),
            "study:campaigns",
            order=60,
            when=HAS_ROLE,
            value=queries.worst_rate,
        )
        from tongxin.core.inbox import register_pending

        register_pending(queries.pending_periods)
        registry.register_demo_step("study", "tongxin.study.demo", order=340)
        # A subtree that moves takes its periods' roll-up rows from the old ancestors to the new ones.
        from tongxin.orgs.moves import register_subtree_moved
        from tongxin.study import services

        register_subtree_moved("study", services.carry_period_stats)
        # The national platform's participation export, through the core import engine.
        from tongxin.core import imports
        from tongxin.study.imports import ParticipationImport

        imports.register(ParticipationImport())
        # The points hook: a period completed is offered from the submission's transaction.
        register_achievement_kind("study.period_done", _("Study period completed"), unit=_("period"))
        registry.register_personal_data(
            models.Participation,
            "person",
            title=_("Study participations"),
            fields=("period", "best_score", "attempts", "source", "completed_at"),
        )
        registry.register_personal_data(
            models.CheckIn, "person", title=_("Study check-ins"), fields=("day", "what", "minutes")
        )
        registry.register_personal_data(
            models.Attempt,
            "person",
            title=_("Study quiz attempts"),
            fields=("period", "score", "started_at", "submitted_at"),
        )
        # A note and a comment name their author: his own are in his access file (not the others' on his notes).
        registry.register_personal_data(
            models.StudyNote, "author", title=_("Study notes"), fields=("month", "text", "status", "created_at")
        )
        registry.register_personal_data(
            models.StudyNoteComment, "author", title=_("Study note comments"), fields=("text", "created_at")
        )
