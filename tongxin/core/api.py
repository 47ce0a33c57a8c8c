"""What every API viewset shares: scoping, domain errors as 400, out of scope as 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tongxin.core.exceptions import DomainError
from tongxin.core.scoping import VIEW


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


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object chosen by id among those the caller may see (or change): any other id, existing or
    not, gets the same "not in your scope" answer, so the API reveals nothing outside the scope."""

    default_error_messages = {
        "does_not_exist": _("No such organisation in your scope."),
        "incorrect_type": _("Give the organisation's id (a number)."),
    }

    def __init__(self, *, action: str = VIEW, **kwargs: Any) -> None:
        self.scope_action = action
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        queryset: Any = self.__dict__.get("queryset")
        return queryset.visible_to(request.user if request else None, self.scope_action)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, int) and abs(data) >= 2**63:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
