from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "tongxin.privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from tongxin.core.registry import HAS_ROLE, register_demo_step, register_nav, register_page_part

        register_demo_step("privacy", "tongxin.privacy.demo", order=330)  # consent for most minors

        register_nav("team", _("Minors without consent"), "privacy:minors", order=110, when=HAS_ROLE)
        from tongxin.core.registry import register_home_card
        from tongxin.privacy.home import minors_without_consent

        register_home_card(
            "secretary", "minors", _("Minors without consent"), "privacy:minors", order=60,
            when=HAS_ROLE, value=minors_without_consent,
        )  # fmt: skip
        from tongxin.core.registry import HAS_PERSON

        register_home_card(
            "member", "data", _("My personal data"), "privacy:access_export", order=90, when=HAS_PERSON,
            args=lambda user: [user.person_id], template="privacy/_home_data_card.html",
        )  # fmt: skip
        register_page_part("orgs:detail", "actions", "privacy/_org_actions.html", order=20)  # minors without consent
        register_page_part(
            "people:detail", "panels", "privacy/_person_panels.html", order=10
        )  # consent, access, erasure

        from tongxin.core.registry import register_personal_data
        from tongxin.privacy import models as privacy_models

        register_personal_data(
            privacy_models.ConsentRecord, "person", title=_("Consent records"),
            fields=(
                "given_by", "guardian_name", "guardian_relationship", "given_on", "purpose", "notice_version",
                "method", "recorded_at", "withdrawn_at",
            ),
        )  # fmt: skip
        register_personal_data(
            privacy_models.Anonymisation, "person", title=_("Anonymisation"), fields=("done_at", "reason", "left_on")
        )
