from django.urls import path

from tongxin.community import views

app_name = "community"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("people/<int:pk>/register/", views.person_register, name="person_register"),
    path("orgs/<int:pk>/register/", views.org_register, name="org_register"),
    path("orgs/<int:pk>/", views.unit, name="unit"),
    path("communities/<int:pk>/", views.community, name="community"),
    path("communities/<int:pk>/needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need, name="need"),
    path("needs/<int:pk>/take-up/", views.need_take_up, name="need_take_up"),
    path("needs/<int:pk>/report/", views.need_report, name="need_report"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("registrations/<int:pk>/", views.registration, name="registration"),
    path("registrations/<int:pk>/export/", views.registration_export, name="registration_export"),
    path("registrations/<int:pk>/end/", views.registration_end, name="registration_end"),
    path("registrations/<int:pk>/report/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("reports/<int:pk>/send-back/", views.report_send_back, name="report_send_back"),
    path("reports/<int:pk>/resubmit/", views.report_resubmit, name="report_resubmit"),
    path("reports/photos/<int:pk>/", views.report_photo, name="report_photo"),
]
