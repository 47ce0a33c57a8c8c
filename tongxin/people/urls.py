from django.urls import path

from tongxin.people import views

app_name = "people"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("new/", views.create, name="create"),
    path("export/", views.export, name="export"),
    path("import-template/", views.import_template, name="import_template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("cadres/appoint/<int:pk>/", views.appoint_cadre, name="appoint_cadre"),
    path("cadres/<int:pk>/end/", views.end_cadre, name="end_cadre"),
]
