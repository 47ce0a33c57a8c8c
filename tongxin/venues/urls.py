from django.urls import path

from tongxin.venues import views

app_name = "venues"
urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/photos/<int:pk>/", views.directory_photo, name="directory_photo"),
    path("<int:pk>/photos/add/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/remove/", views.photo_remove, name="photo_remove"),
    path("", views.venue_list, name="list"),
    path("new/", views.venue_create, name="create"),
    path("search/", views.search, name="search"),
    path("usage/", views.usage, name="usage"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/book/", views.book, name="book"),
    path("<int:pk>/edit/", views.venue_edit, name="edit"),
    path("<int:pk>/closures/remove/", views.closure_remove, name="closure_remove"),
    path("<int:pk>/status/", views.venue_status, name="status"),
    path("<int:pk>/closures/", views.closure, name="closure"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<int:pk>/", views.booking, name="booking"),
    path("bookings/<int:pk>/activity/", views.booking_activity, name="booking_activity"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/add-back/", views.booking_add_back, name="booking_add_back"),
    path("honours/", views.honours, name="honours"),
    path("honours/export/", views.honours_export, name="honours_export"),
    path("honours/award/", views.honour_award, name="honour_award"),
    path("honours/<int:pk>/", views.honour, name="honour"),
    path("honours/<int:pk>/certificate/", views.honour_certificate, name="honour_certificate"),
    path("honours/<int:pk>/act/", views.honour_act, name="honour_act"),
]
