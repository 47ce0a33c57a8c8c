"""The points pages' routes."""

from django.urls import path

from tongxin.points import views

app_name = "points"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/", views.claim, name="claim"),
    path("claims/<int:pk>/review/", views.claim_review, name="claim_review"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("orgs/<int:pk>/", views.branch, name="branch"),
    path("orgs/<int:pk>/act/", views.branch_act, name="branch_act"),
    path("orgs/<int:pk>/subtree/", views.subtree, name="subtree"),
    path("orgs/<int:pk>/subtree/export/", views.subtree_export, name="subtree_export"),
    path("months/<int:pk>/", views.cycle, name="cycle"),
    path("my-branch/", views.my_branch, name="my_branch"),
    path("objections/new/", views.objection_new, name="objection_new"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("orgs/<int:pk>/rules/", views.rules_page, name="rules"),
    path("orgs/<int:pk>/rules/item/", views.rule_edit, name="rule_edit"),
    path("orgs/<int:pk>/rules/scores/", views.rule_scores, name="rule_scores"),
    path("orgs/<int:pk>/rules/own/", views.rules_override, name="rules_override"),
    path("entries/<int:pk>/correct/", views.entry_correct, name="entry_correct"),
    path("history/", views.history, name="history"),
]
