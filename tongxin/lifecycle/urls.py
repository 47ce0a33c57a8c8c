"""The lifecycle pages' routes, one list for the app (the views live in ``views/``, one module per workflow)."""

from django.urls import path

from tongxin.core.views import step_paths
from tongxin.lifecycle.views import (
    ageout,
    dues,
    graduation,
    lapse,
    mine,
    recommendation,
    recruitment,
    review,
    transfers,
)

app_name = "lifecycle"
urlpatterns = [
    # transfers
    path("transfers/", transfers.transfer_list, name="transfers"),
    path("transfers/act/", transfers.act_on_selected, name="transfers_act"),
    path("transfers/in/", transfers.start_in, name="transfer_start_in"),
    path("transfers/destinations/", transfers.destinations, name="transfer_destinations"),
    path("transfers/person/<int:pk>/", transfers.start_out, name="transfer_start_out"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    *step_paths("transfers", "transfer", transfers.act, "approve", "accept", "reject", "cancel"),
    # graduation
    path("graduation/branch/<int:pk>/", graduation.batch, name="graduation"),
    path("graduation/overdue/", graduation.overdue, name="graduation_overdue"),
    # ageout
    path("age-out/", ageout.age_out_list, name="age_out"),
    path("age-out/confirm/", ageout.age_out_confirm, name="age_out_confirm"),
    # dues
    path("dues/", dues.home, name="dues_home"),
    *mine.urlpatterns,  # the member's own dues
    path("dues/<int:pk>/<dues_month:month>/", dues.ledger, name="dues_ledger"),
    path("dues/<int:pk>/<dues_month:month>/export/", dues.ledger_export, name="dues_ledger_export"),
    path("dues/org/<int:pk>/summary/", dues.summary, name="dues_summary"),
    path("dues/org/<int:pk>/summary/export/", dues.summary_export, name="dues_summary_export"),
    path("dues/org/<int:pk>/arrears/", dues.arrears, name="dues_arrears"),
    path("dues/org/<int:pk>/arrears/export/", dues.arrears_export, name="dues_arrears_export"),
    path("dues/person/<int:pk>/profile/", dues.profile, name="dues_profile"),
    # recruitment
    path("recruitment/", recruitment.recruitment_list, name="recruitments"),
    path("recruitment/new/", recruitment.recruitment_new, name="recruitment_new"),
    path("recruitment/<int:pk>/", recruitment.recruitment_detail, name="recruitment_detail"),
    path("recruitment/<int:pk>/act/", recruitment.recruitment_act, name="recruitment_act"),
    path("recruitment/<int:pk>/withdraw/", recruitment.recruitment_withdraw, name="recruitment_withdraw"),
    # recommendation
    path("recommendations/", recommendation.recommendation_list, name="recommendations"),
    path("recommendations/person/<int:pk>/", recommendation.recommendation_propose, name="recommendation_propose"),
    path("recommendations/<int:pk>/", recommendation.recommendation_detail, name="recommendation_detail"),
    path("recommendations/<int:pk>/act/", recommendation.recommendation_act, name="recommendation_act"),
    path("recommendations/<int:pk>/withdraw/", recommendation.recommendation_withdraw, name="recommendation_withdraw"),
    # review
    path("reviews/", review.progress, name="reviews"),
    path("reviews/export/", review.progress_export, name="review_progress_export"),
    path("reviews/open/", review.open_review, name="review_open"),
    path("reviews/<int:pk>/", review.review_detail, name="review_detail"),
    *step_paths("reviews", "review", review.act, "grade", "submit", "approve", "return", "register", "defer"),
    # lapse (自行脱团): the branch proposes a member of the lapse list, the committee above decides
    path("lapse/", lapse.lapse_cases, name="lapse_cases"),
    path("lapse/person/<int:pk>/", lapse.lapse_propose, name="lapse_propose"),
    path("lapse/<int:pk>/", lapse.lapse_case, name="lapse_case"),
    *step_paths("lapse", "lapse", lapse.act, "approve", "reject"),
]
