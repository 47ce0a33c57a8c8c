from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "tongxin.lifecycle"
    verbose_name = _("Member lifecycle")

    def ready(self) -> None:
        from tongxin.core.inbox import register_pending
        from tongxin.lifecycle.services.transfers import pending_transfers

        register_pending(pending_transfers)

        from tongxin.lifecycle.services.ageout import pending_age_outs

        register_pending(pending_age_outs)  # members to confirm as aged out, for branch secretaries

        from tongxin.lifecycle.services.recruitment import pending_recruitment_steps

        register_pending(pending_recruitment_steps)  # recruitment steps waiting, for the branch or the committee

        from tongxin.lifecycle.services.recommendation import pending_recommendations

        register_pending(pending_recommendations)  # party recommendations to approve, for the committee

        from tongxin.lifecycle.services.review import pending_reviews

        register_pending(pending_reviews)  # annual reviews to grade (the branch) or to approve (the committee above)

        from tongxin.lifecycle.dues_queries import pending_dues

        register_pending(pending_dues)  # last month's dues not yet marked paid, for branch secretaries
