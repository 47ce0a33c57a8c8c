"""The activity pages' routes."""

from django.urls import path

from tongxin.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/cancel/", views.cancel_activity, name="cancel"),
    path("<int:pk>/code/", views.code, name="code"),
    path("<int:pk>/check/", views.check, name="check"),
    path("registrations/<int:pk>/confirm/", views.registration_confirm, name="registration_confirm"),
    path("registrations/<int:pk>/decline/", views.registration_decline, name="registration_decline"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("registrations/<int:pk>/hours/", views.registration_hours, name="registration_hours"),
]
