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

# Display links of the wall display (issue 18): display/urls.py.
from tongxin.dashboard.display.urls import urlpatterns as display_urlpatterns  # noqa: E402

urlpatterns += display_urlpatterns
