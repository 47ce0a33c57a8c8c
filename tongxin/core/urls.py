from django.urls import path

from tongxin.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit"),
    path("healthz", views.health, name="health"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/open/", views.open_notification, name="open_notification"),
    path("rules/", views.rules, name="rules"),
    path("rules/<slug:key>/", views.rule_edit, name="rule_edit"),
]
