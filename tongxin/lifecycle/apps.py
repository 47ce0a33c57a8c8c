from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "tongxin.lifecycle"
    verbose_name = _("Member lifecycle")

    def ready(self) -> None:
        from tongxin.lifecycle.models import (
            AnnualReview,
            DuesPayment,
            GraduationBatch,
            PartyRecommendation,
            Recruitment,
            ReviewEntry,
            Transfer,
        )
        from tongxin.orgs.services import register_path_column

        register_path_column(Transfer, "from_path")
        register_path_column(Transfer, "to_path")
        register_path_column(DuesPayment, "org_path")
        for model in (Recruitment, PartyRecommendation, AnnualReview, ReviewEntry, GraduationBatch):
            register_path_column(model, "org_path")

        from tongxin.core.inbox import register_pending
        from tongxin.lifecycle.services.transfers import pending_transfers

        register_pending(pending_transfers)

        from tongxin.lifecycle.services.ageout import pending_age_outs

        register_pending(pending_age_outs)  # members to confirm as aged out, for branch secretaries
