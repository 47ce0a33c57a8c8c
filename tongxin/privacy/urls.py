from django.urls import path

from tongxin.privacy import views

app_name = "privacy"
urlpatterns = [
    path("minors/", views.minors, name="minors"),
    path("people/<int:pk>/consent/", views.consent_new, name="consent_new"),
    path("people/<int:pk>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("people/<int:pk>/export/", views.access_export, name="access_export"),
    path("people/<int:pk>/anonymise/", views.anonymise, name="anonymise"),
]
