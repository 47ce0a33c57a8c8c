"""What every API viewset shares: scoping, domain errors as 400, out of scope as 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tongxin.core.exceptions import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body = {key if key != "__all__" else "non_field_errors": value for key, value in exc.errors.items()}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


class ScopedViewSetMixin:
    """Viewsets list and fetch only what ``visible_to(request.user)`` allows: others are 404."""

    queryset: Any

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)  # type: ignore[attr-defined]
