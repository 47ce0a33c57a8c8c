"""The project's URLconf plus the baseline of bench/study_peak.py: ``POST /bench/one-row/``, a trivial view that
writes one row (a notification for the caller) behind the same token authentication as the API."""

from django.urls import include, path
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response


@api_view(["POST"])
def one_row(request: Request) -> Response:
    from tongxin.core.models import Notification

    Notification.objects.create(recipient=request.user, text="bench", url="/")
    return Response({"ok": True}, status=201)


urlpatterns = [path("bench/one-row/", one_row), path("", include("tongxin.urls"))]
