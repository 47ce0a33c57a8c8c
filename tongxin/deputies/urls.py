from django.urls import path

from tongxin.deputies import views

app_name = "deputies"
urlpatterns = [
    path("", views.deputy_list, name="list"),
    path("congresses/new/", views.congress_create, name="congress_create"),
    path("new/", views.deputy_add, name="deputy_add"),
    path("<int:pk>/", views.deputy, name="deputy"),
    path("<int:pk>/requests/new/", views.request_create, name="request_create"),
    path("<int:pk>/receptions/new/", views.reception_create, name="reception_create"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/summary/export/", views.summary_export, name="summary_export"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/reveal/", views.request_reveal, name="request_reveal"),
    path("requests/<int:pk>/act/", views.request_act, name="request_act"),
]
