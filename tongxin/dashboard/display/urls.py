"""The display links' pages, included by ``tongxin/dashboard/urls.py`` (names in its namespace)."""

from django.urls import path

from tongxin.dashboard.display import views

urlpatterns = [
    path("wall/<int:pk>/links/", views.wall_links, name="wall_links"),
    path("wall/links/<int:pk>/revoke/", views.wall_link_revoke, name="wall_link_revoke"),
    path("wall/display/", views.wall_display, name="wall_display"),
    path("wall/display/figures/", views.wall_display_figures, name="wall_display_figures"),
]
