from django.urls import include, path

from tongxin.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.org_dashboard, name="org"),
    path("wall/", views.wall, name="wall"),
    path("index/", include("tongxin.dashboard.index.urls")),
]
