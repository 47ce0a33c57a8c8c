from django.urls import include, path

from tongxin.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.org_dashboard, name="org"),
    path("wall/", views.wall, name="wall"),
    path("index/", include("tongxin.dashboard.index.urls")),
]

# The annual report (issue 18): its own pages, in report/urls.py.
from tongxin.dashboard.report.urls import urlpatterns as report_urlpatterns  # noqa: E402

urlpatterns += report_urlpatterns
