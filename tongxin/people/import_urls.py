from django.urls import path

from tongxin.people import import_views as views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/mapping/", views.remap, name="remap"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/report/", views.error_report, name="report"),
]
