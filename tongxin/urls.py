from django.contrib import admin
from django.urls import include, path

# The API first: its requests (the busiest, a study evening's) are resolved without walking the pages' patterns
# first; no page's URL starts with "api/".
urlpatterns = [
    path("api/", include("tongxin.api_urls")),
    path("", include("tongxin.core.urls")),
    path("accounts/", include("tongxin.accounts.urls")),
    path("orgs/", include("tongxin.orgs.urls")),
    path("people/", include("tongxin.people.urls")),
    path("imports/", include("tongxin.people.import_urls")),
    path("lifecycle/", include("tongxin.lifecycle.urls")),
    path("orglife/", include("tongxin.orglife.urls")),
    path("activities/", include("tongxin.activities.urls")),
    path("captcha/", include("captcha.urls")),
    path("points/", include("tongxin.points.urls")),
    path("privacy/", include("tongxin.privacy.urls")),
    path("venues/", include("tongxin.venues.urls")),
    path("deputies/", include("tongxin.deputies.urls")),
    path("donations/", include("tongxin.donations.urls")),
    path("community/", include("tongxin.community.urls")),
    path("study/", include("tongxin.study.urls")),
    path("dashboard/", include("tongxin.dashboard.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# The 500 page shows the request id and nothing else from the request; under /api/ every error answers JSON
# (tongxin/core/errors.py).
handler400 = "tongxin.core.errors.bad_request"
handler403 = "tongxin.core.errors.permission_denied"
handler404 = "tongxin.core.errors.page_not_found"
handler500 = "tongxin.core.errors.server_error"
