from django.urls import path

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
    path("periods/<int:pk>/rates/", views.drill, name="drill"),
    path("periods/<int:pk>/rates/export/", views.drill_export, name="drill_export"),
    path("periods/<int:pk>/upload/", views.upload, name="upload"),
    path("periods/<int:pk>/import/", views.import_participations, name="import"),
]
