from django.contrib.auth import views as auth_views
from django.urls import path

from tongxin.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.otp_verify, name="otp_verify"),
    path("two-factor/setup/", views.otp_enrol, name="otp_enrol"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("login-codes/", views.bulk_reset, name="bulk_reset"),
    path("login-codes/download/", views.bulk_reset_download, name="bulk_reset_download"),
]
