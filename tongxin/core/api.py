"""What every API viewset shares: scoping, domain errors as 400, out of scope as 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tongxin.core.api_pagination import KeysetPagination
from tongxin.core.exceptions import DomainError
from tongxin.core.models import Notification
from tongxin.core.pagination import keyset_page
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


# --- /api/notifications/ ------------------------------------------------------------------------------------


class NewestFirstPagination(KeysetPagination):
    """Keyset pages running from the newest row down (``get_keyset_keys`` ascending keys, as for pages)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        cursor = request.query_params.get(self.cursor_query_param)
        self.page = keyset_page(queryset, view.get_keyset_keys(), cursor, self.page_size, descending=True)
        self.count = view.get_keyset_count(queryset)
        return self.page.rows


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "created_at", "text", "url", "org_path", "read_at", "is_read"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only the unread notifications (1 or true).")]
    )
)
class NotificationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications, newest first (``?unread=1``: only the unread ones).

    ``POST /api/notifications/<id>/read/`` marks one read. Anyone else's notification is 404.
    """

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    pagination_class = NewestFirstPagination

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.unread()
        return qs

    def get_keyset_keys(self) -> list[tuple[str, str]]:
        return [("created_at", "core_notification.created_at"), ("id", "core_notification.id")]

    def get_keyset_count(self, queryset) -> int:
        return queryset.count()

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None, format: str | None = None) -> Response:
        from tongxin.core.services import mark_read

        notification = mark_read(request.user, self.get_object())
        return Response(self.get_serializer(notification).data)
