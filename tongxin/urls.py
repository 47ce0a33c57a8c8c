from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tongxin.core.urls")),
    path("accounts/", include("tongxin.accounts.urls")),
    path("orgs/", include("tongxin.orgs.urls")),
    path("people/", include("tongxin.people.urls")),
    path("imports/", include("tongxin.people.import_urls")),
    path("lifecycle/", include("tongxin.lifecycle.urls")),
    path("orglife/", include("tongxin.orglife.urls")),
    path("privacy/", include("tongxin.privacy.urls")),
    path("api/", include("tongxin.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# The 500 page shows the request id and nothing else from the request (tongxin/core/errors.py).
handler500 = "tongxin.core.errors.server_error"
