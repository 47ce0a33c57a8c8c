"""The annual report's pages, added to ``dashboard.urls`` (its namespace, under ``report/``)."""

from django.urls import path

from tongxin.dashboard.report import views

urlpatterns = [
    path("report/<int:pk>/", views.report_page, name="report"),
    path("report/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("report/<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("report/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
