"""The activity pages' routes."""

from django.urls import path

from tongxin.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("hours/", views.hours, name="hours"),
    path("hours/export/", views.hours_export, name="hours_export"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/cancel/", views.cancel_activity, name="cancel"),
    path("<int:pk>/code/", views.code, name="code"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/scan/", views.personal_check, name="personal_check"),
    path("my-code/", views.my_code, name="my_code"),
    path("registrations/<int:pk>/confirm/", views.registration_confirm, name="registration_confirm"),
    path("registrations/<int:pk>/decline/", views.registration_decline, name="registration_decline"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("registrations/<int:pk>/hours/", views.registration_hours, name="registration_hours"),
    path("registrations/<int:pk>/certificate/", views.registration_certificate, name="registration_certificate"),
    path("registrations/<int:pk>/correction/", views.correction_request, name="correction_request"),
    path("corrections/<int:pk>/", views.correction, name="correction"),
    path("corrections/<int:pk>/decide/", views.correction_decide, name="correction_decide"),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    # public: the QR code of a printed certificate leads here (scope_walk.PUBLIC)
    path("verify/<str:key>/", views.verify, name="verify"),
    # micro-wishes: the resident's form and the fulfilled list are public (scope_walk.PUBLIC)
    path("wishes/new/", views.wish_submit, name="wish_submit"),
    path("wishes/fulfilled/", views.fulfilled, name="fulfilled"),
    path("wishes/", views.wishes, name="wishes"),
    path("wishes/<int:pk>/", views.wish_detail, name="wish_detail"),
    path("wishes/<int:pk>/screen/", views.wish_screen, name="wish_screen"),
    path("wishes/<int:pk>/claim/", views.wish_claim, name="wish_claim"),
    path("wishes/<int:pk>/fulfil/", views.wish_fulfil, name="wish_fulfil"),
    path("wishes/<int:pk>/close/", views.wish_close, name="wish_close"),
]
