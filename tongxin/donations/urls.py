from django.urls import path

from tongxin.donations import views

app_name = "donations"
urlpatterns = [
    path("", views.drive_list, name="list"),
    path("new/", views.drive_create, name="drive_create"),
    path("<int:pk>/", views.drive, name="drive"),
    path("<int:pk>/close/", views.drive_close, name="drive_close"),
    path("<int:pk>/donations/", views.donation_list, name="donations"),
    path("<int:pk>/donations/new/", views.donation_create, name="donation_create"),
    path("<int:pk>/disbursements/new/", views.disbursement_create, name="disbursement_create"),
    path("<int:pk>/export/", views.export, name="export"),
    path("donations/<int:pk>/void/", views.donation_void, name="donation_void"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
