from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LifecycleConfig(AppConfig):
    name = "tongxin.lifecycle"
    verbose_name = _("Member lifecycle")

    def ready(self) -> None:
        from tongxin.lifecycle import tallies
        from tongxin.orgs import tallies as org_tallies

        # The dashboards' figures (lifecycle.tallies): dues collected per month paid, kept in fen (the tallies
        # hold whole numbers) and shown in yuan, and the open transfers and recruitments (no month).
        org_tallies.register_source("lifecycle", tallies.FACETS, tallies.direct, monthly=[
            org_tallies.Monthly("dues_cents", _("Dues collected"), pgettext_lazy("unit", "yuan"), order=20, divide=100),
        ])  # fmt: skip

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

        from tongxin.lifecycle.services.lapse import pending_lapse_cases

        register_pending(pending_lapse_cases)  # lapse cases (自行脱团) the branch proposed, for the committee above

        from tongxin.lifecycle.dues_queries import pending_dues

        register_pending(pending_dues)  # last month's dues not yet marked paid, for branch secretaries

        from tongxin.core.registry import register_demo_step

        register_demo_step("lifecycle", "tongxin.lifecycle.demo", order=320)  # dues, recruitments, transfers

        from tongxin.core.registry import (
            HAS_ROLE,
            register_home_card,
            register_identity_copy,
            register_lookup_hashes,
            register_nav,
            register_page_part,
            register_personal_data,
        )
        from tongxin.lifecycle import models as lifecycle_models

        for order, label, url_name in (
            (40, _("Transfers"), "lifecycle:transfers"),
            (50, _("Dues"), "lifecycle:dues_home"),
            (60, _("Age-out"), "lifecycle:age_out"),
            (70, _("Annual review"), "lifecycle:reviews"),
            (80, _("Recruitment"), "lifecycle:recruitments"),
            (90, _("Party recommendation"), "lifecycle:recommendations"),
        ):
            register_nav("team", label, url_name, order=order, when=HAS_ROLE)
        from tongxin.lifecycle.home import has_own_branch, own_branch_args

        register_nav(
            "team", _("Graduation"), "lifecycle:graduation", order=85, when=has_own_branch, args=own_branch_args
        )
        register_page_part("orgs:detail", "actions", "lifecycle/_org_actions.html", order=30)  # dues
        register_page_part("orgs:detail", "more_actions", "lifecycle/_org_more_actions.html", order=20)  # graduation
        register_page_part("people:detail", "actions", "lifecycle/_person_actions.html", order=10)  # transfer, dues...
        from tongxin.core.registry import HAS_PERSON
        from tongxin.lifecycle.dues_queries import unmarked_this_month
        from tongxin.lifecycle.mine import my_branch_name, my_transfers, transfers_in_progress, unpaid_months

        register_home_card(
            "secretary", "transfers", _("Transfers in progress"), "lifecycle:transfers", order=40, when=HAS_ROLE,
            value=transfers_in_progress,
        )  # fmt: skip
        register_home_card(
            "secretary", "dues", _("Dues"), "lifecycle:dues_home", order=50, when=HAS_ROLE, value=unmarked_this_month
        )
        register_home_card(
            "member", "transfers", _("My transfers in progress"), "lifecycle:transfers", order=35, when=HAS_PERSON,
            value=my_transfers,
        )  # fmt: skip

        # 我的: the months of his dues not yet marked paid, and the page that shows them (read-only, own scope).
        register_home_card(
            "member", "dues", _("My dues: months unpaid"), "lifecycle:my_dues", order=30, when=HAS_PERSON,
            value=unpaid_months,
        )  # fmt: skip
        register_home_card(
            "member", "branch", _("My branch"), "lifecycle:my_branch", order=25, when=HAS_PERSON, value=my_branch_name
        )
        from tongxin.core.registry import register_page_context
        from tongxin.lifecycle.mine import own_branch_link

        register_page_context("people:detail", "own_branch_url", own_branch_link)  # his branch: a page he may open
        # The lapse list (orglife:lapse, a page of the app beside this one): per member his open lapse case or the
        # form to propose him, and the link to the cases; orglife names neither (core.registry).
        from tongxin.lifecycle.views.lapse import lapse_list_cases

        register_page_context("orglife:lapse", "lapse_cases", lapse_list_cases)
        register_page_part("orglife:lapse", "row_actions", "lifecycle/lapse/_row_action.html", order=10)
        register_page_part("orglife:lapse", "tools", "lifecycle/lapse/_cases_link.html", order=10)
        # An application keeps the applicant's own name, ID number and phone (before they joined): anonymising
        # the person blanks it too, and its ID number hash is recomputed with the people's.
        register_identity_copy(
            lifecycle_models.Recruitment,
            person_field="person",
            fields=("name", "id_number", "phone", "birth_date", "league_number"),
        )
        register_lookup_hashes(lifecycle_models.Recruitment, hash_fields=("id_hash",), only=("id", "id_number"))

        # What the person's right-of-access file shows of the records about them (privacy.exports).
        register_personal_data(
            lifecycle_models.Transfer, "person", title=_("Transfers"),
            fields=(
                "from_org", "to_org", "to_branch", "external_destination", "reason", "note", "status", "started_at",
                "out_approved_at", "in_accepted_at", "closed_at", "rejection_reason", "graduation_destination",
            ),
        )  # fmt: skip
        register_personal_data(
            lifecycle_models.Recruitment, "person", title=_("Recruitment"),
            fields=(
                "branch", "name", "id_number", "birth_date", "phone", "stage", "applied_on", "activist_on",
                "training_hours", "candidate_on", "prechecked_on", "meeting_on", "approved_on", "league_number",
                "oath_on", "withdrawn_reason",
            ),
        )  # fmt: skip
        # The person sponsored someone else's application: the record is about the applicant.
        for sponsor in ("sponsor_1", "sponsor_2"):
            register_personal_data(lifecycle_models.Recruitment, sponsor, not_exported="another person's application")
        register_personal_data(
            lifecycle_models.PartyRecommendation, "person", title=_("Party recommendation"),
            fields=(
                "branch", "party_application_on", "status", "meeting_on", "votes_for", "votes_against",
                "approved_on", "party_org", "handed_over_on", "outcome_on",
            ),
        )  # fmt: skip
        register_personal_data(
            lifecycle_models.ReviewEntry, "person", title=_("Annual reviews"),
            fields=("review", "grade", "registered_on", "deferred_until"),
        )  # fmt: skip
        register_personal_data(
            lifecycle_models.LapseCase, "person", title=_("Lapse cases"),
            fields=("branch", "status", "meeting_on", "note", "proposed_at", "decided_on", "rejection_reason"),
        )  # fmt: skip
        register_personal_data(
            lifecycle_models.DuesProfile, "person", title=_("Dues basis"), fields=("category", "monthly_income")
        )
        register_personal_data(
            lifecycle_models.DuesPayment, "person", title=_("Dues paid"), fields=("kind", "month", "amount", "paid_on")
        )
