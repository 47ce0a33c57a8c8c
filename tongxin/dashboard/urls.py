from django.urls import path

from tongxin.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.org_dashboard, name="org"),
    path("wall/", views.wall, name="wall"),
]
