from django.urls import path

from tongxin.core.views import step_paths
from tongxin.study import views

app_name = "study"
urlpatterns = [
    # the member's flow
    path("mine/", views.mine, name="mine"),
    path("periods/<int:pk>/", views.period, name="period"),
    path("periods/<int:pk>/start/", views.start, name="start"),
    path("periods/<int:pk>/video/", views.video, name="video"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("attempts/<int:pk>/result/", views.result, name="result"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("checkins/", views.checkins, name="checkins"),
    # public: anyone holding a receipt's link verifies it
    path("verify/", views.verify, name="verify"),
    # the secretary's pages
    path("", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/deactivate/", views.campaign_deactivate, name="campaign_deactivate"),
    path("campaigns/<int:pk>/reactivate/", views.campaign_reactivate, name="campaign_reactivate"),
    path("periods/<int:pk>/rates/", views.drill, name="drill"),
    path("periods/<int:pk>/rates/export/", views.drill_export, name="drill_export"),
    path("periods/<int:pk>/upload/", views.upload, name="upload"),
    path("periods/<int:pk>/import/", views.import_participations, name="import"),
    # study notes (微心得): the branch's notes, one note, its image and comments, the secretary's steps, the counts
    path("notes/", views.notes, name="notes"),
    path("notes/counts/", views.note_counts, name="note_counts"),
    path("notes/<int:pk>/", views.note, name="note"),
    path("notes/<int:pk>/image/", views.note_image, name="note_image"),
    path("notes/<int:pk>/comment/", views.note_comment, name="note_comment"),
    path("notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    *step_paths("notes", "note", views._note_step, "feature", "unfeature", "hide", "restore"),
]
