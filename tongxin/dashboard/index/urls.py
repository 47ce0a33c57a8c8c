"""The index pages, included by ``tongxin/dashboard/urls.py`` under ``index/`` (names in its namespace)."""

from django.urls import path

from tongxin.dashboard.index import views

urlpatterns = [
    path("<int:pk>/", views.index_page, name="index"),
    path("<int:pk>/weights/", views.weights_page, name="index_weights"),
    path("<int:pk>/rankings/", views.rankings_switch, name="index_rankings"),
    path("<int:pk>/stars/", views.stars_save, name="index_stars"),
]
